"""Logging: readable lines for a terminal or JSON lines for a server, with secrets redacted."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from storage.redaction import REDACTED, SECRET_ENV_VARS, redact, register_secret

if TYPE_CHECKING:
    from monitor.config import LoggingConfig

__all__ = [
    "REDACTED",
    "SECRET_ENV_VARS",
    "JsonLinesFormatter",
    "ReadableFormatter",
    "apply_config",
    "redact",
    "register_secret",
    "setup_logging",
]

# Chatty libraries kept at WARNING unless --verbose asks for debug.
QUIET_LOGGERS = (
    "alembic",
    "faster_whisper",
    "apscheduler",
    "httpcore",
    "httpx",
    "matplotlib",
    "telethon",
    "urllib3",
)
# Attributes every LogRecord has; anything else was passed with `extra=` and goes into JSON.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}

_lock = threading.Lock()
_handler: logging.Handler | None = None
_verbose = False


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


class ReadableFormatter(logging.Formatter):
    """`2024-05-02 07:00:01 INFO    polmon.digest: sent …` with tracebacks below, redacted."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time (UTC ISO), level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        # Redact before encoding: JSON escapes a secret's quotes and backslashes.
        return json.dumps(_redacted(entry), ensure_ascii=False, default=_redacted_str)


def _redacted_str(value: object) -> str:
    return redact(str(value))


def _redacted(value: object) -> object:
    """A JSON-able value with every string in it (keys too) redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {_redacted(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def setup_logging(
    *,
    level: str = "INFO",
    json_lines: bool = False,
    verbose: bool | None = None,
    stream: IO[str] | None = None,
) -> None:
    """Install polmon's one root handler (replacing the previous one: safe to call again)."""
    global _handler, _verbose
    if verbose is not None:
        _verbose = verbose
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    )
    handler.setFormatter(JsonLinesFormatter() if json_lines else ReadableFormatter())
    root = logging.getLogger()
    with _lock:
        if _handler is not None:
            root.removeHandler(_handler)
        _handler = handler
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if _verbose else getattr(logging, level))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if _verbose else logging.WARNING)


def apply_config(config: LoggingConfig) -> None:
    """Switch to the config's level and format once it is loaded (keeps --verbose)."""
    setup_logging(level=config.level, json_lines=config.json_lines)
