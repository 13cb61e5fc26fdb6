"""Only storage/ writes rows: no monitor module builds INSERT/UPDATE/DELETE or adds to a session."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITE_CONSTRUCTS = {"insert", "update", "delete"}
SESSION_WRITES = {"add", "add_all", "merge", "delete", "bulk_save_objects"}
# Not moved yet: transcript rows (the queue-worker change moves monitor/transcription/).
ALLOWED = {"monitor/transcription/store.py"}


def _writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"imports {a.name}" for a in node.names if a.name in WRITE_CONSTRUCTS]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_WRITES
            and "session" in ast.unparse(node.func.value).lower()
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node.func)}")
    return found


def test_no_module_outside_storage_writes_rows() -> None:
    offenders = {
        str(path.relative_to(ROOT)): writes
        for path in sorted((ROOT / "monitor").rglob("*.py"))
        if str(path.relative_to(ROOT)) not in ALLOWED and (writes := _writes(path))
    }
    assert offenders == {}


def test_the_check_sees_a_write(tmp_path: Path) -> None:
    module = tmp_path / "writer.py"
    module.write_text(
        "from sqlalchemy import update\n\ndef f(session, row):\n    session.add(row)\n",
        encoding="utf-8",
    )
    assert _writes(module) == ["imports update", "line 4: session.add"]
