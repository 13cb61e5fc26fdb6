"""Due collection against a local t.me: only accounts whose interval is up are collected, by
`run_collect(due=True)`, `polmon collect --due` and the daemon's collect-due job; passes
running at once keep to one rate limit per host. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from monitor import shutdown
from monitor.pass_report import PassReport
from monitor.pipeline import run_collect
from monitor.scheduler import Daemon
from storage.engine import transaction
from storage.models import JobRun
from storage.types import utcnow
from tests.conftest import TestDatabase, invoke
from tests.support.config import toml_table, write_config
from tests.support.daemon import finished_job_runs
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import TelegramSite, channel_with_posts

ACCOUNTS = """
[[actors]]
name = "Minister"
[[actors.accounts]]
platform = "telegram"
handle = "fast"
interval_minutes = 5
[[actors.accounts]]
platform = "telegram"
handle = "slow"
"""


def handles(report: PassReport) -> list[tuple[str, str]]:
    return [(a.handle, a.status) for a in report.accounts]


def channels_read(site: TelegramSite) -> set[str]:
    return {path.split("?")[0].rsplit("/", 1)[-1] for path in site.requests}


def setup(
    tmp_path: Path, db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, body: str
) -> Path:
    for name in ("fast", "slow", "second"):
        site.add(channel_with_posts(name, 3))
    telegram = toml_table(["telegram"], scenario_telegram(httpserver.url_for("/")))
    return write_config(tmp_path, db, telegram + body)


def test_a_due_account_is_collected_and_one_without_interval_is_not(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    from monitor.config import load_config

    config = load_config(setup(tmp_path, db, site, httpserver, ACCOUNTS))
    first = run_collect(config, db.engine, due=True)
    assert handles(first) == [("fast", "ok")]  # never collected: due at once
    assert channels_read(site) == {"fast"}
    site.requests.clear()
    now = utcnow()
    assert handles(run_collect(config, db.engine, due=True, now=now)) == []
    later = now + timedelta(minutes=4)
    assert handles(run_collect(config, db.engine, due=True, now=later)) == []
    assert site.requests == []
    later = now + timedelta(minutes=5)
    assert handles(run_collect(config, db.engine, due=True, now=later)) == [("fast", "ok")]
    assert channels_read(site) == {"fast"}
    # the hourly pass still collects every account, the fast one included
    assert handles(run_collect(config, db.engine)) == [("fast", "ok"), ("slow", "ok")]


def test_collect_due_on_the_command_line(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    path = setup(tmp_path, db, site, httpserver, ACCOUNTS)
    result = invoke(path, "collect", "--due", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"account": "fast"' in result.output and '"slow"' not in result.output
    again = invoke(path, "collect", "--due")
    assert again.exit_code == 0, again.output
    assert "no account is due" in again.output
    assert channels_read(site) == {"fast"}


def test_the_daemon_job_collects_what_is_due_and_records_the_run(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    from monitor.config import load_config

    config = load_config(setup(tmp_path, db, site, httpserver, ACCOUNTS))
    daemon = Daemon(config, db.engine)
    daemon.execute("collect-due")
    assert channels_read(site) == {"fast"}
    daemon.execute("collect-due")  # nothing due now: no second run, no row
    with transaction(db.engine) as session:
        runs = [(r.job_name, r.status) for r in session.scalars(select(JobRun))]
    assert runs == [("collect-due", "ok")]


def test_a_collect_due_run_wakes_the_alert_dispatcher(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """Alerts of a fast account go out right after its collection, not at the next interval."""
    from monitor.config import load_config

    config = load_config(setup(tmp_path, db, site, httpserver, ACCOUNTS))
    daemon = Daemon(config, db.engine)
    assert not daemon.alerts._wake.is_set()
    daemon.execute("collect-due")
    assert channels_read(site) == {"fast"}
    assert daemon.alerts._wake.is_set()


def test_passes_at_once_share_one_rate_limit_per_host(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """Two passes in threads (the daemon's hourly and collect-due jobs), each with its own
    collector: the requests to the one host still arrive at most 5 per second."""
    from monitor.config import load_config

    body = ACCOUNTS + '[[actors.accounts]]\nplatform = "telegram"\nhandle = "second"\n'
    path = setup(tmp_path, db, site, httpserver, body)
    rate = 5.0
    text = path.read_text(encoding="utf-8").replace(
        "requests_per_second = 1000.0", f"requests_per_second = {rate}"
    )
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert config.telegram.requests_per_second == rate
    reports: dict[str, PassReport] = {}
    start = threading.Barrier(2)

    def collect(name: str, account: str) -> None:
        start.wait()
        reports[name] = run_collect(config, db.engine, account=account)

    threads = [threading.Thread(target=collect, args=(name, name)) for name in ("slow", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {name: handles(report) for name, report in reports.items()} == {
        "slow": [("slow", "ok")],
        "second": [("second", "ok")],
    }
    assert {"slow", "second"} <= channels_read(site)
    assert len(site.arrivals) >= 4  # a profile and a page each, at least
    gaps = [later - earlier for earlier, later in pairwise(site.arrivals)]
    # One shared budget gives each request its own slot 0.2 s after the last: the requests
    # span at least that many slots (less the lateness of the first send), and none arrives
    # on top of another. Two limiters would let both passes send at once: about half the span
    # and gaps near zero. (A send a little late makes the next gap a little short, so single
    # gaps are only held to a quarter of the interval.)
    span = site.arrivals[-1] - site.arrivals[0]
    assert span >= (len(site.arrivals) - 1) / rate - 0.1, (span, gaps)
    assert min(gaps) > 0.25 / rate, gaps


def test_due_checks_during_a_long_pass_are_skipped_quietly(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A due check fires every 0.3 s while one pass is held: each is skipped in the daemon
    (a debug line), none runs a second pass, and APScheduler warns of nothing."""
    from monitor.config import load_config

    site.add(channel_with_posts("fast", 3))
    # The held request waits well within the read timeout: the pass must end ok.
    telegram = toml_table(
        ["telegram"], scenario_telegram(httpserver.url_for("/"), timeout_seconds=60)
    )
    body = "[schedule]\ndue_check_seconds = 0.3\n" + ACCOUNTS
    config = load_config(write_config(tmp_path, db, telegram + body))
    arrived, release = site.hold("/s/fast")
    caplog.set_level(logging.DEBUG)

    def skipped() -> int:
        return sum("its last run is still going" in r.getMessage() for r in caplog.records)

    shutdown.reset()
    daemon = Daemon(config, db.engine)
    daemon.start()
    try:
        assert arrived.wait(60), "the pass never reached the held channel"
        deadline = time.monotonic() + 60  # a safety net: three fires take about a second
        while skipped() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        release.set()
        while finished_job_runs(db.engine) == [] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        release.set()
        daemon.stop()
        shutdown.reset()
    assert skipped() >= 3
    assert finished_job_runs(db.engine)[:1] == [("collect-due", "ok")]
    assert channels_read(site) == {"fast"}
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [], [r.getMessage() for r in warnings]
