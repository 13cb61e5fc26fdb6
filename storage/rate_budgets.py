"""Request slots shared by every process and machine: one `rate_budgets` row per budget key.

A reservation is one atomic statement on both engines, `UPDATE … RETURNING`: the row's next
slot moves to max(next slot, now) + interval, and the caller sleeps until the slot it took.
"Now" is the database's clock, so machines whose clocks disagree still space their requests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, case, func, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.engine import transaction
from storage.models_rate import RateBudgetRow
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class Slot:
    """A reserved slot: when it starts and the database time of the reservation (epoch s)."""

    start: float
    now: float

    @property
    def wait(self) -> float:
        return max(0.0, self.start - self.now)


def _db_now(engine: Engine) -> Any:
    """The database's time in seconds since the epoch, as an SQL expression."""
    if engine.dialect.name == "postgresql":
        return func.extract("epoch", func.clock_timestamp())
    return (func.julianday("now") - 2440587.5) * 86400.0


def _ensure_row(engine: Engine, session: Any, key: str) -> None:
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(RateBudgetRow)
        .values(key=key, next_slot_at=0.0, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )


def reserve_slot(engine: Engine, key: str, interval: float) -> Slot:
    """Take `key`'s next slot; the following one comes `interval` seconds after it."""
    now = _db_now(engine)
    row = RateBudgetRow.__table__.c
    start = case((row.next_slot_at > now, row.next_slot_at), else_=now)
    with transaction(engine) as session:
        _ensure_row(engine, session, key)
        next_slot, at = session.execute(
            update(RateBudgetRow)
            .where(row.key == key)
            .values(next_slot_at=start + literal(float(interval)), updated_at=utcnow())
            .returning(row.next_slot_at, now)
        ).one()
    return Slot(start=float(next_slot) - interval, now=float(at))


def hold_off(engine: Engine, key: str, seconds: float) -> None:
    """No slot for `key` before `seconds` from now (a server's Retry-After)."""
    now = _db_now(engine)
    row = RateBudgetRow.__table__.c
    until = now + literal(float(seconds))
    with transaction(engine) as session:
        _ensure_row(engine, session, key)
        session.execute(
            update(RateBudgetRow)
            .where(row.key == key)
            .values(
                next_slot_at=case((row.next_slot_at > until, row.next_slot_at), else_=until),
                updated_at=utcnow(),
            )
        )


class DatabaseRateBudget:
    """A `collectors.http.RateBudget` every process sharing the database takes slots from."""

    def __init__(self, engine: Engine, on_slot: Callable[[str, Slot], None] | None = None) -> None:
        self.engine = engine
        self.on_slot = on_slot  # told of each slot taken (a log, a test's record)

    def reserve(self, key: str, interval: float) -> float:
        slot = reserve_slot(self.engine, key, interval)
        if self.on_slot is not None:
            self.on_slot(key, slot)
        return slot.wait

    def hold_off(self, key: str, seconds: float) -> None:
        hold_off(self.engine, key, seconds)
