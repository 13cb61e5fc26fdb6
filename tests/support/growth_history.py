"""A hand-made audience history: a deleted Facebook page, Telegram with gaps and a jump, TikTok."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tests.support import factories

AS_OF = factories.T0 + timedelta(days=40)


def telegram_value(day: int) -> int:
    return 850_000 + 1_000 * day + (250_000 if day >= 30 else 0)


def build(session: Session) -> None:
    """Hun Sen on three platforms, as the tests in test_growth.py expect."""
    hun_sen = factories.actor(session, "Hun Sen")
    fb = factories.account(session, hun_sen, "facebook", "hunsencambodia", status="deleted")
    tg = factories.account(session, hun_sen, "telegram", "samdechhunsen")
    tt = factories.account(session, hun_sen, "tiktok", "@samdechhunsen")
    # Facebook: daily until day 10, then the page is deleted.
    factories.snapshots(session, fb, [(d, 14_000_000 - 10_000 * d) for d in range(11)])
    # Telegram: twice a day (the later capture is the day's value), no captures on days 15-19,
    # an approximate count on day 20, a jump of 250,000 on day 30.
    history: list[tuple[float, int | None, bool]] = []
    for d in range(41):
        if 15 <= d <= 19:
            continue
        if d:
            history.append((d - 0.25, telegram_value(d) - 5, False))
        history.append((d, telegram_value(d), d == 20))
    factories.snapshots(session, tg, history)
    # TikTok: approximate counts ("1.2M") every third day.
    factories.snapshots(
        session, tt, [(d, 1_200_000 + 10_000 * (d // 3), True) for d in range(0, 41, 3)]
    )
    # Telegram posts with views, for engagement.
    for index, views in enumerate([100, 200, 300, 400, 10_000]):
        published: datetime = AS_OF - timedelta(days=index + 1)
        factories.post(session, tg, f"post {index}", published_at=published, views=views)
