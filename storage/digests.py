"""The `digests` table as a ledger: claim a (list, period) before sending, so none goes twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.exc import IntegrityError

from storage.engine import transaction
from storage.models import Digest

# A 'pending' row this old was left by a process that died while sending: take it over.
STALE_PENDING = timedelta(hours=1)

ClaimStatus = Literal["claimed", "sent", "busy"]


@dataclass(frozen=True)
class Claim:
    status: ClaimStatus
    digest_id: int | None = None
    sent_at: datetime | None = None


def claim(
    engine: Engine,
    list_name: str,
    recipients: list[str],
    period: tuple[datetime, datetime],
    now: datetime,
    *,
    force: bool = False,
) -> Claim:
    """Insert a pending row for (list, [start, end)), or take over a failed or abandoned one
    (with `force`, a sent one too: it is sent again)."""
    start, end = period
    try:
        with transaction(engine) as session:
            row = Digest(
                list_name=list_name,
                recipients=", ".join(recipients),
                period_start=start,
                period_end=end,
                status="pending",
                created_at=now,
            )
            session.add(row)
            session.flush()
            return Claim("claimed", row.id)
    except IntegrityError:
        pass  # this list and period have a row already
    with transaction(engine) as session:
        existing = session.scalar(
            select(Digest).where(
                Digest.list_name == list_name,
                Digest.period_start == start,
                Digest.period_end == end,
            )
        )
        if existing is None:
            return Claim("busy")
        if existing.status == "sent" and not force:
            return Claim("sent", existing.id, existing.sent_at)
        if existing.status == "pending" and existing.created_at > now - STALE_PENDING:
            return Claim("busy", existing.id)
        result = session.execute(
            update(Digest)
            .where(
                Digest.id == existing.id,
                Digest.status == existing.status,
                Digest.attempts == existing.attempts,
            )
            .values(status="pending", recipients=", ".join(recipients))
        )
        taken = cast(CursorResult[Any], result).rowcount
        return Claim("claimed" if taken == 1 else "busy", existing.id)


def finish(
    engine: Engine, digest_id: int, *, ok: bool, attempts: int, error: str | None, now: datetime
) -> None:
    """Record a send: sent (with its time) or failed, adding this try's SMTP attempts."""
    with transaction(engine) as session:
        session.execute(
            update(Digest)
            .where(Digest.id == digest_id)
            .values(
                status="sent" if ok else "failed",
                attempts=Digest.attempts + attempts,
                error=error,
                sent_at=now if ok else None,
            )
        )


def lists_with_history(engine: Engine, names: list[str]) -> set[str]:
    """The lists that have had a digest before (so a missed one is worth catching up)."""
    with transaction(engine) as session:
        return set(
            session.scalars(select(Digest.list_name).where(Digest.list_name.in_(names)).distinct())
        )


def sent_lists(engine: Engine, names: list[str], period_end: datetime) -> set[str]:
    """The lists whose digest for the period ending at `period_end` was sent."""
    with transaction(engine) as session:
        return set(
            session.scalars(
                select(Digest.list_name).where(
                    Digest.list_name.in_(names),
                    Digest.period_end == period_end,
                    Digest.status == "sent",
                )
            )
        )


@dataclass(frozen=True)
class SentDigest:
    """A digest sent to a list: its period and when it went."""

    period_start: datetime
    period_end: datetime
    sent_at: datetime | None


def sent_overlapping(
    engine: Engine, list_name: str, period: tuple[datetime, datetime]
) -> list[SentDigest]:
    """The list's sent digests whose period overlaps [start, end), most overlap first: a range
    read on the (list_name, period_start, period_end) unique index."""
    start, end = period
    with transaction(engine) as session:
        rows = session.execute(
            select(Digest.period_start, Digest.period_end, Digest.sent_at).where(
                Digest.list_name == list_name,
                Digest.period_start < end,
                Digest.period_end > start,
                Digest.status == "sent",
            )
        ).all()
    found = [SentDigest(*row) for row in rows]
    return sorted(
        found, key=lambda d: min(end, d.period_end) - max(start, d.period_start), reverse=True
    )
