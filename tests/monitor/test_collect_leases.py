"""Two `polmon collect` of one account at once: the second skips it with one line; none fails."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from storage.models import Post
from tests.conftest import TestDatabase, run_polmon, write_config
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.telegram_scenario import count, runs, scenario_toml, stored_posts
from tests.support.telegram_site import TelegramSite, channel_with_posts

# The first collect's request is held until the second has run: room for a loaded machine.
HELD = 60.0
SKIPPED_LINE = "telegram pm: being collected by another process right now; skipped this time"


def start_collect(config: Path) -> PolmonProcess:
    """`polmon collect --format json` as a real process, left running."""
    return start_polmon(
        ["--config", str(config), "collect", "--format", "json"],
        cwd=config.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[TelegramSite]:
    telegram = TelegramSite()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(telegram.handle)
    yield telegram


@pytest.mark.slow
def test_second_collect_of_an_account_being_collected_skips_it(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site.add(channel_with_posts("pm", 30))
    arrived, release = site.hold("/s/pm")
    config = write_config(
        tmp_path, db, scenario_toml(httpserver.url_for("/"), ["pm"], timeout_seconds=HELD)
    )
    first = start_collect(config)
    try:
        assert arrived.wait(timeout=90), "the first collect never listed pm"
        second = run_polmon("--config", str(config), "collect", cwd=tmp_path)
    finally:
        release.set()
        out, err = first.communicate(timeout=120)
    assert second.returncode == 0, second.stderr
    assert SKIPPED_LINE in second.stderr.splitlines()
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, err
    assert '"status": "ok"' in out
    assert len(stored_posts(db.engine, "pm")) == 30
    assert [run[0] for run in runs(db.engine, "pm")] == ["ok"]  # the skip is no run

    again = run_polmon("--config", str(config), "collect", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert count(db.engine, Post) == 30
    assert [run[0] for run in runs(db.engine, "pm")] == ["ok", "ok"]


@pytest.mark.slow
def test_a_killed_collect_gives_up_its_lease(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site.add(channel_with_posts("pm", 30))
    arrived, release = site.hold("/s/pm")
    config = write_config(
        tmp_path, db, scenario_toml(httpserver.url_for("/"), ["pm"], timeout_seconds=HELD)
    )
    first = start_collect(config)
    try:
        assert arrived.wait(timeout=90), "the first collect never listed pm"
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    finally:
        release.set()
    result = run_polmon("--config", str(config), "collect", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert SKIPPED_LINE not in result.stderr
    assert len(stored_posts(db.engine, "pm")) == 30
    assert [run[0] for run in runs(db.engine, "pm")] == ["failed", "ok"]
