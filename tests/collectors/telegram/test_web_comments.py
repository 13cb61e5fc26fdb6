"""Comments through the public discussion widget: the pure parser on a saved page, and the web
backend asking a real HTTP server on 127.0.0.1 for a post's newest comments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from collectors.records import AccountRef, comment_post_id
from collectors.telegram.collector import TelegramCollector
from collectors.telegram.web_comments import parse_discussion_page
from tests.conftest import FIXTURES
from tests.support.config import make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.telegram_discussion import WidgetComment, discussion_page
from tests.support.telegram_scenario import scenario_telegram

HERE = FIXTURES / "telegram"
T = datetime(2026, 5, 2, 10, 0, tzinfo=UTC)
ACCOUNT = AccountRef(platform="telegram", handle="durov")


def read(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def test_the_widget_page_gives_its_comments_newest_first() -> None:
    thread = parse_discussion_page(read("discussion_widget.html"), "durov", "600")
    assert (thread.parent_post_id, thread.total, thread.complete) == ("600", 57, False)
    assert [c.platform_post_id for c in thread.comments] == [
        comment_post_id("600", n) for n in (70013, 70012, 70011)
    ]
    answer, hostile, first = thread.comments
    assert (first.author_name, first.raw) == ("Ann Lee", {"author_username": "annlee"})
    assert first.text == "first! ставка на войну" and first.reactions == {"👍": 12, "❤": 3}
    assert first.published_at == T and first.url == "https://t.me/durov/600?comment=70011"
    assert first.parent_post_id == "600" and first.media == [] and first.author_id is None
    assert hostile.author_name == HOSTILE_TEXTS[101][:64] + " \u202eevil"
    assert hostile.text == HOSTILE_TEXTS[102] and hostile.raw is None
    assert (answer.author_name, answer.reply_to_id) == ("Deleted Account", "600/c70011")
    assert answer.text == "answering Ann\nsecond line"  # the quoted reply's author is not it


def test_a_page_without_older_comments_is_complete() -> None:
    page = discussion_page("durov", 600, [WidgetComment(5, T, "only one", "Ann", "annlee")])
    thread = parse_discussion_page(page, "durov", "600")
    assert (len(thread.comments), thread.total, thread.complete) == (1, None, True)


@pytest.mark.parametrize(
    ("header", "total"),
    [
        ("740 comments", 740),
        ("1.2K comments", 1200),
        ("12 345 comments", 12345),
        ("Comments", None),
    ],
)
def test_the_header_count(header: str, total: int | None) -> None:
    page = discussion_page("durov", 600, [WidgetComment(5, T, "one", "Ann", "annlee")], total=9)
    page = page.replace(">9 comments<", f">{header}<")
    assert parse_discussion_page(page, "durov", "600").total == total


def test_an_unavailable_discussion_gives_nothing_and_vouches_for_nothing() -> None:
    thread = parse_discussion_page(read("discussion_unavailable.html"), "durov", "600")
    assert (thread.comments, thread.complete) == ([], False)


def _serve(httpserver: HTTPServer, pages: dict[str, str], asked: list[dict[str, str]]) -> None:
    def handle(request: Request) -> Response:
        asked.append({"path": request.path, **request.args})
        page = pages.get(request.path)
        if page is None or request.args.get("discussion") != "1":
            return Response("not found", status=404)
        return Response(page, content_type="text/html; charset=utf-8")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handle)


def test_the_web_backend_reads_the_widget_and_honours_the_limit(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    comments = [
        WidgetComment(n, T + timedelta(minutes=n), f"c{n}", "Ann", "annlee") for n in (1, 2, 3)
    ]
    asked: list[dict[str, str]] = []
    _serve(httpserver, {"/durov/600": discussion_page("durov", 600, comments, total=3)}, asked)
    settings = make_config(tmp_path, telegram=scenario_telegram(httpserver.url_for("/")))
    with TelegramCollector(settings.telegram_settings) as collector:
        assert not collector.counts_comments
        thread = collector.fetch_comments(ACCOUNT, "600", 2)
    assert asked == [{"path": "/durov/600", "embed": "1", "discussion": "1", "comments_limit": "2"}]
    assert [c.platform_post_id for c in thread.comments] == ["600/c3", "600/c2"]
    assert not thread.complete  # the server showed three: the third was cut
