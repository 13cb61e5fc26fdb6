"""Tables fit the terminal: one column wraps whole words, links stay whole, `--width` and pipes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import TestDatabase, invoke
from tests.support.corpus import seed

LONG = (
    "The Candlelight Party rejects the ban imposed by the election committee and says its "
    "candidates will stand in every commune whatever the court decides next week."
)


@pytest.fixture
def config(db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COLUMNS", raising=False)
    path = seed(db, tmp_path, [LONG, "ចាប់ខ្លួន short"])
    assert invoke(path, "keywords", "rescan").exit_code == 0
    return path


def _widest(output: str) -> int:
    return max(cell_len(line) for line in output.splitlines())


def _last_column(output: str) -> str:
    """The last column's text, its folded lines joined."""
    rows = [line.split("│")[-2].strip() for line in output.splitlines() if line.startswith("│")]
    return "".join(rows)


def test_hits_table_fits_the_width_wrapping_only_the_snippet(config: Path) -> None:
    result = invoke(config, "hits", "--width", "120")
    assert result.exit_code == 0, result.output
    assert _widest(result.output) <= 120
    # The snippet wraps at word boundaries, several words a line, never one word per line.
    assert "The Candlelight Party" in result.output
    assert "rejects the ban" in result.output
    # The link column is shown (docs/cli.md promises it), the time is not cut short.
    assert "https://t.me/rainsy/1" in _last_column(result.output)
    assert "2025-03-01 12:00" in result.output
    # Wider: the link fits on one line, the snippet gets the room.
    wide = invoke(config, "hits", "--width", "200")
    assert _widest(wide.output) <= 200
    assert "https://t.me/rainsy/1 " in wide.output
    assert "The Candlelight Party rejects the ban imposed by the" in wide.output


def test_narrow_terminal_keeps_the_wrapping_column_readable(config: Path) -> None:
    result = invoke(config, "hits", "--width", "80")
    assert result.exit_code == 0, result.output
    assert _widest(result.output) <= 80
    snippet_lines = [line.split("│")[-3].strip() for line in result.output.splitlines()[4:-2]]
    words = [len(line.split()) for line in snippet_lines if line and "ចាប់" not in line]
    assert min(words) >= 2, snippet_lines  # never one word per line
    # The global option does the same, before the command.
    assert invoke(config, "--width", "80", "hits").output == result.output


def test_piped_output_does_not_fold_without_a_terminal(config: Path) -> None:
    result = invoke(config, "hits")  # CliRunner's stdout, stderr and stdin are no terminal
    line = next(line for line in result.output.splitlines() if "rejects" in line)
    assert "The Candlelight Party rejects the ban imposed by the election committee" in line


def test_piped_output_uses_columns_from_the_environment(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    result = invoke(config, "hits")
    assert _widest(result.output) <= 100
    assert "rejects the ban" in result.output


def test_search_table_shows_the_link_and_a_readable_score(config: Path) -> None:
    result = invoke(config, "search", "candlelight", "--width", "200")
    assert result.exit_code == 0, result.output
    assert "https://t.me/rainsy/1" in result.output
    assert "100%" in result.output and "e-0" not in result.output


def test_width_below_the_minimum_is_a_usage_error(config: Path) -> None:
    result = invoke(config, "hits", "--width", "5")
    assert result.exit_code == 2 and "--width" in result.output
