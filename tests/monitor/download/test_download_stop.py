"""Stop requests and the download queue: a stop claims no row, and SIGTERM under `polmon run`
stops a download queue after the item in hand (given back, not waited for)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor import shutdown
from monitor.download import run_downloads
from storage.engine import transaction
from storage.models import JobRun, Media
from tests.conftest import TestDatabase, write_config
from tests.support.config import make_config, video_settings
from tests.support.factories import Download, media_to_download
from tests.support.local_server import LocalServer
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.video_sites import MEDIA


@pytest.fixture
def stop_requested() -> Iterator[None]:
    shutdown.request_stop("test: stop before the queue is drained")
    try:
        yield
    finally:
        shutdown.reset()


def media_rows(db: TestDatabase, ids: list[int]) -> list[tuple[str, int, str | None]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(Media.status, Media.attempts, Media.lease_owner)
            .where(Media.id.in_(ids))
            .order_by(Media.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_stop_request_downloads_no_queued_row(
    db: TestDatabase, tmp_path: Path, stop_requested: None
) -> None:
    with LocalServer() as server:
        url = server.add("/clip.mp4", (MEDIA / "clip_a.mp4").read_bytes(), "video/mp4")
        ids = media_to_download(db.engine, [Download("tiktok", f"73{n}", url) for n in range(3)])
        report = run_downloads(
            make_config(
                tmp_path, db, paths={"media_dir": "media"}, video=video_settings(timeout_seconds=1)
            ),
            db.engine,
        )
    assert (report.downloaded, report.failed, report.retrying) == (0, 0, 0)
    assert media_rows(db, ids) == [("pending", 0, None)] * 3  # none claimed, none leased
    assert not list((tmp_path / "media").rglob("*.*"))


RUN_CONFIG = """
[logging]
json_lines = true

[video]
sleep_seconds = 0
retries = 0
timeout_seconds = 5
concurrency = 1

[schedule.jobs.fetch]
task = "download"
interval_minutes = 0.02
"""


def wait_for(condition: Callable[[], object], what: str, process: PolmonProcess) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"polmon run exited early with {process.returncode}"
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_sigterm_under_polmon_run_stops_the_download_queue_after_the_item_in_hand(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = write_config(tmp_path, sqlite_db, RUN_CONFIG)
    log_path = tmp_path / "run.log"
    with LocalServer() as server:
        clip = (MEDIA / "clip_a.mp4").read_bytes()
        stalled = server.add("/stall.mp4", clip, "video/mp4", mode="stall")
        ids = media_to_download(
            sqlite_db.engine, [Download("tiktok", f"75{n}", stalled) for n in range(3)]
        )
        with log_path.open("w") as log:
            process = start_polmon(
                ["--config", str(config), "run"],
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                wait_for(
                    lambda: any(row[0] == "downloading" for row in media_rows(sqlite_db, ids)),
                    "the download job to start a file",
                    process,
                )
                process.send_signal(signal.SIGTERM)
                exit_code = process.wait(timeout=120)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    lines = log_path.read_text().splitlines()
    assert exit_code == 0, "\n".join(lines[-30:])
    messages = [json.loads(line)["message"] for line in lines if line.startswith("{")]
    assert "polmon run stopped cleanly" in messages
    # The file in hand was given back; no other row was claimed after the stop.
    assert media_rows(sqlite_db, ids) == [("pending", 0, None)] * 3
    with transaction(sqlite_db.engine) as session:
        runs = list(session.scalars(select(JobRun).where(JobRun.job_name == "fetch")))
        leased = session.scalar(select(func.count()).where(Media.lease_owner.is_not(None)))
    assert leased == 0
    assert runs and all(run.finished_at is not None for run in runs)
