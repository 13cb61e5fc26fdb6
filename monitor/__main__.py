"""`python -m monitor` runs the polmon command line."""

from monitor.cli import main

main()
