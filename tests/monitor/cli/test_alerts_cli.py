"""`polmon alerts dispatch|test|list`, the alert lines of `polmon status` and the digest health."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.alerts.dispatch import dispatch_once
from monitor.digest.data import Period, Scope
from monitor.pipeline import run_collect
from monitor.queries.digest.health import failures
from storage.engine import transaction
from storage.types import utcnow
from tests.conftest import TestDatabase, invoke
from tests.monitor.alerts.outbox_support import Receiver, alerts_toml
from tests.support.config import actors_toml, make_config
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


def test_test_sends_one_signed_message_and_unknown_channels_are_named(
    db: TestDatabase, tmp_path: Path, hook: Receiver
) -> None:
    make_config(tmp_path, db, alerts_toml(tmp_path, '"deleted"', {"hook": hook.url}))
    config = tmp_path / "polmon.toml"
    result = invoke(config, "alerts", "test", "hook")
    assert result.exit_code == 0, result.output
    [request] = hook.requests()
    assert [item["kind"] for item in request.body["items"]] == ["test"]
    unknown = invoke(config, "alerts", "test", "nope")
    assert unknown.exit_code == 2
    assert "hook" in unknown.output


def test_failures_are_listed_shown_in_status_and_in_the_digest_health(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    hook: Receiver,
) -> None:
    hook.answers = [(500, {})] * 10
    channel = site.add(SiteChannel("pm", "PM", 42, 1000))
    channel.add(SitePost(1, NOW - timedelta(minutes=5), text="We will arrest them."))
    alerts = alerts_toml(tmp_path, '"keyword_hit"', {"hook": hook.url}, give_up_hours=1)
    body = actors_toml(["pm"]) + '[keywords.threats]\nterms = ["arrest"]\n' + alerts
    config = make_config(tmp_path, db, body, telegram=scenario_telegram(httpserver.url_for("/")))
    path = tmp_path / "polmon.toml"
    run_collect(config, db.engine)

    dispatched = invoke(path, "alerts", "dispatch")
    assert dispatched.exit_code == 1
    assert "1 to retry" in dispatched.output
    pending = json.loads(invoke(path, "alerts", "list", "--format", "json").output)
    assert [(row["status"], row["kind"], row["attempts"]) for row in pending] == [
        ("pending", "keyword_hit", 1)
    ]
    counts = json.loads(invoke(path, "status", "--section", "alerts", "--format", "json").output)
    assert (counts["pending"], counts["failed"]) == (1, 0)
    period = Period(utcnow() - timedelta(days=1), utcnow() + timedelta(hours=3))
    with transaction(db.engine) as session:
        assert [(f.source, f.status) for f in failures(session, period, Scope("all"))] == [
            ("alerts", "retrying")
        ]

    dispatch_once(db.engine, config, now=utcnow() + timedelta(hours=2))
    failed = json.loads(
        invoke(path, "alerts", "list", "--status", "failed", "--format", "json").output
    )
    assert len(failed) == 1 and "500" in failed[0]["last_error"]
    assert (
        invoke(path, "alerts", "list", "--status", "pending")
        .output.strip()
        .endswith("no alert deliveries pending")
    )
    counts = json.loads(invoke(path, "status", "--section", "alerts", "--format", "json").output)
    assert (counts["pending"], counts["failed"]) == (0, 1)
    with transaction(db.engine) as session:
        [item] = failures(session, period, Scope("all"))
    assert (item.source, item.status) == ("alerts", "failed")
    assert "given up" in item.what
