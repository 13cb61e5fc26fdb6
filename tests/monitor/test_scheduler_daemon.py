"""`polmon run` as a real subprocess: jobs run on second-scale intervals, failures stay isolated,
SIGTERM lets the running job finish and exits 0 with nothing left running or leased."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.engine import transaction
from storage.models import CollectionRun, Digest, JobRun, Media
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import write_config
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.smtp_server import closed_port, smtp_server

DAEMON_CONFIG = """
[logging]
json_lines = true

[schedule]
timezone = "Asia/Phnom_Penh"
misfire_grace_seconds = 30

[schedule.jobs.mail]
task = "digest"
interval_minutes = 0.02
lists = ["team"]

[schedule.jobs.bounce]
task = "digest"
interval_minutes = 0.02
lists = ["bounce"]

[schedule.jobs.keywords]
task = "rescan"
interval_minutes = 0.02

# The real collection pipeline against a t.me that refuses connections: every pass runs,
# records the account's failure and ends "partial"; the other jobs do not notice.
[schedule.jobs.collect]
task = "collect"
platform = "telegram"
interval_minutes = 0.02

[telegram]
backend = "web"
base_url = "http://127.0.0.1:{closed_port}"
max_retries = 0
timeout_seconds = 2

[[actors]]
name = "Hun Sen"
[[actors.accounts]]
platform = "telegram"
handle = "samdechhunsen"

[digest]
enabled = true
period_hours = 24

[[digest.lists]]
name = "team"
recipients = ["team@example.org"]

[[digest.lists]]
name = "bounce"
recipients = ["nobody@refused.example"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
max_attempts = 2
retry_backoff_seconds = 0.1
"""


def seed(database: TestDatabase) -> None:
    """One account with a recent post, and a media row waiting in the queue."""
    now = datetime.now(UTC)
    with transaction(database.engine) as session:
        owner = factories.account(
            session, factories.actor(session, "Hun Sen"), "telegram", "samdechhunsen"
        )
        speech = factories.post(
            session,
            owner,
            "A speech about <b>the CNRP</b>",
            post_id="1",
            published_at=now - timedelta(hours=1),
            kind="video",
            views=10,
        )
        factories.media(session, speech)


def runs(database: TestDatabase) -> dict[tuple[str, str], int]:
    with transaction(database.engine) as session:
        rows = session.execute(
            select(JobRun.job_name, JobRun.status, func.count()).group_by(
                JobRun.job_name, JobRun.status
            )
        ).all()
    return {(name, status): count for name, status, count in rows}


def wait_for(condition: Callable[[], bool], what: str, process: PolmonProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"polmon run exited early with {process.returncode}"
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_polmon_run_runs_jobs_isolates_failures_and_stops_cleanly(
    db: TestDatabase, tmp_path: Path
) -> None:
    seed(db)
    log_path = tmp_path / "daemon.log"
    with smtp_server() as (server, port), closed_port() as refusing:
        server.refused_domain = "refused.example"
        body = DAEMON_CONFIG.format(port=port, closed_port=refusing)
        config = write_config(tmp_path, db, body)
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
                    lambda: (
                        (c := runs(db)).get(("mail", "ok"), 0) >= 2
                        and c.get(("bounce", "failed"), 0) >= 2
                        and c.get(("keywords", "ok"), 0) >= 2
                        and c.get(("collect", "partial"), 0) >= 2
                    ),
                    "two runs of every job",
                    process,
                )
                # Stall the next delivery in DATA, then stop the daemon in the middle of it.
                server.data_delay = 2.0
                server.data_started.clear()
                assert server.data_started.wait(30), "no digest reached DATA"
                delivered_before_stop = len(server.received)
                process.send_signal(signal.SIGTERM)
                exit_code = process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    log_lines = log_path.read_text().splitlines()
    assert exit_code == 0, "\n".join(log_lines[-30:])
    records = [json.loads(line) for line in log_lines]  # JSON lines, one object each
    messages = [record["message"] for record in records]
    assert "polmon run stopped cleanly" in messages
    assert any(m.startswith("SIGTERM received: finishing running jobs") for m in messages)
    # The delivery under way when SIGTERM came was completed, not cut off.
    assert len(server.received) == delivered_before_stop + 1
    with transaction(db.engine) as session:
        job_runs = list(session.scalars(select(JobRun).order_by(JobRun.id)))
        digests = list(session.scalars(select(Digest)))
        leased = session.scalar(select(func.count()).where(Media.lease_owner.is_not(None)))
        failed_collections = session.scalar(
            select(func.count()).where(CollectionRun.status == "failed")
        )
    assert [run for run in job_runs if run.status == "running" or run.finished_at is None] == []
    assert leased == 0
    last_mail = [run for run in job_runs if run.job_name == "mail"][-1]
    assert last_mail.status == "ok"
    assert all(run.next_run_at is not None for run in job_runs)
    bounce_errors = {run.error for run in job_runs if run.job_name == "bounce"}
    assert all("nobody@refused.example: 550" in (error or "") for error in bounce_errors)
    # Every run of the mail job covered its own period and was sent exactly once.
    team = [row for row in digests if row.list_name == "team"]
    assert len(team) == len(server.received) and {row.status for row in team} == {"sent"}
    assert len({(row.period_start, row.period_end) for row in team}) == len(team)
    assert {row.status for row in digests if row.list_name == "bounce"} == {"failed"}
    # Each pass that failed on the account says which account (a pass SIGTERM cut short before
    # it reached the account has nothing to say).
    collect_errors = {
        run.error for run in job_runs if run.job_name == "collect" and run.status == "partial"
    }
    assert len(collect_errors) >= 1
    assert all("telegram samdechhunsen: " in (error or "") for error in collect_errors), {
        (run.status, run.error) for run in job_runs if run.job_name == "collect"
    }
    assert failed_collections >= 2
    subjects = {item.message["Subject"] for item in server.received}
    assert all(subject.startswith("[polmon] digest team: 1 new posts") for subject in subjects)
