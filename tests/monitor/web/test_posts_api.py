"""`/posts/<id>` and `/api/posts/<id>`: versions with diffs, deletion, metrics, transcript, hits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from monitor.queries.post_page import diff_parts, web_link
from storage.engine import transaction
from storage.models import PostMetric
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config
from tests.support.factories import T0
from tests.support.web import live_server, sign_in, web_client

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@dataclass
class Site:
    client: httpx.Client
    edited: int
    deleted: int
    video: int
    hostile: int


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[Site]:
    config = make_config(tmp_path, db)
    with transaction(db.engine) as session:
        owner = factories.account(
            session, factories.actor(session, "Hun Sen"), "telegram", "samdech"
        )
        edited = factories.post(
            session, owner, "Traitors will be arrested.", edited_at=T0 + timedelta(hours=2)
        )
        factories.version(session, edited, "Traitors will be punished.", T0)
        factories.version(session, edited, "Traitors will be arrested.", T0 + timedelta(hours=3))
        for hours, views in ((1, 100), (5, 250)):
            session.add(
                PostMetric(
                    post_id=edited.id,
                    captured_at=T0 + timedelta(hours=hours),
                    views=views,
                    reactions={"👍": views // 10},
                )
            )
        deleted = factories.post(
            session, owner, "Posted by mistake.", deleted_at=T0 + timedelta(days=1)
        )
        video = factories.post(session, owner, "Watch.", kind="video")
        said = factories.transcript(
            session,
            video,
            [
                (0.0, "Good morning."),
                (12.5, "We will arrest them."),
                (30.0, "Thank you " * 6, True),
            ],
        )
        said.segments[0].avg_logprob = -0.9  # unsure, not flagged
        said.segments[1].avg_logprob = -0.1
        session.flush()
        factories.hit(
            session,
            video,
            "threats",
            "arrest",
            "transcript",
            segment_id=said.segments[1].id,
            start_seconds=12.5,
            snippet="We will arrest them.",
        )
        hostile = factories.post(session, owner, HOSTILE, url="javascript:alert(3)")
        ids = (edited.id, deleted.id, video.id, hostile.id)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield Site(client, *ids)


def test_an_edited_post_has_every_version_with_a_word_diff(site: Site) -> None:
    page = site.client.get(f"/api/posts/{site.edited}").json()
    assert page["post"]["text"] == "Traitors will be arrested."
    assert [v["text"] for v in page["versions"]] == [
        "Traitors will be punished.",
        "Traitors will be arrested.",
    ]
    assert page["versions"][0]["diff"] == []
    assert page["versions"][1]["diff"] == [
        {"op": "same", "text": "Traitors will be "},
        {"op": "removed", "text": "punished."},
        {"op": "added", "text": "arrested."},
    ]
    assert page["versions"][1]["seen_at"].startswith("2025-03-01T15:00:00")
    assert [(m["views"], m["reactions"]) for m in page["metrics"]] == [
        (100, {"👍": 10}),
        (250, {"👍": 25}),
    ]
    html = site.client.get(f"/posts/{site.edited}").text
    assert "<del>punished.</del>" in html and "<ins>arrested.</ins>" in html
    assert "Version 2" in html and "2025-03-01 15:00:00 UTC" in html


def test_a_deleted_post_is_marked_with_its_detection_time_and_keeps_its_text(
    site: Site,
) -> None:
    page = site.client.get(f"/api/posts/{site.deleted}").json()
    assert page["post"]["deleted_at"].startswith("2025-03-02T12:00:00")
    html = site.client.get(f"/posts/{site.deleted}").text
    assert 'class="deleted-banner"' in html
    assert "deletion detected" in html and "2025-03-02 12:00 UTC" in html
    assert "Posted by mistake." in html
    live = site.client.get(f"/posts/{site.edited}").text
    assert "deleted-banner" not in live


def test_a_video_post_has_its_transcript_with_times_flags_and_hits(site: Site) -> None:
    page = site.client.get(f"/api/posts/{site.video}").json()
    (media,) = page["media"]
    assert media["player"] is None  # no file downloaded: nothing to play
    segments = media["segments"]
    assert [s["start_seconds"] for s in segments] == [0.0, 12.5, 30.0]
    assert [(s["low_confidence"], s["hallucination"]) for s in segments] == [
        (True, False),
        (False, False),
        (False, True),
    ]
    assert segments[1]["hit_terms"] == ["arrest"]
    (hit,) = page["hits"]
    assert hit["start_seconds"] == 12.5 and hit["media_position"] == 0
    assert hit["platform_link"] == "https://t.me/samdech/" + page["post"]["post_id"] + "?t=12"
    html = site.client.get(f"/posts/{site.video}?t=12.5").text
    assert 'data-seek="12.5"' in html and 'href="#t=12.5"' in html
    assert 'class="segment hallucination"' in html and "likely hallucination" in html
    assert 'class="segment low-confidence"' in html
    assert "<script" not in html.split("<main>")[1].split("</main>")[0]  # scripts are files


def test_hostile_text_is_escaped_and_a_javascript_url_never_linked(site: Site) -> None:
    page = site.client.get(f"/api/posts/{site.hostile}").json()
    assert page["post"]["text"] == HOSTILE and page["link"] is None
    html = site.client.get(f"/posts/{site.hostile}").text
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_unknown_and_malformed_post_ids(site: Site) -> None:
    assert site.client.get("/api/posts/999999").status_code == 404
    assert site.client.get("/posts/999999").status_code == 404
    assert site.client.get("/api/posts/abc").status_code == 422
    assert site.client.get(f"/api/posts/{2**64}").status_code == 422
    assert site.client.get(f"/posts/{site.video}?t=-1").status_code == 422


def test_diff_parts_and_web_links() -> None:
    assert diff_parts(None, "new text") == [{"op": "added", "text": "new text"}]
    assert diff_parts("a b c", "a b c") == [{"op": "same", "text": "a b c"}]
    assert diff_parts("one two", "one") == [
        {"op": "same", "text": "one"},
        {"op": "removed", "text": " two"},
    ]
    assert web_link("https://t.me/x/1") == "https://t.me/x/1"
    assert web_link("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,x", " ", None, "//evil.example"):
        assert web_link(bad) is None
