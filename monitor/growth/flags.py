"""Flags analysts act on: sudden jumps and drops, ended accounts, platform migrations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.queries.growth.data import AccountInfo, Capture


def jump_flag(row: dict[str, Any]) -> dict[str, Any]:
    """A day-over-day jump (or drop) from a `data.jumps` row."""
    previous, value = row["previous"], row["value"]
    return {
        "kind": "jump" if value > previous else "drop",
        "day": row["day"],
        "previous_day": row["previous_day"],
        "from": previous,
        "to": value,
        "percent": round((value - previous) * 100.0 / previous, 2),
    }


def status_flag(account: AccountInfo, last: Capture | None) -> dict[str, Any] | None:
    """An account deleted, gone private or unavailable, with the last count seen."""
    if not account.ended:
        return None
    return {
        "kind": account.status,
        "last_count": last.value if last else None,
        "last_captured_at": last.captured_at if last else None,
    }


@dataclass(frozen=True, slots=True)
class WindowChange:
    """How one account moved over the period shown."""

    account: AccountInfo
    percent: float | None
    last_captured_at: datetime | None


def migration_flags(
    changes: Sequence[WindowChange], *, threshold_percent: float, since: datetime
) -> list[dict[str, Any]]:
    """One account of an actor falling (or ending) while one on another platform rises."""
    falling = [
        c
        for c in changes
        if (c.percent is not None and c.percent <= -threshold_percent)
        or (c.account.ended and c.last_captured_at is not None and c.last_captured_at >= since)
    ]
    rising = [c for c in changes if c.percent is not None and c.percent >= threshold_percent]
    return [
        {
            "kind": "migration",
            "from": down.account.label,
            "to": up.account.label,
            "from_change_percent": down.percent,
            "to_change_percent": up.percent,
        }
        for down in falling
        for up in rising
        if up.account.platform != down.account.platform
    ]
