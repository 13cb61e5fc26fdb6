"""A worker's claim leaves the media of excluded post languages (needs it lacks) to others."""

from __future__ import annotations

from datetime import timedelta

from storage.engine import transaction
from storage.models import Media
from storage.queue import claim, transcribe_stage
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.support import factories


def _media_by_language(db: TestDatabase) -> dict[str | None, int]:
    """One downloaded video per post language: Khmer (as the platform spells it), English,
    none given."""
    ids: dict[str | None, int] = {}
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Hun Sen"), "telegram", "hs")
        for language in ("KM", "en", None):
            post = factories.post(session, owner, "a clip", kind="video", language=language)
            media = factories.media(session, post, status="downloaded")
            ids[language.lower() if language else None] = media.id
    return ids


def test_excluded_languages_are_left_to_other_workers(db: TestDatabase) -> None:
    ids = _media_by_language(db)
    cpu = transcribe_stage(excluded_languages=frozenset({"km"}))
    assert claim(db.engine, cpu, "cpu-worker", limit=10) == sorted([ids["en"], ids[None]])
    assert claim(db.engine, cpu, "cpu-worker", limit=10) == []
    assert claim(db.engine, transcribe_stage(), "gpu-km-worker", limit=10) == [ids["km"]]


def test_an_expired_lease_goes_only_to_a_capable_worker(db: TestDatabase) -> None:
    ids = _media_by_language(db)
    with transaction(db.engine) as session:
        for media_id in ids.values():
            row = session.get(Media, media_id)
            assert row is not None
            row.status = "transcribing"
            row.lease_owner = "dead-worker"
            row.lease_expires_at = utcnow() - timedelta(minutes=1)
    cpu = transcribe_stage(excluded_languages=frozenset({"km", "en"}))
    assert claim(db.engine, cpu, "cpu-worker", limit=10) == [ids[None]]
    assert claim(db.engine, transcribe_stage(), "any-worker", limit=10) == sorted(
        [ids["km"], ids["en"]]
    )


def test_a_detected_language_decides_over_the_posts(db: TestDatabase) -> None:
    """A worker detected Khmer in the post without a language and in the "English" post, and
    English in the "Khmer" post: the claim routes each row by what was detected."""
    ids = _media_by_language(db)
    with transaction(db.engine) as session:
        for language, detected in ((None, "km"), ("en", "km"), ("km", "en")):
            row = session.get(Media, ids[language])
            assert row is not None
            row.detected_language = detected
    cpu = transcribe_stage(excluded_languages=frozenset({"km"}))
    assert claim(db.engine, cpu, "cpu-worker", limit=10) == [ids["km"]]
    assert claim(db.engine, transcribe_stage(), "km-worker", limit=10) == sorted(
        [ids[None], ids["en"]]
    )
