"""A renamed channel in web mode: another channel at its old username is reported, never
collected into the account; once the new username is known (Telethon followed the channel by
id), the web preview reads the channel there. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer

from monitor.pipeline import run_collect
from storage.accounts import record_rename
from storage.engine import transaction
from storage.models import Account
from tests.conftest import TestDatabase
from tests.support.config import actors_toml, make_config
from tests.support.telegram_scenario import (
    account_row,
    events,
    scenario_telegram,
    stored_posts,
)
from tests.support.telegram_site import NOW, SitePost, TelegramSite, channel_with_posts


def test_another_channel_at_the_old_username_is_reported_not_collected(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    original = site.add(channel_with_posts("speeches", 3))
    config = make_config(
        tmp_path,
        db,
        actors_toml(["speeches"]),
        telegram=scenario_telegram(httpserver.url_for("/")),
    )
    run_collect(config, db.engine)
    channel_id = account_row(db.engine, "speeches")["platform_id"]
    assert channel_id == str(original.channel_id)

    # The channel becomes @speeches_gov; someone else registers @speeches.
    site.channels.pop("speeches")
    original.username = "speeches_gov"
    original.add(SitePost(4, NOW - timedelta(minutes=5), text="after the rename"))
    site.add(original)
    squatter = channel_with_posts("speeches", 2, first_id=900)
    squatter.channel_id = 4242
    site.add(squatter)

    [report] = run_collect(config, db.engine).accounts
    assert report.status == "failed"
    assert "now belongs to another channel" in (report.error or "")
    assert sorted(stored_posts(db.engine, "speeches"), key=int) == ["1", "2", "3"]
    assert account_row(db.engine, "speeches")["status"] == "unavailable"
    [(kind, detail)] = events(db.engine, "speeches")
    assert kind == "handle_reassigned" and detail is not None
    assert (detail["old_id"], detail["new_id"]) == (channel_id, "4242")

    # Telethon followed the channel by id and recorded its new username: the web reads it
    # there, into the same account.
    with transaction(db.engine) as session:
        account_id = session.query(Account.id).filter_by(handle="speeches").scalar()
        record_rename(session, account_id, "speeches", "speeches_gov", "https://t.me/speeches_gov")
    site.requests.clear()
    [report] = run_collect(config, db.engine).accounts
    assert (report.status, report.new) == ("ok", 1)
    assert site.requests[:2] == ["/speeches_gov", "/s/speeches_gov"]
    assert stored_posts(db.engine, "speeches")["4"].text == "after the rename"
    assert "900" not in stored_posts(db.engine, "speeches")
    assert [kind for kind, _ in events(db.engine, "speeches")] == [
        "handle_reassigned",
        "renamed",
        "came_back",
    ]
    assert account_row(db.engine, "speeches")["status"] == "active"
