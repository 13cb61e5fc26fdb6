"""Killing `polmon collect` mid-pass (a real process and a signal) and running it again loses
nothing and duplicates nothing."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from storage.models import Post
from tests.conftest import TestDatabase, invoke
from tests.support.config import actors_toml, write_config
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.telegram_scenario import count, runs, scenario_telegram, stored_posts
from tests.support.telegram_site import TelegramSite, channel_with_posts


def start_collect(config: Path) -> PolmonProcess:
    return start_polmon(
        ["--config", str(config), "collect", "--format", "json"],
        cwd=config.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_pass_is_completed_by_the_next_one(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    stop: signal.Signals,
) -> None:
    site.add(channel_with_posts("alpha", 30))
    site.add(channel_with_posts("bravo", 450, hours_apart=1.0))
    # bravo's first 200 posts (ten pages) are written in one batch before page 15 is asked for
    arrived, release = site.hold("/s/bravo?before=171")
    telegram = scenario_telegram(httpserver.url_for("/"))
    config = write_config(tmp_path, db, actors_toml(["alpha", "bravo"]), telegram=telegram)

    process = start_collect(config)
    try:
        assert arrived.wait(timeout=90), "the pass never reached bravo's 15th page"
        partial = len(stored_posts(db.engine, "bravo"))
        process.send_signal(stop)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        release.set()
    assert process.returncode != 0
    assert len(stored_posts(db.engine, "alpha")) == 30
    assert partial == 200  # one committed batch of the interrupted listing
    # SIGKILL leaves the run "running"; SIGTERM stops the listing and closes the run itself
    stopped_as = "running" if stop == signal.SIGKILL else "partial"
    assert runs(db.engine, "bravo")[-1][0] == stopped_as

    result = invoke(config, "collect", "--format", "json")  # the next pass, in-process
    assert result.exit_code == 0, result.output
    bravo = stored_posts(db.engine, "bravo")
    assert sorted(bravo, key=int) == [str(i) for i in range(1, 451)]
    assert len(stored_posts(db.engine, "alpha")) == 30
    assert count(db.engine, Post) == 480  # nothing twice
    first = "failed" if stop == signal.SIGKILL else "partial"  # SIGKILL's closed by this pass
    assert [run[0] for run in runs(db.engine, "bravo")] == [first, "ok"]
    if stop == signal.SIGKILL:
        assert runs(db.engine, "bravo")[0][4] == "interrupted: process stopped"
