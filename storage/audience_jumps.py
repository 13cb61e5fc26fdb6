"""Audience jumps found as a snapshot is written: a `growth_jump` outbox event beside it.

The definition is growth's day-over-day jump (`monitor/queries/growth/rollup.py` `jumps`,
flagged by `monitor/growth/flags.py`): the followers of a UTC day against the last value of an
earlier day, changed by at least `percent` % and at least `min_change`. The caller passes the
thresholds (`[growth] jump_threshold_percent`, `jump_min_change`); storage never reads config.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.alerts import record_events
from storage.models import Account, AudienceSnapshot

METRIC = "followers"  # the audience count every platform reports (subscribers on Telegram)


@dataclass(frozen=True)
class JumpThreshold:
    """A change worth an alert: at least `percent` % of the earlier value and `min_change`."""

    percent: float
    min_change: int

    def crossed(self, previous: int, value: int) -> bool:
        """The same test as growth's SQL: previous > 0, |change| ≥ min_change and percent."""
        change = abs(value - previous)
        if previous <= 0 or change < self.min_change:
            return False
        return change * 100.0 >= previous * self.percent


@dataclass(frozen=True)
class Baseline:
    """The last followers count of an earlier day, and when it was captured."""

    value: int
    captured_at: datetime


def day_start(moment: datetime) -> datetime:
    """Midnight UTC of `moment`'s day (audience_daily's days are UTC days)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def baseline(session: Session, account_id: int, now: datetime) -> Baseline | None:
    """The followers of the latest snapshot before `now`'s UTC day (the rollup's previous
    day); an index seek on (account_id, captured_at)."""
    row = session.execute(
        select(AudienceSnapshot.followers, AudienceSnapshot.captured_at)
        .where(
            AudienceSnapshot.account_id == account_id,
            AudienceSnapshot.captured_at < day_start(now),
            AudienceSnapshot.followers.is_not(None),
        )
        .order_by(AudienceSnapshot.captured_at.desc(), AudienceSnapshot.id.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None:
        return None
    return Baseline(row[0], row[1])


def record_jump(
    session: Session,
    account_id: int,
    before: Baseline | None,
    value: int | None,
    *,
    approximate: bool,
    now: datetime,
    threshold: JumpThreshold,
) -> bool:
    """A `growth_jump` event when `value` (captured `now`) crossed `threshold` against
    `before`; one per account, UTC day and direction, so a pass run again writes none."""
    if before is None or value is None or not threshold.crossed(before.value, value):
        return False
    direction = "jump" if value > before.value else "drop"
    day = day_start(now).date().isoformat()
    actor_id = session.scalar(select(Account.actor_id).where(Account.id == account_id))
    payload: dict[str, Any] = {
        "metric": METRIC,
        "direction": direction,
        "from": before.value,
        "to": value,
        "change": value - before.value,
        "percent": round((value - before.value) * 100.0 / before.value, 2),
        "approximate": approximate,
        "period": {"from": before.captured_at.isoformat(), "to": now.isoformat()},
    }
    record_events(
        session,
        [
            {
                "event_key": f"growth_jump:{account_id}:{METRIC}:{day}:{direction}",
                "kind": "growth_jump",
                "occurred_at": now,
                "detected_at": now,
                "actor_id": actor_id,
                "account_id": account_id,
                "post_id": None,
                "payload": payload,
            }
        ],
    )
    return True
