"""At scale on PostgreSQL, real processes: two `polmon run` daemons and two collect workers
share 20 due accounts on a local t.me; one collector is SIGKILLed mid-account. Afterwards
every account was collected once, every post stored once, the singleton job ran once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from storage.engine import transaction
from storage.models import Account, CollectionRun, JobRun, Post
from tests.conftest import REPO_ROOT, TestDatabase
from tests.support.config import toml_table, write_config
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import TelegramSite, channel_with_posts

CHANNELS = [f"chan{n}" for n in range(20)]
VICTIM = "chan7"

BODY = """
[schedule]
due_check_seconds = 0.5
collect_lease_seconds = 2

[schedule.jobs.rescan]
task = "rescan"
interval_minutes = 60

[[actors]]
name = "Ministry"
""" + "".join(
    f'[[actors.accounts]]\nplatform = "telegram"\nhandle = "{name}"\ninterval_minutes = 60\n'
    for name in CHANNELS
)


def ok_runs(db: TestDatabase) -> Counter[str]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(Account.handle)
            .join(CollectionRun, CollectionRun.account_id == Account.id)
            .where(CollectionRun.status == "ok")
        )
        return Counter(handle for (handle,) in rows)


def holder_pid(db: TestDatabase, handle: str) -> int | None:
    with transaction(db.engine) as session:
        owner = session.scalar(select(Account.lease_owner).where(Account.handle == handle))
    return None if owner is None else int(owner.split(":")[1])  # name@host:pid:suffix


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + 90  # a safety net on a loaded machine, not a measurement
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_daemons_and_workers_share_accounts_and_survive_a_kill(
    pg_db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    for name in CHANNELS:
        site.add(channel_with_posts(name, 2))
    arrived, release = site.hold(f"/s/{VICTIM}")
    telegram = toml_table(["telegram"], scenario_telegram(httpserver.url_for("/")))
    config = write_config(tmp_path, pg_db, telegram + BODY)
    worker = ["worker", "--stage", "collect"]
    commands = [["run"], ["run"], worker, worker]
    processes = []
    for n, command in enumerate(commands):
        log = (tmp_path / f"process{n}.log").open("w")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "monitor", "--config", str(config), *command],
                cwd=tmp_path,
                env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        assert arrived.wait(90), "no collector reached the victim account"
        victim = holder_pid(pg_db, VICTIM)
        assert victim in {p.pid for p in processes}
        os.kill(victim, signal.SIGKILL)  # mid-account: its lease is left to expire
        release.set()
        wait_for(lambda: set(ok_runs(pg_db)) == set(CHANNELS), "every account collected")
        survivors = [p for p in processes if p.pid != victim]
        for process in survivors:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in survivors]
    finally:
        release.set()
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    logs = "\n".join(p.read_text()[-1500:] for p in sorted(tmp_path.glob("process*.log")))
    assert codes == [0] * len(survivors), logs
    assert ok_runs(pg_db) == Counter(dict.fromkeys(CHANNELS, 1)), logs  # once per interval
    with transaction(pg_db.engine) as session:
        posts = session.scalar(select(func.count()).select_from(Post))
        distinct = session.scalar(
            select(func.count()).select_from(
                select(Post.account_id, Post.platform_post_id).distinct().subquery()
            )
        )
        rescans = session.scalars(select(JobRun.status).where(JobRun.job_name == "rescan")).all()
    assert posts == distinct == 2 * len(CHANNELS)  # every post stored once
    assert list(rescans) == ["ok"]  # the singleton job ran in one daemon
