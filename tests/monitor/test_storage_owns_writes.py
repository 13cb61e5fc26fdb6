"""Only storage/ writes rows: no monitor module builds INSERT/UPDATE/DELETE, builds a row of
storage.models, or adds to, merges into, deletes from or flushes a session."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITE_CONSTRUCTS = {"insert", "update", "delete"}
SESSION_WRITES = {"add", "add_all", "merge", "delete", "flush", "bulk_save_objects"}
SESSION_OPENERS = {"transaction", "session_factory", "Session", "begin"}


def _session_names(tree: ast.AST) -> set[str]:
    """Names that hold a session: parameters annotated `Session` and `with opener(...) as name`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            if "Session" in ast.unparse(node.annotation):
                names.add(node.arg)
        elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            call = node.context_expr
            func = call.func if isinstance(call, ast.Call) else None
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in SESSION_OPENERS:
                names.add(node.optional_vars.id)
    return names


def _writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    sessions = _session_names(tree)
    models: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"imports {a.name}" for a in node.names if a.name in WRITE_CONSTRUCTS]
        if isinstance(node, ast.ImportFrom) and node.module == "storage.models":
            models |= {a.asname or a.name for a in node.names}
    calls: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr in SESSION_WRITES:
            receiver = ast.unparse(node.func.value)
            if "session" in receiver.lower() or receiver in sessions:
                calls.append((node.lineno, ast.unparse(node.func)))
        elif isinstance(node.func, ast.Name) and node.func.id in models:
            calls.append((node.lineno, f"builds a {node.func.id} row"))
    return found + [f"line {line}: {what}" for line, what in sorted(calls)]


def test_no_module_outside_storage_writes_rows() -> None:
    modules = sorted((ROOT / "monitor").rglob("*.py"))
    assert len(modules) > 50  # the walk found the package
    offenders = {
        str(path.relative_to(ROOT)): writes for path in modules if (writes := _writes(path))
    }
    assert offenders == {}, "move these writes behind a storage/ function"


def test_the_check_sees_a_write(tmp_path: Path) -> None:
    module = tmp_path / "writer.py"
    module.write_text(
        "from sqlalchemy import update\n"
        "from storage.models import Transcript as T\n"
        "from storage.engine import transaction\n"
        "from sqlalchemy.orm import Session\n"
        "\n"
        "def f(session, row):\n"
        "    session.add(row)\n"
        "\n"
        "def g(db: Session, engine, rows):\n"
        "    db.add_all(rows)\n"
        "    db.flush()\n"
        "    with transaction(engine) as s:\n"
        "        s.merge(T(media_id=1))\n"
        "    seen = set()\n"
        "    seen.add(1)\n",
        encoding="utf-8",
    )
    assert _writes(module) == [
        "imports update",
        "line 7: session.add",
        "line 10: db.add_all",
        "line 11: db.flush",
        "line 13: builds a T row",
        "line 13: s.merge",
    ]
