"""The outbox end to end: a collection writes events, the dispatcher delivers each once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from monitor.alerts.dispatch import dispatch_once
from monitor.config import PolmonConfig, load_config
from monitor.keywords.rescan import rescan_keywords
from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import AlertDelivery, AlertEvent
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.monitor.alerts.outbox_support import Receiver, alerts_toml
from tests.support.alert_receivers import BOT_TOKEN, BotApiStandIn
from tests.support.config import actors_toml, make_config
from tests.support.smtp_server import closed_port
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite

KEYWORDS = """
[keywords.threats]
terms = ["arrest"]
"""


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    with Receiver() as one, Receiver() as two:
        yield one, two


def _setup(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    pair: tuple[Receiver, Receiver],
    on: str,
    **settings: object,
) -> tuple[PolmonConfig, SiteChannel]:
    channel = site.add(SiteChannel("pm", "PM", 42, 1000))
    channel.add(SitePost(1, NOW - timedelta(hours=3), text="Good morning."))
    telegram = scenario_telegram(httpserver.url_for("/"))
    urls = {"one": pair[0].url, "two": pair[1].url}
    body = actors_toml(["pm"]) + KEYWORDS + alerts_toml(tmp_path, on, urls, **settings)
    return make_config(tmp_path, db, body, telegram=telegram), channel


def _dispatch(db: TestDatabase, config: PolmonConfig, **kw: Any) -> None:
    dispatch_once(db.engine, config, **kw)


def _statuses(db: TestDatabase) -> list[tuple[str, str, int]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(AlertDelivery.channel, AlertDelivery.status, AlertDelivery.attempts).order_by(
                AlertDelivery.id
            )
        )
        return [(c, s, a) for c, s, a in rows]


def test_a_keyword_posted_alerts_once_per_rule_and_channel_and_rescan_adds_none(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receivers: tuple[Receiver, Receiver],
) -> None:
    config, channel = _setup(db, site, httpserver, tmp_path, receivers, '"keyword_hit"')
    run_collect(config, db.engine)
    _dispatch(db, config)
    assert [len(r.requests()) for r in receivers] == [0, 0]  # no term yet

    channel.add(SitePost(2, NOW - timedelta(minutes=5), text="We will arrest them."))
    run_collect(config, db.engine)
    _dispatch(db, config)
    _dispatch(db, config)
    for got in receivers:
        assert len(got.requests()) == 1
        [item] = got.requests()[0].body["items"]
        assert (item["kind"], item["term"]) == ("keyword_hit", "arrest")
    assert _statuses(db) == [("one", "delivered", 1), ("two", "delivered", 1)]

    run_collect(config, db.engine)  # the same post read again
    rescan_keywords(config, db.engine, force=True)
    _dispatch(db, config)
    assert [len(r.requests()) for r in receivers] == [1, 1]
    with transaction(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(AlertEvent)) == 3  # 2 new, 1 hit


def test_an_edit_that_gains_a_term_and_a_deletion_alert_once_each(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receivers: tuple[Receiver, Receiver],
) -> None:
    config, channel = _setup(db, site, httpserver, tmp_path, receivers, '"keyword_hit", "deleted"')
    channel.add(SitePost(2, NOW - timedelta(hours=2), text="Hello."))
    run_collect(config, db.engine)
    channel.posts[1].text = "Good morning. We will arrest them."
    channel.posts[1].edited = True
    run_collect(config, db.engine)
    _dispatch(db, config)
    del channel.posts[2]
    run_collect(config, db.engine)
    run_collect(config, db.engine)
    _dispatch(db, config)
    _dispatch(db, config)
    for got in receivers:
        kinds = [item["kind"] for r in got.requests() for item in r.body["items"]]
        assert kinds == ["keyword_hit", "deleted"]


def test_a_burst_of_hits_is_one_message_per_rule_and_channel(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receivers: tuple[Receiver, Receiver],
) -> None:
    config, channel = _setup(db, site, httpserver, tmp_path, receivers, '"keyword_hit"')
    for n in range(10, 50):
        channel.add(SitePost(n, NOW - timedelta(minutes=60 - n), text=f"arrest number {n}"))
    run_collect(config, db.engine)
    _dispatch(db, config)
    for got in receivers:
        assert len(got.requests()) == 1
        assert len(got.requests()[0].body["items"]) == 40
        assert len(set(got.event_ids())) == 40


def test_500_then_200_is_delivered_once_after_a_retry_and_retry_after_is_honoured(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receivers: tuple[Receiver, Receiver],
) -> None:
    config, channel = _setup(db, site, httpserver, tmp_path, receivers, '"keyword_hit"')
    one, two = receivers
    one.answers = [(500, {})]
    two.answers = [(503, {"Retry-After": "600"})]
    channel.add(SitePost(2, NOW - timedelta(minutes=5), text="We will arrest them."))
    run_collect(config, db.engine)
    now = utcnow()
    _dispatch(db, config, now=now)
    assert _statuses(db) == [("one", "pending", 1), ("two", "pending", 1)]
    # backoff 30 s for "one"; "two" asked for 600 s
    _dispatch(db, config, now=now + timedelta(seconds=31))
    assert _statuses(db) == [("one", "delivered", 2), ("two", "pending", 1)]
    _dispatch(db, config, now=now + timedelta(seconds=599))
    assert len(two.requests()) == 1
    _dispatch(db, config, now=now + timedelta(seconds=601))
    assert _statuses(db) == [("one", "delivered", 2), ("two", "delivered", 2)]
    for got in receivers:
        assert got.requests()[-1].status < 300
        assert len({r.message_id for r in got.requests()}) == 1  # the resend kept its id
        assert len(got.event_ids()) == 1


def test_a_receiver_down_past_give_up_is_recorded_failed_and_the_event_kept(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receivers: tuple[Receiver, Receiver],
) -> None:
    config, channel = _setup(
        db, site, httpserver, tmp_path, receivers, '"keyword_hit"', give_up_hours=1
    )
    one, _ = receivers
    one.answers = [(500, {})] * 20
    channel.add(SitePost(2, NOW - timedelta(minutes=5), text="We will arrest them."))
    run_collect(config, db.engine)
    now = utcnow()
    for minutes in (0, 1, 3, 10, 30, 61, 62, 120):
        _dispatch(db, config, now=now + timedelta(minutes=minutes))
    assert _statuses(db)[0][:2] == ("one", "failed")
    assert _statuses(db)[1] == ("two", "delivered", 1)
    with transaction(db.engine) as session:
        failed = session.scalars(select(AlertDelivery).where(AlertDelivery.status == "failed"))
        [delivery] = list(failed)
        assert delivery.last_error and "500" in delivery.last_error
        event = session.get_one(AlertEvent, delivery.event_id)
        assert event.kind == "keyword_hit"
    assert all(r.status == 500 for r in one.requests())
    attempts = len(one.requests())
    _dispatch(db, config, now=now + timedelta(hours=5))
    assert len(one.requests()) == attempts  # given up: no more sends


def test_configured_channels_are_built_and_one_unreachable_does_not_stop_the_others(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receivers: tuple[Receiver, Receiver],
) -> None:
    token = tmp_path / "bot-token"
    token.write_text(BOT_TOKEN)
    token.chmod(0o600)
    bot_server = HTTPServer(host="127.0.0.1", port=0)
    bot_server.start()
    try:
        bot = BotApiStandIn(bot_server).install()
        with closed_port() as refusing:
            config, channel = _setup(db, site, httpserver, tmp_path, receivers, '"keyword_hit"')
            assert config.source is not None
            body = config.source.read_text().replace(
                'channels = ["one", "two"]', 'channels = ["one", "bot", "down"]'
            )
            body += (
                f'[[alerts.channels]]\nname = "bot"\nkind = "telegram"\nchat_id = "-100123"\n'
                f'token_file = "{token}"\napi_base_url = "{bot.base_url}"\n'
                f'[[alerts.channels]]\nname = "down"\nkind = "webhook"\n'
                f'url = "http://127.0.0.1:{refusing}/hook"\n'
                f'secret_file = "{tmp_path / "webhook-secret"}"\n'
            )
            config.source.write_text(body)
            config = load_config(config.source)
            channel.add(SitePost(2, NOW - timedelta(minutes=5), text="We will <b>arrest</b> it."))
            run_collect(config, db.engine)
            report = dispatch_once(db.engine, config)
    finally:
        bot_server.stop()
    assert (report.messages_sent, report.retrying) == (2, 1)
    assert len(receivers[0].requests()) == 1
    [sent] = bot.sent
    assert "We will <b>arrest</b> it." in sent.visible  # escaped: shown as written
    assert sorted(_statuses(db)) == [
        ("bot", "delivered", 1),
        ("down", "pending", 1),
        ("one", "delivered", 1),
    ]


def test_new_posts_and_edits_alert_with_the_text_they_had(
    db: TestDatabase,
    site: TelegramSite,
    httpserver: HTTPServer,
    tmp_path: Path,
    receivers: tuple[Receiver, Receiver],
) -> None:
    config, channel = _setup(db, site, httpserver, tmp_path, receivers, '"new_post", "edited"')
    run_collect(config, db.engine)
    channel.posts[1].text = "Good evening, now."
    channel.posts[1].edited = True
    run_collect(config, db.engine)
    _dispatch(db, config)
    items = [item for r in receivers[0].requests() for item in r.body["items"]]
    assert [(i["kind"], i["snippet"], i["actor"], i["account"]) for i in items] == [
        ("new_post", "Good evening, now.", "Owner of pm", "pm"),
        ("edited", "Good evening, now.", "Owner of pm", "pm"),
    ]
    assert items[1]["event_id"].startswith("post:") and ":v" in items[1]["event_id"]
