"""growth_jump outbox events written with the snapshot that shows the jump (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from collectors.records import AccountProfile
from monitor.config_sections import GrowthConfig
from monitor.queries.growth import rollup
from storage.accounts import apply_profile
from storage.audience_jumps import JumpThreshold
from storage.engine import transaction
from storage.models import AlertEvent
from tests.conftest import TestDatabase
from tests.support import factories

DAY0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
DEFAULT = GrowthConfig().jump()  # 20 % and at least 1000


def _account(db: TestDatabase) -> tuple[int, int]:
    with transaction(db.engine) as session:
        owner = factories.actor(session, "PM")
        return factories.account(session, owner, handle="pm").id, owner.id


def _capture(
    db: TestDatabase,
    account_id: int,
    followers: int | None,
    at: datetime,
    jump: JumpThreshold | None = DEFAULT,
    **profile: Any,
) -> None:
    with transaction(db.engine) as session:
        apply_profile(
            session,
            account_id,
            AccountProfile(followers=followers, **profile),
            at,
            "telegram",
            jump=jump,
        )


def _payload(event: AlertEvent) -> dict[str, Any]:
    assert event.payload is not None
    return event.payload


def _events(db: TestDatabase) -> list[AlertEvent]:
    with transaction(db.engine) as session:
        events = list(session.scalars(select(AlertEvent).order_by(AlertEvent.id)))
        session.expunge_all()
        return events


def test_a_jump_against_the_previous_day_is_one_event_with_its_figures(db: TestDatabase) -> None:
    account_id, actor_id = _account(db)
    _capture(db, account_id, 10_000, DAY0)
    _capture(db, account_id, 10_400, DAY0 + timedelta(hours=6))  # the day's last value
    assert _events(db) == []  # the first day has nothing to compare with
    day1 = DAY0 + timedelta(days=1)
    _capture(db, account_id, 12_480, day1, is_approximate=True)  # +20 % of 10,400, +2080
    _capture(db, account_id, 12_600, day1 + timedelta(hours=2))  # a pass run again: no more
    [event] = _events(db)
    assert (event.kind, event.account_id, event.actor_id, event.post_id) == (
        "growth_jump",
        account_id,
        actor_id,
        None,
    )
    assert event.event_key == f"growth_jump:{account_id}:followers:2026-05-02:jump"
    assert (event.occurred_at, event.detected_at) == (day1, day1)
    assert event.payload == {
        "metric": "followers",
        "direction": "jump",
        "from": 10_400,
        "to": 12_480,
        "change": 2_080,
        "percent": 20.0,
        "approximate": True,
        "period": {
            "from": (DAY0 + timedelta(hours=6)).isoformat(),
            "to": day1.isoformat(),
        },
    }


def test_small_changes_same_day_changes_and_no_threshold_alert_nothing(db: TestDatabase) -> None:
    account_id, _ = _account(db)
    _capture(db, account_id, 100, DAY0)
    _capture(db, account_id, 900, DAY0 + timedelta(hours=1))  # same day: no earlier day
    _capture(db, account_id, 1_800, DAY0 + timedelta(days=1))  # +100 %, but only +900
    _capture(db, account_id, 10_000, DAY0 + timedelta(days=2))  # +456 %: jump
    _capture(db, account_id, 11_999, DAY0 + timedelta(days=3))  # +19.99 %: no jump
    _capture(db, account_id, None, DAY0 + timedelta(days=4), display_name="PM")  # no count
    _capture(db, account_id, 50_000, DAY0 + timedelta(days=5), jump=None)  # not asked
    assert [_payload(event)["to"] for event in _events(db)] == [10_000]


def test_a_drop_is_its_own_event(db: TestDatabase) -> None:
    account_id, _ = _account(db)
    _capture(db, account_id, 50_000, DAY0)
    day1 = DAY0 + timedelta(days=1)
    _capture(db, account_id, 80_000, day1)
    _capture(db, account_id, 20_000, day1 + timedelta(hours=3))  # same day, now down 60 %
    events = _events(db)
    assert [(_payload(e)["direction"], _payload(e)["percent"]) for e in events] == [
        ("jump", 60.0),
        ("drop", -60.0),
    ]
    assert events[1].event_key.endswith(":2026-05-02:drop")


def test_the_alerted_days_are_the_days_growth_flags(db: TestDatabase) -> None:
    """One capture a day: the events fall on exactly the days the growth report flags, with
    the same figures (growth reads the daily rollup; the alert compares as it is written)."""
    account_id, _ = _account(db)
    series = [10_000, 10_500, 13_000, 13_100, 9_000, 9_500, 9_600, 30_000, 29_000, 200]
    for day, followers in enumerate(series):
        _capture(db, account_id, followers, DAY0 + timedelta(days=day))
    alerted = [
        (event.event_key.split(":")[3], _payload(event)["from"], _payload(event)["to"])
        for event in _events(db)
    ]
    with transaction(db.engine) as session:
        flagged = rollup.jumps(
            session,
            [account_id],
            DAY0.date(),
            (DAY0 + timedelta(days=len(series))).date(),
            "followers",
            threshold_percent=DEFAULT.percent,
            min_change=DEFAULT.min_change,
        )
    assert alerted == [(j["day"].isoformat(), j["previous"], j["value"]) for j in flagged]
    assert [to for _, _, to in alerted] == [13_000, 9_000, 30_000, 200]
