"""Docs stay honest: every table and column in docs/schema.md, the README's two commands."""

from __future__ import annotations

import re

from storage.models import Base
from tests.conftest import REPO_ROOT


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
