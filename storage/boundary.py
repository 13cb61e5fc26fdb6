"""What every value written to the database goes through: NULs dropped or escaped, alike on
SQLite and PostgreSQL.

PostgreSQL rejects U+0000 in text and JSONB; SQLite takes it and would make the two engines
store different things. Text columns lose their NULs (before the flush, so objects in the
session match the rows); JSON documents keep them as the six characters ``\\u0000``, so a raw
payload still shows where they were; Core statements' string parameters are cleaned last.
(Error columns also hide known secrets: storage.types.RedactedText.)
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


def clean_text(text: str) -> str:
    """`text` as stored: without NULs."""
    return strip_nul(text)


def escape_nul(value: Any) -> Any:
    """A JSON-able value with each NUL in its strings (keys too) written as ``\\u0000``."""
    if isinstance(value, str):
        return value.replace(NUL, ESCAPED_NUL) if NUL in value else value
    if isinstance(value, Mapping):
        return {escape_nul(key): escape_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [escape_nul(item) for item in value]
    return value


def clean_json(value: Any) -> Any:
    """A JSON-able value as stored: NULs escaped in its strings."""
    return escape_nul(value)


def json_serializer(value: Any) -> str:
    """The engines' JSON encoder: json.dumps (SQLAlchemy's default) of the cleaned value."""
    return json.dumps(clean_json(value))


def _clean_parameter(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def clean_parameters(parameters: Any) -> Any:
    """DBAPI parameters (a dict, a tuple, or a list of them) with their strings cleaned."""
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


def _clean_before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        loaded = inspect(obj).dict  # only loaded attributes: never trigger a lazy load
        for key, value in list(loaded.items()):
            if isinstance(value, str) and (cleaned := clean_text(value)) != value:
                setattr(obj, key, cleaned)


def install(engine: Engine) -> None:
    """Clean the string parameters of every statement run on `engine`."""
    event.listen(engine, "before_cursor_execute", _before_cursor_execute, retval=True)


event.listen(Session, "before_flush", _clean_before_flush)
