"""Collection as claimed work against a local t.me: collect workers side by side share the due
accounts, none collected twice; a dead worker's account is taken again once its lease expires.
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import select, update

from monitor.collect_worker import run_collect_worker
from monitor.config import load_config
from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import Account, CollectionRun, Post
from storage.types import utcnow
from tests.conftest import TestDatabase, invoke
from tests.support.config import toml_table, write_config
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import TelegramSite, channel_with_posts

CHANNELS = [f"chan{n}" for n in range(8)]


def accounts_body(interval: str = "interval_minutes = 60\n") -> str:
    body = '[[actors]]\nname = "Ministry"\n'
    for name in CHANNELS:
        body += f'[[actors.accounts]]\nplatform = "telegram"\nhandle = "{name}"\n{interval}'
    return body


def setup(tmp_path: Path, db: TestDatabase, site: TelegramSite, httpserver: HTTPServer) -> Path:
    for name in CHANNELS:
        site.add(channel_with_posts(name, 2))
    telegram = toml_table(["telegram"], scenario_telegram(httpserver.url_for("/")))
    return write_config(tmp_path, db, telegram + accounts_body())


def runs_per_account(db: TestDatabase) -> Counter[str]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(Account.handle).join(CollectionRun, CollectionRun.account_id == Account.id)
        )
        return Counter(handle for (handle,) in rows)


def test_workers_side_by_side_collect_each_account_once(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    config = load_config(setup(tmp_path, db, site, httpserver))
    stop = threading.Event()
    counts: list[int] = []

    def worker(n: int) -> None:
        counts.append(
            run_collect_worker(config, db.engine, follow=False, stop=stop, owner=f"collect-{n}")
        )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == len(CHANNELS)
    assert runs_per_account(db) == Counter(dict.fromkeys(CHANNELS, 1))
    with transaction(db.engine) as session:
        posts = session.execute(select(Post.account_id, Post.platform_post_id)).all()
        held = session.scalars(select(Account.lease_owner).where(Account.lease_owner.is_not(None)))
        due = session.scalars(select(Account.next_due_at)).all()
    assert len(posts) == len(set(posts)) == 2 * len(CHANNELS)  # every post stored once
    assert list(held) == []  # every lease given back
    assert all(when is not None and when > utcnow() + timedelta(minutes=50) for when in due)


def test_a_dead_workers_account_is_collected_once_its_lease_expires(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    config = load_config(setup(tmp_path, db, site, httpserver))
    run_collect(config, db.engine, account="chan0")  # the accounts exist; chan0 not due
    now = utcnow()
    with transaction(db.engine) as session:  # a worker killed while holding chan1
        session.execute(
            update(Account)
            .where(Account.handle == "chan1")
            .values(lease_owner="dead", lease_expires_at=now + timedelta(minutes=5))
        )
    report = run_collect(config, db.engine, due=True, now=now)
    collected = {a.handle for a in report.accounts}
    assert collected == set(CHANNELS) - {"chan0", "chan1"}
    later = now + timedelta(minutes=6)  # the dead worker's lease ran out
    report = run_collect(config, db.engine, due=True, now=later)
    assert [a.handle for a in report.accounts] == ["chan1"]


def test_collect_worker_needs_an_interval(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    telegram = toml_table(["telegram"], scenario_telegram(httpserver.url_for("/")))
    path = write_config(tmp_path, db, telegram + accounts_body(interval=""))
    result = invoke(path, "worker", "--stage", "collect")
    assert result.exit_code == 1
    assert "no account has interval_minutes" in result.output
