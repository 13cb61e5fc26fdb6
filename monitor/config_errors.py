"""Config errors: one line naming the file and key, and pydantic's validation errors turned into
them (every problem of a file listed for `polmon config check`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collectors.errors import PolmonError
from monitor.config_sections import _KeyError


class ConfigError(PolmonError):
    """A config problem, rendered as one line naming the file and key.

    `problems` holds one such line for every problem found in the file (the first is this
    error's own), so that `polmon config check` can report them all at once.
    """

    expected = True
    exit_code = 2

    def __init__(
        self, source: Path | str, key: str | None, message: str, *, more: list[str] | None = None
    ) -> None:
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(f"config error in {where}{message}")
        self.source, self.key, self.reason = source, key, message
        self.problems: list[str] = [str(self), *(more or [])]

    def user_line(self) -> str:
        more = len(self.problems) - 1
        hint = f" (and {more} more: `polmon config check` lists them all)" if more else ""
        return f"{self}{hint}"


def to_config_error(exc: Any, source: Path | str) -> ConfigError:
    """The first validation error as a ConfigError that also lists every other one."""
    errors = [_one_error(error, source) for error in exc.errors()]
    first = errors[0]
    return ConfigError(source, first.key, first.reason, more=[str(e) for e in errors[1:]])


def _one_error(error: Any, source: Path | str) -> ConfigError:
    loc = [str(part) for part in error["loc"]]
    context = error.get("ctx") or {}
    original = context.get("error")
    if isinstance(original, _KeyError):
        return ConfigError(source, original.key, str(original))
    key = ".".join(loc) or None
    kind = error["type"]
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "literal_error":
        message = f"expected {context.get('expected')}, got {error.get('input')!r}"
    else:
        message = error["msg"].removeprefix("Value error, ")
        if "input" in error and not isinstance(error["input"], dict | list):
            message += f", got {error['input']!r}"
    return ConfigError(source, key, message)
