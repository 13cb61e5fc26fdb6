"""NUL bytes at the storage boundary: dropped from text, escaped in JSON, alike on both engines.

PostgreSQL rejects U+0000 in text and JSONB; SQLite takes it and would make the two engines
store different things. Text columns lose their NULs (before the flush, so objects in the
session match the rows); JSON documents keep them as the six characters ``\\u0000``, so a raw
payload still shows where they were; Core statements' string parameters are cleaned last.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Session, UOWTransaction

NUL = "\x00"
ESCAPED_NUL = "\\u0000"


def strip_nul(text: str) -> str:
    """`text` without NUL characters."""
    return text.replace(NUL, "") if NUL in text else text


def escape_nul(value: Any) -> Any:
    """A JSON-able value with each NUL in its strings (keys too) written as ``\\u0000``."""
    if isinstance(value, str):
        return value.replace(NUL, ESCAPED_NUL) if NUL in value else value
    if isinstance(value, Mapping):
        return {escape_nul(key): escape_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [escape_nul(item) for item in value]
    return value


def json_serializer(value: Any) -> str:
    """The engines' JSON encoder: json.dumps (SQLAlchemy's default) with NULs escaped."""
    return json.dumps(escape_nul(value))


def _clean_parameter(value: Any) -> Any:
    return strip_nul(value) if isinstance(value, str) else value


def clean_parameters(parameters: Any) -> Any:
    """DBAPI parameters (a dict, a tuple, or a list of them) with NULs dropped from strings."""
    if isinstance(parameters, Mapping):
        return {key: _clean_parameter(value) for key, value in parameters.items()}
    if isinstance(parameters, Sequence) and not isinstance(parameters, str | bytes):
        items = [
            clean_parameters(item)
            if isinstance(item, Mapping | list | tuple)
            else _clean_parameter(item)
            for item in parameters
        ]
        return items if isinstance(parameters, list) else tuple(items)
    return parameters


def _before_cursor_execute(
    _conn: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> tuple[str, Any]:
    return statement, clean_parameters(parameters)


def _strip_nul_before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        loaded = inspect(obj).dict  # only loaded attributes: never trigger a lazy load
        for key, value in list(loaded.items()):
            if isinstance(value, str) and NUL in value:
                setattr(obj, key, strip_nul(value))


def install(engine: Engine) -> None:
    """Clean every statement's string parameters on `engine`."""
    event.listen(engine, "before_cursor_execute", _before_cursor_execute, retval=True)


event.listen(Session, "before_flush", _strip_nul_before_flush)
