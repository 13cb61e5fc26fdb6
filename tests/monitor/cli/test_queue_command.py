"""`polmon queue retry` puts failed or skipped media back in the right queue, attempts reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from storage.engine import transaction
from storage.models import Account, Actor, Media, Post
from tests.conftest import TestDatabase, invoke, write_config

LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


def _media(db: TestDatabase) -> dict[str, int]:
    """Media ended in each way; `old_failed` failed long ago."""
    ends = {
        "download_failed": ("failed", None),
        "download_skipped": ("skipped", None),
        "transcribe_failed": ("failed", "/media/a.m4a"),
        "old_failed": ("failed", None),
        "done": ("done", "/media/b.m4a"),
    }
    with transaction(db.engine) as session:
        actor = Actor(name="Someone")
        account = Account(actor=actor, platform="tiktok", handle="someone")
        rows = {}
        for n, (name, (status, path)) in enumerate(ends.items()):
            post = Post(account=account, platform_post_id=str(n), published_at=LONG_AGO)
            rows[name] = Media(
                post=post,
                position=0,
                kind="video",
                status=status,
                local_path=path,
                attempts=4,
                last_error="ENOSPC",
            )
        session.add_all([actor, *rows.values()])
        session.flush()
        ids = {name: media.id for name, media in rows.items()}
        session.execute(
            update(Media).where(Media.id == ids["old_failed"]).values(updated_at=LONG_AGO)
        )
    return ids


def _states(db: TestDatabase, ids: dict[str, int]) -> dict[str, tuple[str, int]]:
    with transaction(db.engine) as session:
        found = {m.id: (m.status, m.attempts) for m in session.scalars(select(Media))}
    return {name: found[media_id] for name, media_id in ids.items()}


def test_retry_failed_downloads_since(db: TestDatabase, tmp_path: Path) -> None:
    ids = _media(db)
    config = write_config(tmp_path, db)
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    result = invoke(config, "queue", "retry", "--stage", "download", "--since", since)
    assert result.exit_code == 0, result.output
    assert result.output == "download: 1 queued again\n"
    assert _states(db, ids) == {
        "download_failed": ("pending", 0),
        "download_skipped": ("skipped", 4),
        "transcribe_failed": ("failed", 4),
        "old_failed": ("failed", 4),
        "done": ("done", 4),
    }


def test_retry_every_stage_and_skipped_rows(db: TestDatabase, tmp_path: Path) -> None:
    ids = _media(db)
    config = write_config(tmp_path, db)
    assert invoke(config, "queue", "retry").output == (
        "download: 2 queued again, transcribe: 1 queued again, ocr: 0 queued again, "
        "screenshots: 0 queued again\n"
    )
    skipped = invoke(config, "queue", "retry", "--status", "skipped", "--stage", "download")
    assert skipped.output == "download: 1 queued again\n"
    states = _states(db, ids)
    assert states["download_failed"] == states["old_failed"] == ("pending", 0)
    assert states["download_skipped"] == ("pending", 0)
    assert states["transcribe_failed"] == ("downloaded", 0)
    assert states["done"] == ("done", 4)
