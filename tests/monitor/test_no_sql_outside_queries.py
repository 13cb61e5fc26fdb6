"""Reads live in monitor/queries/ and writes in storage/: no other module under monitor/ (the
CLI, the web app, the stages, the digest…) builds or runs SQL."""

from __future__ import annotations

import ast
from pathlib import Path

import monitor

MONITOR_DIR = Path(monitor.__file__).parent
QUERY_LAYER = MONITOR_DIR / "queries"
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


def checked_modules(root: Path = MONITOR_DIR) -> list[Path]:
    """Every module under monitor/ (new packages such as monitor/web/ included) but the
    query layer's."""
    query_layer = root / "queries"
    return [path for path in sorted(root.rglob("*.py")) if query_layer not in path.parents]


def test_no_module_outside_the_query_layer_builds_or_runs_sql() -> None:
    modules = checked_modules()
    assert MONITOR_DIR / "cli" / "status.py" in modules  # the walk found the CLI
    assert MONITOR_DIR / "digest" / "gather.py" in modules
    offenders = {
        str(path.relative_to(MONITOR_DIR)): uses
        for path in modules
        if (uses := sql_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move these reads into monitor/queries/ (writes into storage/)"


def test_every_package_but_the_query_layer_is_checked(tmp_path: Path) -> None:
    for module in ("web/routes.py", "web/__init__.py", "queries/posts.py", "cli/status.py"):
        (tmp_path / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / module).write_text("", encoding="utf-8")
    assert [str(p.relative_to(tmp_path)) for p in checked_modules(tmp_path)] == [
        "cli/status.py",
        "web/__init__.py",
        "web/routes.py",
    ]


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
