"""`[schedule] chain_stages`: a collection that queued a video runs the download job at once,
and the download runs the transcribe job, instead of each waiting for its hourly tick."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from monitor.config import PolmonConfig
from monitor.scheduler import Daemon
from storage.engine import transaction
from storage.models import Media
from tests.conftest import FIXTURES, TestDatabase
from tests.support.config import actors_toml, make_config, video_settings
from tests.support.daemon import finished_job_runs, run_daemon_until
from tests.support.local_server import LocalServer
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SiteChannel, SiteMedia, SitePost, TelegramSite
from tests.support.transcription import transcription_settings

pytestmark = pytest.mark.slow

# Every job hourly; only the collection runs at start. Without chaining the download and the
# transcription would wait an hour.
JOBS = """
[schedule.jobs.collect]
task = "collect"
interval_minutes = 60

[schedule.jobs.download]
task = "download"
interval_minutes = 60
run_at_start = false

[schedule.jobs.transcribe]
task = "transcribe"
interval_minutes = 60
run_at_start = false
"""


def _config(tmp_path: Path, db: TestDatabase, base_url: str, body: str = "") -> PolmonConfig:
    return make_config(
        tmp_path,
        db,
        body + JOBS + actors_toml(["pm"]),
        telegram=scenario_telegram(base_url),
        paths={"media_dir": "media"},
        video=video_settings(),
        transcription=transcription_settings(),
    )


def test_a_new_video_is_downloaded_and_transcribed_at_once(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.stage_chain")
    with LocalServer() as media:
        url = media.add_file("/v/speech.mp4", FIXTURES / "media" / "clip_a.mp4", "video/mp4")
        channel = site.add(SiteChannel("pm", "PM", 42, 1_000))
        channel.add(SitePost(7, NOW, text="Press conference", media=[SiteMedia("video", url)]))
        config = _config(tmp_path, db, httpserver.url_for("/"))
        # Within the generous bound of 3 minutes; without chaining it would take an hour.
        daemon = run_daemon_until(config, db.engine, lambda: len(finished_job_runs(db.engine)) >= 3)
    assert finished_job_runs(db.engine) == [
        ("collect", "ok"),
        ("download", "ok"),
        ("transcribe", "ok"),
    ]
    assert daemon.chain is not None and daemon.chain.brought_forward == ["download", "transcribe"]
    assert [r.getMessage() for r in caplog.records if r.name == "monitor.stage_chain"] == [
        "job download brought forward: job collect gave it work",
        "job transcribe brought forward: job download gave it work",
    ]
    with transaction(db.engine) as session:
        assert [m.status for m in session.scalars(select(Media))] == ["done"]


def test_a_collection_without_new_media_brings_nothing_forward(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site.add(SiteChannel("pm", "PM", 42, 1_000)).add(SitePost(7, NOW, text="Only words"))
    config = _config(tmp_path, db, httpserver.url_for("/"))
    daemon = Daemon(config, db.engine)
    daemon.execute("collect")
    assert daemon.chain is not None
    daemon.chain.start()
    daemon.chain.stop()  # handles what was queued, then ends
    assert daemon.chain.brought_forward == []
    assert finished_job_runs(db.engine) == [("collect", "ok")]


def test_chain_stages_false_leaves_the_stages_on_their_own_ticks(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    config = _config(tmp_path, db, httpserver.url_for("/"), "[schedule]\nchain_stages = false\n")
    assert Daemon(config, db.engine).chain is None
