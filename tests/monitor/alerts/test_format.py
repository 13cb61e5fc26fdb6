"""The shared words of an alert: one line per item, in the configured timezone."""

from __future__ import annotations

from datetime import datetime

import pytest

from monitor.alerts.format import headline, item_line, local_time, plain_text, post_link
from tests.support.alert_receivers import sample_item, sample_message


def test_a_keyword_said_in_a_video_is_one_line_with_everything() -> None:
    line = item_line(sample_item(), "Asia/Phnom_Penh")
    assert line == (
        "2026-05-02 13:30 +07 — Hun Manet (@hunmanet, youtube) said “cut the legs” at 1:15"
        " [threats]: “we will cut the legs of those who”"
        " https://www.youtube.com/watch?v=abc123&t=75s (polmon: https://polmon.example.org/posts/42)"
    )


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        (
            {"source": "posts", "seconds": None},
            "Hun Manet (@hunmanet, youtube) wrote “cut the legs”",
        ),
        (
            {"kind": "new_post", "term": None, "group": None},
            "Hun Manet (@hunmanet, youtube) posted",
        ),
        ({"kind": "edited", "term": None, "group": None}, "edited a post"),
        ({"kind": "deleted", "term": None, "group": None}, "deleted a post"),
        (
            {"kind": "account_event", "detail": {"summary": "renamed to\n“PM Office”"}},
            "account changed: renamed to “PM Office”",
        ),
        ({"kind": "growth_jump", "detail": {"summary": 3}}, "audience jumped"),
        ({"actor": None, "account": None, "platform": None}, "unknown account said"),
    ],
)
def test_each_kind_says_what_happened(overrides: dict[str, object], said: str) -> None:
    assert said in item_line(sample_item(**overrides), "UTC")


def test_only_http_links_are_shown_and_text_is_one_line() -> None:
    item = sample_item(
        link="javascript:alert(1)", web_link=None, snippet="first line\n\nsecond\tline"
    )
    line = item_line(item, "UTC")
    assert "javascript" not in line and "polmon:" not in line
    assert "“first line second line”" in line and "\n" not in line


def test_a_long_snippet_is_shortened() -> None:
    line = item_line(sample_item(snippet="word " * 500), "UTC")
    assert line.count("word") < 80 and "…”" in line


def test_times_are_shown_in_the_zone_and_an_unknown_zone_falls_back_to_utc() -> None:
    moment = datetime(2026, 1, 15, 23, 30)  # naive: taken as UTC
    assert local_time(moment, "Europe/Paris") == "2026-01-16 00:30 CET"
    assert local_time(moment, "Not/AZone") == "2026-01-15 23:30 UTC"


def test_the_plain_text_and_headline_of_a_bundle() -> None:
    items = [sample_item(event_id=f"e{n}", term=f"term {n}") for n in range(3)]
    message = sample_message(*items)
    assert (
        headline(message)
        == "threats: Hun Manet (@hunmanet, youtube) said “term 0” at 1:15 (+2 more)"
    )
    text = plain_text(message, items[:2])
    lines = text.splitlines()
    assert lines[0] == "polmon alert — rule threats: 3 events"
    assert ["“term 0”" in lines[2], "“term 1”" in lines[3]] == [True, True]
    assert lines[-1] == "… and 1 more"


@pytest.mark.parametrize(
    ("platform", "link", "expected"),
    [
        (
            "youtube",
            "https://www.youtube.com/watch?v=abc123",
            "https://www.youtube.com/watch?v=abc123&t=75s",
        ),
        (
            "youtube",
            "https://www.youtube.com/watch?v=abc123&t=3",
            "https://www.youtube.com/watch?v=abc123&t=75s",
        ),
        ("tiktok", "https://www.tiktok.com/@pm/video/1", "https://www.tiktok.com/@pm/video/1"),
    ],
)
def test_a_term_said_in_a_video_links_to_its_second(
    platform: str, link: str, expected: str
) -> None:
    item = sample_item(platform=platform, link=link, seconds=75.9)
    assert post_link(item) == expected
    assert expected in item_line(item, "UTC")
    assert post_link(sample_item(link=link, seconds=None)) == link
