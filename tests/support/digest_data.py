"""A small monitored world written with the storage models, for the digest and scheduler tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from storage.engine import transaction
from storage.models import Post
from tests.support import factories

# The end of the digest period the data is built around (07:00 in Phnom Penh).
NOW = datetime(2024, 5, 2, 0, 0, tzinfo=UTC)
HOSTILE = (
    "<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script>"
    "<img src=x onerror=\"document.title='PWNED'\"> <b>unclosed <a href='javascript:alert(1)'>"
    'click</a> </div></table><!-- & "quotes"'
)
HOSTILE_URL = "javascript:alert(document.cookie)"

CONFIG_BODY = """
[schedule]
timezone = "Asia/Phnom_Penh"

[[actors]]
name = "Hun Sen"
[[actors.accounts]]
platform = "telegram"
handle = "samdechhunsen"
[[actors.accounts]]
platform = "tiktok"
handle = "@samdechhunsen"

[[actors]]
name = "Hun Manet"
[[actors.accounts]]
platform = "telegram"
handle = "hunmanet"

[[actors]]
name = "Ministry"
kind = "organisation"
[[actors.accounts]]
platform = "youtube"
handle = "@moi"

[keywords.threats]
terms = ["arrest", "traitor", "beat"]

[keywords.opposition]
terms = ["CNRP"]
"""


@dataclass
class World:
    """Ids of what `populate` wrote, for assertions."""

    accounts: dict[str, int]
    posts: dict[str, int]


def _h(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def populate(engine: Engine) -> World:
    """Actors, accounts, posts (one hostile), hits, edits, a deletion, snapshots, failures."""
    with transaction(engine) as session:
        hun_sen = factories.actor(session, "Hun Sen")
        hun_manet = factories.actor(session, "Hun Manet")
        ministry = factories.actor(session, "Ministry", kind="organisation")
        accounts = {
            "hs_tg": factories.account(session, hun_sen, "telegram", "samdechhunsen"),
            "hs_tt": factories.account(session, hun_sen, "tiktok", "@samdechhunsen"),
            "hm_tg": factories.account(session, hun_manet, "telegram", "hunmanet"),
            "moi_yt": factories.account(
                session, ministry, "youtube", "@moi", last_collected_at=_h(50)
            ),
        }

        def post(
            key: str, account: str, hours: float, text: str | None = None, **fields: Any
        ) -> Post:
            fields.setdefault("first_seen_at", _h(hours) + timedelta(minutes=5))
            fields.setdefault("url", f"https://t.me/{account}/{key}")
            return factories.post(
                session, accounts[account], text, post_id=key, published_at=_h(hours), **fields
            )

        posts = {
            "hostile": post("hostile", "hs_tg", 2, HOSTILE, views=5_000, url=HOSTILE_URL),
            "arrest": post("arrest", "hs_tg", 5, "We will arrest the traitor.", views=12_000),
            "speech": post(
                "speech", "hs_tt", 3, kind="video", title="Speech at the rally", views=90_000
            ),
            "old": post("old", "hm_tg", 30, "Yesterday's news about CNRP", views=999_999),
            "late": post("late", "hm_tg", 25, "Posted late", first_seen_at=_h(23), views=7),
            "gone": post(
                "gone", "hm_tg", 10, "A post that was deleted", deleted_at=_h(1), views=300
            ),
            "edited": post("edited", "hs_tg", 40, "new text after the edit", views=40),
            "noviews": post("noviews", "moi_yt", 1, kind="video", title="Press briefing"),
        }
        factories.version(session, posts["edited"], "old text before", _h(40))
        factories.version(session, posts["edited"], "new text after the edit", _h(4))
        factories.version(session, posts["arrest"], "We will arrest", _h(5))
        factories.version(session, posts["hostile"], "harmless first", _h(2))
        factories.version(session, posts["hostile"], HOSTILE, _h(1.5))

        def hit(group: str, term: str, key: str, source: str, **fields: Any) -> None:
            factories.hit(session, posts[key], group, term, source, **fields)

        hit("threats", "arrest", "arrest", "post", snippet="We will arrest the traitor.")
        hit("threats", "traitor", "arrest", "post", snippet="We will arrest the traitor.")
        hit(
            "threats",
            "beat",
            "speech",
            "transcript",
            snippet="and they will beat them all",
            start_seconds=83.4,
            link="https://www.tiktok.com/@samdechhunsen/video/speech?t=83",
        )
        hit("threats", "traitor", "hostile", "post", snippet=HOSTILE)
        hit("opposition", "CNRP", "old", "post", snippet="news about CNRP")
        hit("opposition", "CNRP", "late", "post", snippet="late CNRP", matched_at=_h(2))
        for hours, followers in ((8 * 24, 1000), (72, 1100), (36, 1150), (12, 1200), (1, 1250)):
            factories.snapshots(session, accounts["hs_tg"], [(0, followers)], start=_h(hours))
        factories.snapshots(session, accounts["hm_tg"], [(0, 500)], start=_h(2))
        factories.event(
            session,
            accounts["hm_tg"],
            "renamed",
            _h(6),
            old_handle="manet_old",
            new_handle="hunmanet",
        )
        factories.collection_run(session, accounts["hs_tg"], _h(2), "ok")
        factories.collection_run(
            session,
            accounts["hs_tt"],
            _h(3),
            "failed",
            error="FetchError: HTTP 429 from tiktok.com <b>",
        )
        factories.collection_run(
            session, accounts["hm_tg"], _h(5), "partial", error="1 of 20 failed"
        )
        factories.job_run(session, "collect_video", "failed", started_at=_h(4), error="boom")
        factories.job_run(session, "digest", "ok", started_at=_h(23))
        factories.media(session, posts["speech"], status="downloaded")
        factories.media(session, posts["noviews"], status="pending")
        factories.media(session, posts["gone"], status="failed")
        factories.media(
            session,
            posts["hostile"],
            status="transcribing",
            lease_owner="crashed-worker",
            lease_expires_at=_h(0.5),
        )
    return World(
        accounts={key: row.id for key, row in accounts.items()},
        posts={key: row.id for key, row in posts.items()},
    )
