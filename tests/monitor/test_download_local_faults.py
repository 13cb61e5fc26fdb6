"""A full disk is not the media's fault: rows wait without spending attempts; `download` says
so with exit 1 when nothing could be stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from monitor.config import load_config
from monitor.download import run_downloads
from storage.engine import transaction
from storage.models import Media
from tests.conftest import TestDatabase, invoke, write_config
from tests.support.factories import Download, media_rows, media_to_download
from tests.support.local_server import LocalServer
from tests.support.video_sites import MEDIA

VIDEO = "[video]\nsleep_seconds = 0\nretries = 0\ntimeout_seconds = 30\nmax_attempts = 1\n"
POST_ID = "7412345678901234567"


def _disk_full_for(media_dir: Path, media_id: int) -> Path:
    """Make the download's .part file /dev/full: every write fails with ENOSPC."""
    folder = media_dir / "tiktok"
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{POST_ID}_{media_id}.mp4.part"
    part.symlink_to("/dev/full")
    return part


def _due_now(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        session.execute(update(Media).values(next_attempt_at=datetime.now(UTC) - timedelta(1)))


def test_disk_full_defers_without_spending_the_attempt(db: TestDatabase, tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, db, VIDEO))
    with LocalServer() as server:
        [media_id] = media_to_download(
            db.engine,
            [Download("tiktok", POST_ID, server.add_file("/a.mp4", MEDIA / "clip_a.mp4"))],
        )
        part = _disk_full_for(config.media_dir, media_id)
        report = run_downloads(config, db.engine)
        assert (report.downloaded, report.failed, report.retrying) == (0, 0, 1)
        [row] = media_rows(db.engine, [media_id])
        assert (row.status, row.attempts, row.lease_owner) == ("pending", 0, None)
        assert (row.last_error or "").startswith("local fault ENOSPC: ")
        assert row.next_attempt_at is not None
        assert not part.is_symlink()  # the abandoned .part is removed

        _due_now(db)  # space is back
        again = run_downloads(config, db.engine)
    assert (again.downloaded, again.failed) == (1, 0)
    assert media_rows(db.engine, [media_id])[0].status == "downloaded"


def test_download_exits_1_when_nothing_could_be_stored(db: TestDatabase, tmp_path: Path) -> None:
    config_path = write_config(tmp_path, db, VIDEO)
    config = load_config(config_path)
    with LocalServer() as server:
        [media_id] = media_to_download(
            db.engine,
            [Download("tiktok", POST_ID, server.add_file("/a.mp4", MEDIA / "clip_a.mp4"))],
        )
        _disk_full_for(config.media_dir, media_id)
        result = invoke(config_path, "download", "--no-progress")
    assert result.exit_code == 1
    assert "downloaded: 0, duplicates: 0, skipped: 0, failed: 0, to retry later: 1" in result.output
    assert result.stderr.splitlines()[-1] == (
        "Error: nothing could be stored: 0 failed, 1 to retry later, 0 lost to other workers "
        "(errors above and in `polmon status`)"
    )
