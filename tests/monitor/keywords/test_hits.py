"""Keyword hits in the database: posts, edits, transcripts, duplicates, rescans — both engines."""

from __future__ import annotations

from sqlalchemy import select, update

from monitor.keywords import match_posts, match_transcript, rescan_keywords
from storage.engine import transaction
from storage.models import KeywordHit, Media, Post
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config

THREATS = make_config(
    keywords={
        "threats": {"terms": ["arrest", "ចាប់ខ្លួន", "traitor"], "exclude": ["beat the heat"]},
        "parties": {"terms": ["CNRP"], "search_in": "posts"},
    }
)


def hits(db: TestDatabase) -> list[tuple[str, str, str]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(KeywordHit.group_name, KeywordHit.term, KeywordHit.source_key).order_by(
                KeywordHit.source_key, KeywordHit.group_name, KeywordHit.term
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_match_posts_stores_hits_once_and_rematches_edits(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Hun Sen"), "telegram", "hs")
        first = factories.post(session, owner, "They will arrest the CNRP traitor. Arrest!")
        second = factories.post(session, owner, "ប៉ូលិស\u200bនឹង\u200bចាប់\u200bខ្លួន")
        quiet = factories.post(session, owner, "Nothing to see")
        ids = [first.id, second.id, quiet.id]
        assert match_posts(session, THREATS, ids) == 4
    assert hits(db) == [
        ("parties", "CNRP", f"post:{first.id}"),
        ("threats", "arrest", f"post:{first.id}"),
        ("threats", "traitor", f"post:{first.id}"),
        ("threats", "ចាប់ខ្លួន", f"post:{second.id}"),
    ]
    with transaction(db.engine) as session:
        stored = session.scalars(select(KeywordHit).where(KeywordHit.term == "arrest")).one()
        assert stored.char_offset == 10
        assert stored.snippet == "They will arrest the CNRP traitor. Arrest!"
        assert stored.link == first.url and stored.published_at == factories.T0
        assert stored.source_kind == "post" and stored.start_seconds is None
        matched_at = stored.matched_at
    with transaction(db.engine) as session:  # idempotent: nothing new, nothing touched
        assert match_posts(session, THREATS, ids) == 0
        again = session.scalars(select(KeywordHit).where(KeywordHit.term == "arrest")).one()
        assert again.matched_at == matched_at
    with transaction(db.engine) as session:  # the post is edited
        session.execute(
            update(Post).where(Post.id == first.id).values(text="Beat the heat, CNRP traitor")
        )
        assert match_posts(session, THREATS, [first.id]) == 0
    assert hits(db) == [
        ("parties", "CNRP", f"post:{first.id}"),
        ("threats", "ចាប់ខ្លួន", f"post:{second.id}"),
    ]


def test_transcript_hits_skip_hallucinations_and_link_to_the_second(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "youtube", "@a")
        video = factories.post(
            session, owner, None, url="https://www.youtube.com/watch?v=abc", kind="video"
        )
        transcript = factories.transcript(
            session,
            video,
            [
                (0.0, "Welcome everyone"),
                (12.7, "we will arrest the traitor"),
                (30.0, "arrest arrest arrest CNRP", True),  # flagged hallucination
            ],
        )
        assert match_transcript(session, THREATS, transcript.id) == 2
        rows = session.scalars(select(KeywordHit).order_by(KeywordHit.term)).all()
    assert [(r.term, r.start_seconds, r.link) for r in rows] == [
        ("arrest", 12.7, "https://www.youtube.com/watch?v=abc&t=12s"),
        ("traitor", 12.7, "https://www.youtube.com/watch?v=abc&t=12s"),
    ]
    assert all(r.source_kind == "transcript" and r.post_id == video.id for r in rows)
    assert "CNRP" not in {r.term for r in rows}  # parties searches posts only


def test_transcript_of_duplicated_media_belongs_to_its_own_post(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "telegram", "chan")
        original = factories.post(session, owner, None, kind="video")
        repost = factories.post(session, owner, None, kind="video")
        transcript = factories.transcript(session, original, [(61.0, "arrest them")])
        media = session.scalars(select(Media).where(Media.post_id == original.id)).one()
        factories.media(session, repost, status="skipped", duplicate_of_id=media.id)
        match_transcript(session, THREATS, transcript.id)
        hit = session.scalars(select(KeywordHit)).one()
    assert hit.post_id == original.id
    assert hit.link == f"{original.url}?t=61"


def test_rescan_follows_config_changes_and_is_idempotent(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "tiktok", "@a")
        post = factories.post(session, owner, "arrest the traitor, ban the CNRP")
        video = factories.post(session, owner, "clip", url="https://www.tiktok.com/@a/video/1")
        transcript = factories.transcript(session, video, [(5.0, "a ban on arrest")])
        segment_key = f"segment:{transcript.segments[0].id}"
    first = rescan_keywords(THREATS, db.engine)
    # arrest, traitor, CNRP in the post; arrest in the segment (parties searches posts only).
    assert first.hits.added == 4 and first.posts == 2 and first.segments == 1
    assert ("threats", "arrest", segment_key) in hits(db)
    # Terms: drop "traitor", add "ban"; group "parties" removed; threats now posts only.
    changed = make_config(keywords={"threats": {"terms": ["arrest", "ban"], "search_in": "posts"}})
    report = rescan_keywords(changed, db.engine)
    assert report.removed_groups == ["parties"]
    assert hits(db) == [
        ("threats", "arrest", f"post:{post.id}"),
        ("threats", "ban", f"post:{post.id}"),
    ]
    again = rescan_keywords(changed, db.engine, force=True)
    assert (again.hits.added, again.hits.updated, again.hits.removed) == (0, 0, 0)
    scheduled = rescan_keywords(changed, db.engine)
    assert scheduled.skipped and scheduled.posts == 0
    # Add a term back: the scheduled (unforced) rescan sees the changed group.
    grown = make_config(
        keywords={"threats": {"terms": ["arrest", "ban", "traitor"], "search_in": "posts"}}
    )
    assert rescan_keywords(grown, db.engine).hits.added == 1
    assert len(hits(db)) == 3
    # Only one group on request.
    only = rescan_keywords(grown, db.engine, group="threats")
    assert only.groups == ["threats"] and only.hits.added == 0


def test_transcript_hits_carry_confidence_and_approximate(db: TestDatabase) -> None:
    config = make_config(keywords={"people": {"terms": ["Kem Sokha", "arrest"]}})
    words = [("Well", 0.8), ("Kem", 0.9), ("Sokha", 0.6), ("again", 0.99)]
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "youtube", "@a")
        video = factories.post(
            session, owner, None, url="https://www.youtube.com/watch?v=abc", kind="video"
        )
        transcript = factories.transcript(
            session, video, [(0.0, "Kim Sokha spoke of an arrest"), (9.0, "Well Kem Sokha again")]
        )
        unsure, heard = transcript.segments
        unsure.avg_logprob = -1.2  # low confidence: matched, not skipped as hallucination
        heard.avg_logprob = -0.1
        heard.words = {
            "words": [
                {"start": 9.0 + i, "end": 9.5 + i, "word": f" {w}", "probability": p}
                for i, (w, p) in enumerate(words)
            ]
        }
        session.flush()
        assert match_transcript(session, config, transcript.id) == 3
        rows = session.scalars(select(KeywordHit).order_by(KeywordHit.id)).all()
        found = {(r.term, r.start_seconds, r.approximate): r.confidence for r in rows}
        links = {r.link for r in rows}
    # With word timestamps the hit starts at its first word's second.
    assert set(found) == {
        ("arrest", 0.0, False),
        ("Kem Sokha", 0.0, True),
        ("Kem Sokha", 10.0, False),
    }
    assert found[("arrest", 0.0, False)] == 0.301  # exp(-1.2)
    approximate = found[("Kem Sokha", 0.0, True)]
    assert approximate is not None and 0.2 < approximate < 0.301  # the similarity times that
    assert found[("Kem Sokha", 10.0, False)] == 0.905  # exp(-0.1), the segment's
    assert links == {
        "https://www.youtube.com/watch?v=abc&t=0s",
        "https://www.youtube.com/watch?v=abc&t=10s",
    }
