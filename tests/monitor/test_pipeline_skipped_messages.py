"""One unreadable t.me message costs only itself: the page's other posts are stored, the pass
says what was skipped, and a skipped post is never taken as deleted (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Response

from monitor.pipeline import run_collect
from tests.conftest import TestDatabase
from tests.support.config import actors_toml, make_config
from tests.support.telegram_scenario import scenario_telegram, stored_posts
from tests.support.telegram_site import TelegramSite, channel_page_html, channel_with_posts


def _page(html: str) -> Response:
    return Response(html, content_type="text/html; charset=utf-8")


def test_a_message_without_time_is_skipped_and_kept_alive(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(channel_with_posts("official", 25, first_id=100))
    config = make_config(
        tmp_path, db, actors_toml(["official"]), telegram=scenario_telegram(httpserver.url_for("/"))
    )
    assert run_collect(config, db.engine, platform="telegram").accounts[0].new == 25

    bad = channel.posts[122]  # on the first page (the 20 newest)
    html = channel_page_html(channel)
    html = html.replace(f'<time datetime="{bad.date.isoformat()}"', '<time datetime=""')
    site.fault("/s/official", _page(html))
    [report] = run_collect(config, db.engine, platform="telegram").accounts

    assert report.status == "partial" and report.skipped == 1
    assert report.error is not None and f"official/{bad.id} has an unreadable time" in report.error
    assert report.deleted == 0
    stored = stored_posts(db.engine, "official")
    assert len(stored) == 25 and all(post.deleted_at is None for post in stored.values())


def test_a_message_without_id_stops_deletions_for_the_pass(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(channel_with_posts("official", 25, first_id=100))
    config = make_config(
        tmp_path, db, actors_toml(["official"]), telegram=scenario_telegram(httpserver.url_for("/"))
    )
    run_collect(config, db.engine, platform="telegram")

    gone = channel.posts.pop(123)  # really deleted on the platform
    bad = channel.posts[122]
    html = channel_page_html(channel).replace(
        f'data-post="official/{bad.id}"', 'data-post="official/x"'
    )
    site.fault("/s/official", _page(html))
    [report] = run_collect(config, db.engine, platform="telegram").accounts

    assert report.status == "partial" and report.skipped == 1
    assert report.error is not None and "no deletions marked this pass" in report.error
    stored = stored_posts(db.engine, "official")
    assert stored[str(gone.id)].deleted_at is None  # cannot be told apart from the bad one

    [healed] = run_collect(config, db.engine, platform="telegram").accounts  # page reads again
    assert (healed.status, healed.skipped, healed.deleted) == ("ok", 0, 1)
    assert stored_posts(db.engine, "official")[str(gone.id)].deleted_at is not None
