"""The evidence reads of the `screenshots` table: a post's screenshots and those not stamped yet."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.queries import evidence_screenshots as screenshots
from storage.engine import transaction
from storage.models import EvidenceLeaf, Screenshot, TimestampToken
from tests.conftest import TestDatabase
from tests.support import factories

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def test_a_posts_screenshots_and_the_unstamped_ones_are_read(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        account = factories.account(session, factories.actor(session, "PM"))
        post = factories.post(session, account, "x")
        other = factories.post(session, account, "y")
        shots = [
            Screenshot(
                post_id=owner.id,
                url=f"https://t.me/pm/{n}?embed=1",
                captured_at=T0,
                sha256=sha,
                size_bytes=10,
                width=8,
                height=6,
                storage_key=f"screenshots/{sha[:2]}/{sha[2:]}.png",
                kind="page",
            )
            for n, (owner, sha) in enumerate(
                ((post, "a" * 64), (post, "b" * 64), (other, "c" * 64)), start=1
            )
        ]
        session.add_all(shots)
        session.flush()
        batch = TimestampToken(merkle_root="d" * 64, leaf_count=1, created_at=T0)
        session.add(batch)
        session.flush()
        session.add(EvidenceLeaf(token_id=batch.id, kind="screenshot", ref_id=shots[0].id,
                                 sha256="a" * 64, leaf_index=0, proof={"path": []}))  # fmt: skip
        session.flush()
        unstamped = screenshots.unstamped(session, 100)
        rows = screenshots.of_post(session, post.id)
        ids = [shot.id for shot in shots]
    assert unstamped == [(ids[1], "b" * 64), (ids[2], "c" * 64)]
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        (ids[0], "https://t.me/pm/1?embed=1", T0, "screenshots/aa/" + "a" * 62 + ".png"),
        (ids[1], "https://t.me/pm/2?embed=1", T0, "screenshots/bb/" + "b" * 62 + ".png"),
    ]
