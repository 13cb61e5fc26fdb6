"""Hostile config files from a shared repository: deep nesting is one line, a BOM is fine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import invoke


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 5000 + "]" * 5000,
        "x = " + "{a = " * 5000 + "1" + "}" * 5000,
        "[actors]\nnotes = " + "[" * 900 + "]" * 900,
    ],
    ids=["arrays", "inline-tables", "under-a-section"],
)
def test_deeply_nested_config_is_one_line_error(tmp_path: Path, text: str) -> None:
    config = tmp_path / "polmon.toml"
    config.write_text(text, encoding="utf-8")
    result = invoke(config, "config", "check")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"config error in {config}: arrays or tables nested too deeply to read "
        "(polmon's config is a few levels deep)",
        "config check: 1 problem found",
    ]


def test_config_with_utf8_byte_order_mark_is_read(tmp_path: Path) -> None:
    config = tmp_path / "polmon.toml"
    body = '[paths]\ndata_dir = "data"\n[keywords.k]\nterms = ["ចាប់ខ្លួន"]\n'
    config.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    result = invoke(config, "config", "check")
    assert result.exit_code == 0, result.output
    assert "1 keyword groups" in result.output
