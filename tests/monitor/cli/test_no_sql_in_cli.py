"""The CLI only parses options and formats: no module under monitor/cli/ builds or runs SQL."""

from __future__ import annotations

import ast
from pathlib import Path

import monitor.cli

CLI_DIR = Path(monitor.cli.__file__).parent
# Statement builders and raw SQL of SQLAlchemy; reads belong in monitor/queries/.
SQL_BUILDERS = {"select", "update", "delete", "insert", "text"}
# Session / connection calls that run SQL.
SQL_CALLS = {"execute", "scalar", "scalars", "exec_driver_sql"}


def sql_uses(source: str) -> list[str]:
    """Each SQL statement builder imported from sqlalchemy and each SQL-running call in
    `source`, as `line: what`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [
                f"{node.lineno}: imports {alias.name} from {node.module}"
                for alias in node.names
                if alias.name in SQL_BUILDERS
            ]
        elif isinstance(node, ast.Attribute) and node.attr in SQL_BUILDERS:
            if isinstance(node.value, ast.Name) and node.value.id in ("sqlalchemy", "sa"):
                found.append(f"{node.lineno}: uses {node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
        ):
            found.append(f"{node.lineno}: calls .{node.func.attr}()")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_no_cli_module_builds_or_runs_sql() -> None:
    modules = sorted(CLI_DIR.rglob("*.py"))
    assert len(modules) > 10  # the walk found the CLI
    offenders = {
        str(path.relative_to(CLI_DIR)): uses
        for path in modules
        if (uses := sql_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move these reads into monitor/queries/"


def test_the_check_sees_each_form_of_sql() -> None:
    source = (
        "from sqlalchemy import select, func\n"
        "from sqlalchemy.sql import update\n"
        "import sqlalchemy\n"
        "q = sqlalchemy.delete(T)\n"
        "session.execute(q)\n"
        "rows = session.scalars(q)\n"
        "with session.begin(): pass\n"
    )
    assert sql_uses(source) == [
        "1: imports select from sqlalchemy",
        "2: imports update from sqlalchemy.sql",
        "4: uses sqlalchemy.delete",
        "5: calls .execute()",
        "6: calls .scalars()",
    ]
