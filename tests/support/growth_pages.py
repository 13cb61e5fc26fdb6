"""Data for the web growth pages' tests: growth_history's Hun Sen, a hostile actor, Kem Sokha."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Account, Actor
from tests.support import factories, growth_history
from tests.support.growth_history import AS_OF

HOSTILE_TITLE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
T0 = factories.T0
UNTIL = AS_OF.date().isoformat()  # the overview's ?until= for this history


@dataclass(frozen=True)
class GrowthPages:
    hun_sen: int
    facebook: int
    telegram: int
    kem_sokha: int
    kem_sokha_telegram: int
    hostile: int
    hostile_youtube: int


def build(session: Session) -> GrowthPages:
    """Hun Sen (growth_history: a deleted Facebook page, Telegram's jump, TikTok), Kem Sokha
    (KH, hourly captures in the last two days, a rename, failing collection runs) and an actor
    whose name and account title are hostile markup (TH, YouTube)."""
    growth_history.build(session)
    hun_sen = session.scalars(select(Actor).where(Actor.name == "Hun Sen")).one()
    fb = _account(session, "facebook", "hunsencambodia")
    tg = _account(session, "telegram", "samdechhunsen")
    fb.last_collected_at = T0 + timedelta(days=10)
    tg.last_collected_at = AS_OF
    factories.event(session, fb, "deleted", T0 + timedelta(days=10, hours=12))

    kem = factories.actor(session, "Kem Sokha", country="KH")
    kem_tg = factories.account(
        session,
        kem,
        "telegram",
        "kemsokha",
        display_name="Kem Sokha official",
        last_collected_at=AS_OF,
    )
    factories.snapshots(session, kem_tg, [(d, 50_000 + 100 * d) for d in range(38)])
    # Hourly in the last two days: 54,000 rising by 10 an hour.
    factories.snapshots(
        session,
        kem_tg,
        [(38 + h / 24, 54_000 + 10 * h) for h in range(48)],
    )
    factories.event(
        session,
        kem_tg,
        "renamed",
        T0 + timedelta(days=20),
        old="Kem Sokha",
        new="Kem Sokha official",
    )
    factories.post(session, kem_tg, "Kem Sokha's first post", published_at=T0, views=900)
    factories.collection_run(session, kem_tg, T0 + timedelta(days=38), "ok", new_posts=3)
    for hours in (1, 2):
        factories.collection_run(
            session,
            kem_tg,
            T0 + timedelta(days=39, hours=hours),
            "failed",
            error="HTTP 429 from t.me",
        )
    factories.job_run(
        session,
        "collect",
        "failed",
        started_at=AS_OF - timedelta(hours=1),
        error="2 accounts failed",
    )
    factories.job_run(session, "collect", "ok", started_at=AS_OF - timedelta(hours=2))

    hostile = factories.actor(session, HOSTILE_TITLE, country="TH")
    hostile_yt = factories.account(
        session, hostile, "youtube", "hostile", display_name=HOSTILE_TITLE
    )
    factories.snapshots(session, hostile_yt, [(d, 7_000 + d) for d in range(41)])
    video = factories.post(session, hostile_yt, HOSTILE_TITLE, published_at=AS_OF, views=7)
    factories.media(
        session, video, status="done", local_path="ab/cd.mp4", size_bytes=3 * 1024 * 1024
    )
    return GrowthPages(hun_sen.id, fb.id, tg.id, kem.id, kem_tg.id, hostile.id, hostile_yt.id)


def _account(session: Session, platform: str, handle: str) -> Account:
    return session.scalars(
        select(Account).where(Account.platform == platform, Account.handle == handle)
    ).one()
