"""Benchmarks whose printed figures go into docs/benchmarks.md."""
