"""`polmon download` end to end: config file, queue rows, a local server, one-line summary."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.download import run_downloads
from monitor.tasks import describe
from tests.conftest import TestDatabase, invoke
from tests.support.config import make_config, write_config
from tests.support.factories import Download, media_rows, media_to_download
from tests.support.local_server import LocalServer
from tests.support.video_sites import MEDIA

VIDEO = "[video]\nsleep_seconds = 0\nretries = 0\ntimeout_seconds = 30\nmax_attempts = 1\n"


def test_download_command_reports_and_lists_problems(db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, db, VIDEO)
    with LocalServer() as server:
        ids = media_to_download(
            db.engine,
            [
                Download(
                    "tiktok", "7412345678901234567", server.add_file("/a.mp4", MEDIA / "clip_a.mp4")
                ),
                Download("tiktok", "7412345678901234568", server.url("/gone.mp4")),
            ],
        )
        result = invoke(config, "download", "--limit", "5")
    assert result.exit_code == 0, result.output
    assert "downloaded: 1, duplicates: 0, skipped: 0, failed: 1" in result.output
    assert "removed or unavailable (HTTP 404)" in result.output
    done, gone = media_rows(db.engine, ids)
    assert (tmp_path / "data" / "media" / (done.local_path or "")).parent == (
        tmp_path / "data" / "media" / "tiktok"
    )
    assert gone.status == "failed"


def test_download_command_json_output_and_empty_queue(db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, db, VIDEO)
    result = invoke(config, "download", "--format", "json", "--no-progress")
    assert result.exit_code == 0 and json.loads(result.output) == []
    assert "downloaded: 0" in invoke(config, "download").output


def test_bad_video_options_are_one_line_errors(tmp_path: Path, sqlite_db: TestDatabase) -> None:
    config = write_config(tmp_path, sqlite_db, '[video]\ncookies_file = "missing.txt"\n')
    result = invoke(config, "download")
    assert result.exit_code == 1
    assert "cookies_file" in result.output and "Traceback" not in result.output


def test_the_scheduler_job_log_gets_the_counts(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, sqlite_db, VIDEO)
    with LocalServer() as server:
        media_to_download(
            sqlite_db.engine,
            [Download("youtube", "v1", server.add_file("/b.mp4", MEDIA / "clip_b.mp4"))],
        )
        outcome = describe(run_downloads(config, sqlite_db.engine))
    assert outcome.summary == "downloaded 1, duplicates 0, skipped 0, failed 0, to retry later 0"
    assert outcome.problem is None
