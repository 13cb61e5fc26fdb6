"""A post's `javascript:` (or any non-web) link is kept in raw, never stored as a link field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from collectors.records import AccountProfile, MediaItem, PostRecord
from storage.engine import transaction
from storage.ingest import ingest_posts
from storage.models import Account, Actor, Media, Post
from tests.conftest import TestDatabase, invoke, write_config

HOSTILE = "javascript:alert(document.cookie)"


def test_non_web_links_stay_in_raw_only(db: TestDatabase, tmp_path: Path) -> None:
    now = datetime.now(UTC) - timedelta(hours=1)
    record = PostRecord(
        platform_post_id="1",
        published_at=now,
        url=" JaVaScRiPt:alert(1)",
        text="click me",
        media=[MediaItem(kind="video", source_url="data:text/html,<script>", position=0)],
        raw={"id": 1},
    )
    record.forwarded_from_url = HOSTILE  # collectors fill fields after construction too
    with transaction(db.engine) as session:
        actor = Actor(name="Someone")
        account = Account(actor=actor, platform="telegram", handle="someone")
        session.add_all([actor, account])
        session.flush()
        ingest_posts(session, account.id, [record], now)
    with transaction(db.engine) as session:
        post = session.scalars(select(Post)).one()
        media = session.scalars(select(Media)).one()
    assert (post.url, post.forwarded_from_url, media.source_url) == (None, None, None)
    assert post.raw == {
        "id": 1,
        "rejected_links": {
            "url": " JaVaScRiPt:alert(1)",
            "forwarded_from_url": HOSTILE,
            "media.0.source_url": "data:text/html,<script>",
        },
    }
    result = invoke(write_config(tmp_path, db), "posts", "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["url"] is None
    assert "javascript" not in result.output.lower()


def test_profile_links_must_be_web_links() -> None:
    profile = AccountProfile(url="https://t.me/x", avatar_url="javascript:void(0)")
    profile.reject_unsafe_links()
    assert (profile.url, profile.avatar_url) == ("https://t.me/x", None)
    assert profile.raw == {"rejected_links": {"avatar_url": "javascript:void(0)"}}
