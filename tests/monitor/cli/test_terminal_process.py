"""In a real terminal (a pty): tables and CSV show post text's escape sequences, never run them."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from tests.conftest import TestDatabase
from tests.support.corpus import seed
from tests.support.processes import start_polmon

ATTACK = "Candlelight \x1b]52;c;cm0gLXJmIH4=\x07 and \x1b]0;title\x07 and \x9b2J"


def _run_in_terminal(config: Path, *args: str, columns: int = 120) -> str:
    """Run `polmon ARGS` with stdout on a pty `columns` wide; what the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    # No COLUMNS: the autouse `_no_terminal_width` fixture cleared it, so the pty's width counts.
    process = start_polmon(
        ["--config", str(config), *args],
        stdout=slave,
        stderr=subprocess.PIPE,
        env={"TERM": "xterm-256color"},
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    _, stderr = process.communicate(timeout=120)
    os.close(master)
    assert process.returncode == 0, stderr.decode()
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_table_and_csv_on_a_terminal_show_escapes_visibly(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = seed(sqlite_db, tmp_path, [ATTACK])
    for args in (("posts",), ("posts", "--format", "csv")):
        received = _run_in_terminal(config, *args, columns=300)
        assert "\x1b]52;" not in received and "\x1b]0;" not in received and "\x9b" not in received
        assert "\\x1b]52;c;cm0gLXJmIH4=\\x07" in received.replace("\r\n", "\n")
    table = _run_in_terminal(config, "posts", columns=100)
    widest = max(len(line) for line in _plain(table).splitlines())
    assert widest <= 100  # the terminal's own width


def _plain(received: str) -> str:
    """The text without rich's own styling sequences (CSI … m)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", received).replace("\r\n", "\n")
