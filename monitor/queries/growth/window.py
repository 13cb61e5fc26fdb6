"""Growth inside a window from audience_snapshots: first and last capture, last capture per hour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from monitor.queries.growth.data import METRICS, Capture, Metric, captures_by_id, chunks
from storage.models import Account, AudienceSnapshot


@dataclass(frozen=True, slots=True)
class WindowEnds:
    """An account's first and last capture (of one metric) inside a window."""

    first: Capture
    last: Capture


def window_ends(
    session: Session, ids: Sequence[int], since: datetime, until: datetime, metric: Metric
) -> dict[int, WindowEnds]:
    """Per account with a non-null capture in `since <= t <= until`: the first and the last.

    One statement per 500 accounts: two correlated subqueries per account, each an index seek
    on audience_snapshots (account_id, captured_at) from one end of the window, then one read
    of the snapshots found.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    column = getattr(AudienceSnapshot, metric)

    def end(descending: bool) -> Any:
        order = AudienceSnapshot.captured_at.desc() if descending else AudienceSnapshot.captured_at
        tie = AudienceSnapshot.id.desc() if descending else AudienceSnapshot.id
        return (
            select(AudienceSnapshot.id)
            .where(
                AudienceSnapshot.account_id == Account.id,
                AudienceSnapshot.captured_at >= since,
                AudienceSnapshot.captured_at <= until,
                column.is_not(None),
            )
            .order_by(order, tie)
            .limit(1)
            .correlate(Account)
            .scalar_subquery()
        )

    picked: dict[int, tuple[int, int]] = {}
    for chunk in chunks(list(ids)):
        stmt = select(Account.id, end(False), end(True)).where(Account.id.in_(chunk))
        for account_id, first_id, last_id in session.execute(stmt):
            if first_id is not None and last_id is not None:
                picked[account_id] = (first_id, last_id)
    captures = captures_by_id(session, {sid for pair in picked.values() for sid in pair}, metric)
    return {
        account_id: WindowEnds(captures[first], captures[last])
        for account_id, (first, last) in picked.items()
    }


def _hour(value: Any) -> datetime:
    """An hour start from either engine: a naive UTC datetime (PostgreSQL) or ISO text (SQLite)."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def hourly_values(
    session: Session,
    ids: Sequence[int],
    since: datetime,
    until: datetime,
    metric: Metric,
) -> dict[int, dict[datetime, tuple[int, bool]]]:
    """Per account: UTC hour start -> (its last non-null capture in that hour, approximate),
    for captures in `since <= t <= until`.

    An index range read on audience_snapshots (account_id, captured_at) per account; the
    last capture per hour is picked in SQL (PostgreSQL: DISTINCT ON; SQLite: the bare columns
    of the row holding max(captured_at)).
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    column = getattr(AudienceSnapshot, metric)
    out: dict[int, dict[datetime, tuple[int, bool]]] = {account_id: {} for account_id in ids}
    postgres = session.get_bind().dialect.name == "postgresql"
    for chunk in chunks(list(ids)):
        where = (
            AudienceSnapshot.account_id.in_(chunk),
            AudienceSnapshot.captured_at >= since,
            AudienceSnapshot.captured_at <= until,
            column.is_not(None),
        )
        if postgres:
            hour = func.date_trunc("hour", func.timezone("UTC", AudienceSnapshot.captured_at))
            stmt = (
                select(AudienceSnapshot.account_id, hour, column, AudienceSnapshot.is_approximate)
                .where(*where)
                .ext(distinct_on(AudienceSnapshot.account_id, hour))
                .order_by(
                    AudienceSnapshot.account_id,
                    hour,
                    AudienceSnapshot.captured_at.desc(),
                    AudienceSnapshot.id.desc(),
                )
            )
        else:
            hour = func.strftime("%Y-%m-%d %H:00:00", AudienceSnapshot.captured_at)
            stmt = (
                select(
                    AudienceSnapshot.account_id,
                    hour,
                    column,
                    AudienceSnapshot.is_approximate,
                    func.max(AudienceSnapshot.captured_at),
                )
                .where(*where)
                .group_by(AudienceSnapshot.account_id, hour)
            )
        for row in session.execute(stmt):
            out[row[0]][_hour(row[1])] = (row[2], bool(row[3]))
    return out
