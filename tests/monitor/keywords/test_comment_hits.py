"""A comment's keyword hits are told apart (source kind `comment`), when it arrives and after a
rescan, and a group that stops searching posts drops them — both engines."""

from __future__ import annotations

from sqlalchemy import select

from monitor.keywords import match_posts, rescan_keywords
from storage.engine import transaction
from storage.models import KeywordHit
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config

THREATS = make_config(keywords={"threats": {"terms": ["burn"]}})


def _kinds(db: TestDatabase) -> list[tuple[str, int]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(KeywordHit.source_kind, KeywordHit.post_id).order_by(KeywordHit.post_id)
        )
        return [(kind, post_id) for kind, post_id in rows]


def test_comment_hits_keep_their_kind_through_a_rescan(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "PM"), "telegram", "pm")
        post = factories.post(session, owner, "we will burn the old laws", post_id="5")
        comment = factories.post(
            session, owner, "burn them all", post_id="5/c77", parent_post_id=post.id
        )
        assert match_posts(session, THREATS, [post.id, comment.id]) == 2
    assert _kinds(db) == [("post", post.id), ("comment", comment.id)]
    forced = rescan_keywords(THREATS, db.engine, force=True)
    assert (forced.hits.added, forced.hits.updated, forced.hits.removed) == (0, 0, 0)
    assert _kinds(db) == [("post", post.id), ("comment", comment.id)]
    transcripts_only = make_config(
        keywords={"threats": {"terms": ["burn"], "search_in": "transcripts"}}
    )
    rescan_keywords(transcripts_only, db.engine)
    assert _kinds(db) == []
