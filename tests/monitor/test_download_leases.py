"""A download's lease is `[video] lease_seconds`, renewed while it runs; partial files of dead
downloaders are removed."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from monitor.config import load_config
from monitor.download import DownloadReport, run_downloads
from storage.engine import transaction
from storage.models import Media
from tests.conftest import TestDatabase, write_config
from tests.local_server import LocalServer
from tests.video.test_download import MEDIA, Item, add_media, rows

VIDEO = "[video]\nsleep_seconds = 0\nretries = 0\ntimeout_seconds = 30\nlease_seconds = 1\n"


def _lease_expiry(db: TestDatabase, media_id: int) -> datetime | None:
    with transaction(db.engine) as session:
        return session.scalar(select(Media.lease_expires_at).where(Media.id == media_id))


def test_lease_is_renewed_while_a_slow_download_runs(db: TestDatabase, tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, db, VIDEO))
    arrived, release = threading.Event(), threading.Event()
    clip = (MEDIA / "clip_a.mp4").read_bytes()

    def slow(_query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        arrived.set()
        release.wait(60)
        return 200, "video/mp4", clip

    reports: list[DownloadReport] = []
    with LocalServer() as server:
        [media_id] = add_media(db, [Item("tiktok", "1", server.add_dynamic("/slow.mp4", slow))])
        worker = threading.Thread(target=lambda: reports.append(run_downloads(config, db.engine)))
        worker.start()
        try:
            assert arrived.wait(60), "the download never reached the server"
            first = _lease_expiry(db, media_id)
            assert first is not None
            renewed = False
            for _ in range(300):  # wait (up to a minute) for the heartbeat to extend the lease
                expiry = _lease_expiry(db, media_id)
                if expiry is not None and expiry > first:
                    renewed = True
                    break
                time.sleep(0.2)
        finally:
            release.set()
            worker.join(120)
    assert renewed
    assert (reports[0].downloaded, reports[0].lost) == (1, 0)
    assert rows(db, [media_id])[0].status == "downloaded"


def test_partial_files_of_dead_downloaders_are_removed(db: TestDatabase, tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, db, VIDEO))
    folder = config.media_dir / "tiktok"
    folder.mkdir(parents=True)
    abandoned = folder / "1_7.mp4.part"
    fresh = folder / "2_8.mp4.part"
    kept = folder / "3_9.m4a"
    for path in (abandoned, fresh, kept):
        path.write_bytes(b"x")
    an_hour_ago = time.time() - 3600
    os.utime(abandoned, (an_hour_ago, an_hour_ago))
    os.utime(kept, (an_hour_ago, an_hour_ago))
    run_downloads(config, db.engine)  # an empty queue: the sweep still runs
    assert (abandoned.exists(), fresh.exists(), kept.exists()) == (False, True, True)
