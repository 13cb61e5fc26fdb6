"""`--since`/`--until` values: a date, an ISO time, or a relative age such as 7d, 12h, 2w."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from storage.types import utcnow

_RELATIVE = re.compile(r"^(\d+)\s*([hdwm])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_when(value: str, *, now: datetime | None = None) -> datetime:
    """A UTC time from `2025-03-01`, `2025-03-01T08:00+07:00` or `7d` (ago; h, d, w, m=30d)."""
    text = value.strip()
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        step = timedelta(days=30) if unit == "m" else _UNITS[unit]
        return (now or utcnow()) - amount * step
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (2025-03-01), a time or an age (7d)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class When(click.ParamType):
    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return parse_when(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


WHEN = When()


def since_option(help_text: str = "Only from this time (2025-03-01, ISO time, or 7d ago).") -> Any:
    return click.option("--since", type=WHEN, default=None, help=help_text)


def until_option(help_text: str = "Only before this time (same forms as --since).") -> Any:
    return click.option("--until", type=WHEN, default=None, help=help_text)
