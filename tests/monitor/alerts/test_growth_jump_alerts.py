"""An audience jump seen by a collection reaches a signed webhook once, with its figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from monitor.alerts.dispatch import dispatch_once
from monitor.alerts.format import item_line
from monitor.alerts.message import AlertItem
from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import Account
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.monitor.alerts.outbox_support import Receiver, alerts_toml
from tests.monitor.alerts.test_webhook_schema import validator
from tests.support import factories
from tests.support.config import actors_toml, make_config
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import SiteChannel, TelegramSite


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()
    with got:
        yield got


def test_a_follower_jump_alerts_once_with_from_to_and_percent(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receiver: Receiver,
) -> None:
    channel = site.add(SiteChannel("pm", "PM", 42, 12_000))
    body = actors_toml(["pm"]) + alerts_toml(tmp_path, '"growth_jump"', {"hook": receiver.url})
    body += "[growth]\njump_threshold_percent = 50\njump_min_change = 2000\n"
    config = make_config(tmp_path, db, body, telegram=scenario_telegram(httpserver.url_for("/")))
    run_collect(config, db.engine)  # the first capture: nothing to compare with
    with transaction(db.engine) as session:
        account = session.scalars(select(Account)).one()
        yesterday = utcnow() - timedelta(days=1)
        factories.snapshots(session, account, [(0, 7_000)], start=yesterday)
    run_collect(config, db.engine)  # 12,000 against yesterday's 7,000: +71 %
    channel.subscribers = 12_100
    run_collect(config, db.engine)  # the same day again: no second alert
    dispatch_once(db.engine, config)
    dispatch_once(db.engine, config)

    [request] = receiver.requests()
    [item] = request.body["items"]
    assert (item["kind"], item["account"], item["actor"]) == ("growth_jump", "pm", "Owner of pm")
    detail = item["detail"]
    assert (detail["direction"], detail["from"], detail["to"], detail["percent"]) == (
        "jump",
        7_000,
        12_000,
        71.43,
    )
    assert [error.message for error in validator().iter_errors(receiver.received[0].payload)] == []
    line = item_line(AlertItem(**{**item, "occurred_at": utcnow(), "detected_at": utcnow()}), "UTC")
    assert "audience jumped: followers 7,000 → 12,000 (+71.43%) since " in line

    channel.subscribers = 3_000  # -57 %: a drop the same day is its own alert
    run_collect(config, db.engine)
    dispatch_once(db.engine, config)
    assert [r.body["items"][0]["detail"]["direction"] for r in receiver.requests()] == [
        "jump",
        "drop",
    ]
