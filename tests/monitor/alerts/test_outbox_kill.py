"""`polmon alerts dispatch` or `polmon run` SIGKILLed mid-send: after a restart every event is
delivered, and a message sent twice carries one webhook-id."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from monitor.config import PolmonConfig
from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import AlertDelivery, AlertEvent
from tests.conftest import TestDatabase, run_polmon
from tests.monitor.alerts.outbox_support import Receiver, alerts_toml
from tests.monitor.test_scheduler_daemon import wait_for
from tests.support.config import actors_toml, make_config
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite

LEASE_SECONDS = 1


def _deliveries(db: TestDatabase) -> list[tuple[str, str | None]]:
    with transaction(db.engine) as session:
        rows = session.execute(select(AlertDelivery.status, AlertDelivery.message_id))
        return [(status, message_id) for status, message_id in rows]


def _hit_keys(db: TestDatabase) -> list[str]:
    with transaction(db.engine) as session:
        query = select(AlertEvent.event_key).where(AlertEvent.kind == "keyword_hit")
        return sorted(session.scalars(query))


def _write_config(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    hook: Receiver,
    posts: int,
    extra: str = "",
    **settings: object,
) -> PolmonConfig:
    """A channel with `posts` posts saying "arrest", one rule on keyword hits to `hook`."""
    channel = site.add(SiteChannel("pm", "PM", 42, 1000))
    for n in range(1, posts + 1):
        channel.add(SitePost(n, NOW - timedelta(minutes=10 - n), text=f"arrest {n}"))
    alerts = alerts_toml(
        tmp_path,
        '"keyword_hit"',
        {"hook": hook.url},
        dispatch_lease_seconds=LEASE_SECONDS,
        **settings,
    )
    body = actors_toml(["pm"]) + '[keywords.threats]\nterms = ["arrest"]\n' + alerts + extra
    return make_config(tmp_path, db, body, telegram=scenario_telegram(httpserver.url_for("/")))


@pytest.mark.slow
def test_sigkill_between_send_and_mark_resends_the_same_message_once(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    with Receiver(hold_first=True) as hook:
        config = _write_config(db, site, httpserver, tmp_path, hook, 5)
        config_path = tmp_path / "polmon.toml"
        run_collect(config, db.engine)  # the events are in the outbox, nothing sent yet
        expected = _hit_keys(db)
        assert len(expected) == 5

        dispatcher = start_polmon(
            ["--config", str(config_path), "alerts", "dispatch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert hook.arrived.wait(120), "the dispatcher never sent"
            os.kill(dispatcher.pid, signal.SIGKILL)  # sent, not yet marked delivered
            dispatcher.wait(60)
        finally:
            hook.release.set()
            if dispatcher.poll() is None:
                dispatcher.kill()
        assert [status for status, _ in _deliveries(db)] == ["pending"] * 5

        time.sleep(LEASE_SECONDS + 0.5)  # the killed dispatcher's lease runs out
        restarted = run_polmon("--config", str(config_path), "alerts", "dispatch")
        assert restarted.returncode == 0, restarted.stderr
        rerun = run_polmon("--config", str(config_path), "alerts", "dispatch")
        assert rerun.returncode == 0, rerun.stderr

    assert {status for status, _ in _deliveries(db)} == {"delivered"}
    requests = hook.requests()
    assert len(requests) == 2  # the send the kill interrupted, and the resend
    assert requests[0].message_id == requests[1].message_id
    assert hook.event_ids() == expected


RUN_JOBS = """
[schedule.jobs.collect]
task = "collect"
interval_minutes = 60
"""


@contextmanager
def _polmon_run(config_path: Path, log: Path) -> Iterator[PolmonProcess]:
    with log.open("a") as out:
        process = start_polmon(
            ["--config", str(config_path), "run"],
            cwd=config_path.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.slow
def test_sigkill_of_polmon_run_before_delivery_is_delivered_once_after_restart(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    log = tmp_path / "run.log"
    with Receiver(hold_first=True) as hook:
        _write_config(
            db, site, httpserver, tmp_path, hook, 3, RUN_JOBS, dispatch_interval_seconds=0.5
        )
        config_path = tmp_path / "polmon.toml"
        with _polmon_run(config_path, log) as first:
            try:
                assert hook.arrived.wait(120), log.read_text()[-3000:]
                os.kill(first.pid, signal.SIGKILL)  # collected and sent, not marked delivered
                first.wait(60)
            finally:
                hook.release.set()
        assert {status for status, _ in _deliveries(db)} == {"pending"}
        expected = _hit_keys(db)
        assert len(expected) == 3

        with _polmon_run(config_path, log) as second:
            wait_for(
                lambda: {status for status, _ in _deliveries(db)} == {"delivered"},
                "the restarted polmon run to deliver",
                second,
            )
            second.send_signal(signal.SIGTERM)
            assert second.wait(60) == 0, log.read_text()[-3000:]

    requests = hook.requests()
    assert len(requests) == 2
    assert requests[0].message_id == requests[1].message_id
    assert hook.event_ids() == expected
