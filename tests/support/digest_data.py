"""A small monitored world written with the storage models, for the digest and scheduler tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from storage.engine import transaction
from storage.models import (
    Account,
    AccountEvent,
    Actor,
    AudienceSnapshot,
    CollectionRun,
    JobRun,
    KeywordHit,
    Media,
    Post,
    PostVersion,
)

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
        actors = {
            name: Actor(name=name, kind=kind)
            for name, kind in (
                ("Hun Sen", "person"),
                ("Hun Manet", "person"),
                ("Ministry", "organisation"),
            )
        }
        session.add_all(actors.values())
        session.flush()
        accounts = {
            key: Account(actor_id=actors[actor].id, platform=platform, handle=handle)
            for key, actor, platform, handle in (
                ("hs_tg", "Hun Sen", "telegram", "samdechhunsen"),
                ("hs_tt", "Hun Sen", "tiktok", "@samdechhunsen"),
                ("hm_tg", "Hun Manet", "telegram", "hunmanet"),
                ("moi_yt", "Ministry", "youtube", "@moi"),
            )
        }
        accounts["moi_yt"].last_collected_at = _h(50)
        session.add_all(accounts.values())
        session.flush()

        def post(key: str, account: str, hours: float, **fields: object) -> Post:
            row = Post(
                account_id=accounts[account].id,
                platform_post_id=key,
                url=f"https://t.me/{account}/{key}",
                published_at=_h(hours),
                first_seen_at=fields.pop("first_seen_at", _h(hours) + timedelta(minutes=5)),
                **fields,
            )
            session.add(row)
            return row

        posts = {
            "hostile": post("hostile", "hs_tg", 2, text=HOSTILE, views=5_000),
            "arrest": post("arrest", "hs_tg", 5, text="We will arrest the traitor.", views=12_000),
            "speech": post(
                "speech", "hs_tt", 3, kind="video", title="Speech at the rally", views=90_000
            ),
            "old": post("old", "hm_tg", 30, text="Yesterday's news about CNRP", views=999_999),
            "late": post("late", "hm_tg", 25, text="Posted late", first_seen_at=_h(23), views=7),
            "gone": post(
                "gone", "hm_tg", 10, text="A post that was deleted", deleted_at=_h(1), views=300
            ),
            "edited": post("edited", "hs_tg", 40, text="new text after the edit", views=40),
            "noviews": post("noviews", "moi_yt", 1, kind="video", title="Press briefing"),
        }
        posts["hostile"].url = HOSTILE_URL
        session.flush()
        session.add_all(
            [
                PostVersion(post_id=posts["edited"].id, text="old text before", seen_at=_h(40)),
                PostVersion(
                    post_id=posts["edited"].id, text="new text after the edit", seen_at=_h(4)
                ),
                PostVersion(post_id=posts["arrest"].id, text="We will arrest", seen_at=_h(5)),
                PostVersion(post_id=posts["hostile"].id, text="harmless first", seen_at=_h(2)),
                PostVersion(post_id=posts["hostile"].id, text=HOSTILE, seen_at=_h(1.5)),
            ]
        )

        def hit(group: str, term: str, key: str, source: str, **fields: object) -> KeywordHit:
            target = posts[key]
            fields.setdefault("link", target.url)
            return KeywordHit(
                group_name=group,
                term=term,
                source_key=f"{source}:{target.id}:{term}",
                source_kind=source,
                post_id=target.id,
                published_at=target.published_at,
                **fields,
            )

        session.add_all(
            [
                hit("threats", "arrest", "arrest", "post", snippet="We will arrest the traitor."),
                hit("threats", "traitor", "arrest", "post", snippet="We will arrest the traitor."),
                hit(
                    "threats",
                    "beat",
                    "speech",
                    "transcript",
                    snippet="and they will beat them all",
                    start_seconds=83.4,
                    link="https://www.tiktok.com/@samdechhunsen/video/speech?t=83",
                ),
                hit("threats", "traitor", "hostile", "post", snippet=HOSTILE),
                hit("opposition", "CNRP", "old", "post", snippet="news about CNRP"),
                hit("opposition", "CNRP", "late", "post", snippet="late CNRP", matched_at=_h(2)),
            ]
        )
        for hours, followers in ((8 * 24, 1000), (72, 1100), (36, 1150), (12, 1200), (1, 1250)):
            session.add(
                AudienceSnapshot(
                    account_id=accounts["hs_tg"].id, captured_at=_h(hours), followers=followers
                )
            )
        session.add(
            AudienceSnapshot(account_id=accounts["hm_tg"].id, captured_at=_h(2), followers=500)
        )
        session.add(
            AccountEvent(
                account_id=accounts["hm_tg"].id,
                kind="renamed",
                detail={"old_handle": "manet_old", "new_handle": "hunmanet"},
                detected_at=_h(6),
            )
        )
        session.add_all(
            [
                CollectionRun(account_id=accounts["hs_tg"].id, started_at=_h(2), status="ok"),
                CollectionRun(
                    account_id=accounts["hs_tt"].id,
                    started_at=_h(3),
                    status="failed",
                    error="FetchError: HTTP 429 from tiktok.com <b>",
                ),
                CollectionRun(
                    account_id=accounts["hm_tg"].id,
                    started_at=_h(5),
                    status="partial",
                    error="1 of 20 failed",
                ),
                JobRun(job_name="collect_video", started_at=_h(4), status="failed", error="boom"),
                JobRun(job_name="digest", started_at=_h(23), status="ok"),
            ]
        )
        media_rows = [
            Media(post_id=posts["speech"].id, position=0, kind="video", status="downloaded"),
            Media(post_id=posts["noviews"].id, position=0, kind="video", status="pending"),
            Media(post_id=posts["gone"].id, position=0, kind="video", status="failed"),
            Media(
                post_id=posts["hostile"].id,
                position=0,
                kind="video",
                status="transcribing",
                lease_owner="crashed-worker",
                lease_expires_at=_h(0.5),
            ),
        ]
        session.add_all(media_rows)
    return World(
        accounts={key: row.id for key, row in accounts.items()},
        posts={key: row.id for key, row in posts.items()},
    )
