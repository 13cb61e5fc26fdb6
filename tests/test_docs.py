"""Docs stay honest: every table and column in docs/schema.md, the README's two commands."""

from __future__ import annotations

import re

import click
import pytest

from monitor.cli import cli
from storage.models import Base
from tests.conftest import REPO_ROOT
from tests.support.cli import command_tree


def test_schema_doc_explains_every_table_and_column() -> None:
    doc = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", doc, flags=re.M | re.S))
    for table in Base.metadata.sorted_tables:
        assert table.name in sections, f"docs/schema.md has no section for {table.name}"
        documented = {
            name.strip()
            for row in re.findall(r"^\| ([^|]+) \|", sections[table.name], flags=re.M)
            for name in row.split(",")
        }
        missing = {c.name for c in table.columns} - documented
        assert not missing, f"docs/schema.md, {table.name}: undocumented columns {missing}"


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def _commands(group: click.Group) -> list[str]:
    """Every visible command, `polmon <words>` (a hidden group hides its subcommands too)."""
    hidden: set[tuple[str, ...]] = set()
    names = []
    for words, command in command_tree(group):
        if command.hidden or any(words[:n] in hidden for n in range(1, len(words))):
            hidden.add(words)
            continue
        names.append(" ".join(("polmon", *words)))
    return names


@pytest.mark.parametrize("command", _commands(cli))
def test_cli_doc_has_a_section_for_every_command(command: str) -> None:
    doc = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#{2,4} (polmon[\w -]*?)\s*$", doc, flags=re.M))
    assert command in headings, f"docs/cli.md has no '## {command}' section"
