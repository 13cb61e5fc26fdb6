"""A hand-made history for growth inside a day: two passes an hour apart, two passes a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from storage.models import Account
from tests.support import factories

DAY0 = datetime(2025, 3, 1, tzinfo=UTC)  # midnight UTC
# Kem Sokha's channel: collected twice, an hour apart, on DAY0.
HOUR_PASSES = ((DAY0 + timedelta(hours=10), 850_000), (DAY0 + timedelta(hours=11), 862_500))
# Sam Rainsy's channel: two passes a day (08:00 and 20:00) on days 0-3, 100,000 + 2,000 a day
# in the morning and +500 by the evening; day 3 has a third capture at 20:45 (106,800).
# His YouTube account is first captured on day 2 at 08:00 (5,000), last on day 3 at 20:00.
TWICE_A_DAY = [
    (DAY0 + timedelta(days=d, hours=h), 100_000 + 2_000 * d + (500 if h == 20 else 0))
    for d in range(4)
    for h in (8, 20)
] + [(DAY0 + timedelta(days=3, hours=20, minutes=45), 106_800)]
YOUTUBE = [
    (DAY0 + timedelta(days=2, hours=8), 5_000),
    (DAY0 + timedelta(days=3, hours=20), 5_400),
]


@dataclass(frozen=True)
class WindowWorld:
    kem_sokha: int
    sam_rainsy: int
    kem_channel: int
    sam_channel: int
    sam_youtube: int


def _captures(session: Session, owner: Account, values: list[tuple[datetime, int]]) -> None:
    for when, followers in values:
        factories.snapshots(session, owner, [(0, followers)], start=when)


def build(session: Session) -> WindowWorld:
    """Kem Sokha (one Telegram channel) and Sam Rainsy (Telegram and YouTube)."""
    kem = factories.actor(session, "Kem Sokha")
    kem_channel = factories.account(session, kem, "telegram", "kemsokha")
    _captures(session, kem_channel, list(HOUR_PASSES))
    sam = factories.actor(session, "Sam Rainsy")
    sam_channel = factories.account(session, sam, "telegram", "samrainsy")
    sam_youtube = factories.account(session, sam, "youtube", "@samrainsy")
    _captures(session, sam_channel, TWICE_A_DAY)
    _captures(session, sam_youtube, YOUTUBE)
    return WindowWorld(kem.id, sam.id, kem_channel.id, sam_channel.id, sam_youtube.id)
