"""`polmon run` as a real process with an account on a 3-second interval: its collect-due job
collects that account once per interval, never the account without one, and records only the
checks that collected something."""

from __future__ import annotations

import signal
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from storage.engine import transaction
from storage.models import Account, CollectionRun, JobRun
from tests.conftest import TestDatabase
from tests.monitor.test_scheduler_daemon import wait_for
from tests.support.config import toml_table, write_config
from tests.support.processes import start_polmon
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import TelegramSite, channel_with_posts

INTERVAL_SECONDS = 3.0

BODY = f"""
[schedule]
due_check_seconds = 0.5

# The hourly pass over every account, not due within this test.
[schedule.jobs.hourly]
task = "collect"
interval_minutes = 60
run_at_start = false

[[actors]]
name = "Minister"
[[actors.accounts]]
platform = "telegram"
handle = "fast"
interval_minutes = {INTERVAL_SECONDS / 60}
[[actors.accounts]]
platform = "telegram"
handle = "slow"
"""


def fast_runs(database: TestDatabase) -> list[CollectionRun]:
    with transaction(database.engine) as session:
        return list(
            session.scalars(
                select(CollectionRun)
                .join(Account, Account.id == CollectionRun.account_id)
                .where(Account.handle == "fast")
                .order_by(CollectionRun.started_at)
            )
        )


@pytest.mark.slow
def test_the_daemon_collects_a_due_account_once_per_interval(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    for name in ("fast", "slow"):
        site.add(channel_with_posts(name, 3))
    telegram = toml_table(["telegram"], scenario_telegram(httpserver.url_for("/")))
    config = write_config(tmp_path, db, telegram + BODY)
    log_path = tmp_path / "daemon.log"
    with log_path.open("w") as log_file:
        process = start_polmon(
            ["--config", str(config), "run"],
            cwd=tmp_path,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_for(
                lambda: sum(1 for r in fast_runs(db) if r.finished_at) >= 3,
                "three collections of the fast account",
                process,
            )
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert exit_code == 0, log_path.read_text()[-3000:]
    assert "/slow" not in site.requests and "/s/slow" not in site.requests
    runs = fast_runs(db)
    # (a fourth may have been under way at SIGTERM: stopped mid-listing, it is partial)
    assert [run.status for run in runs[:3]] == ["ok"] * 3
    starts = [run.started_at for run in runs]
    # Never again before 90% of the interval since the last collection started.
    assert all((b - a).total_seconds() >= 0.9 * INTERVAL_SECONDS for a, b in pairwise(starts))
    with transaction(db.engine) as session:
        jobs = [(r.job_name, r.status) for r in session.scalars(select(JobRun))]
    # Checks every 0.5 s, but a job run only for each check that collected the account.
    assert [name for name, _ in jobs] == ["collect-due"] * len(runs)
    assert [status for _, status in jobs[:3]] == ["ok"] * 3
