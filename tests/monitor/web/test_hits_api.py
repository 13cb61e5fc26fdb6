"""`/hits`, `/api/hits`, `/api/hits/trends`: filters from the URL, exports in the CLI's shapes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from monitor.queries.hits import HIT_COLUMNS
from storage.engine import transaction
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config
from tests.support.factories import T0
from tests.support.web import live_server, sign_in, web_client

DAY = timedelta(days=1)
KEYWORDS = '[keywords.threats]\nterms = ["arrest"]\n[keywords.platforms]\nterms = ["TikTok"]\n'


@dataclass
class Site:
    client: httpx.Client
    config_path: Path
    video: int


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[Site]:
    config = make_config(tmp_path, db, KEYWORDS)
    with transaction(db.engine) as session:
        hun = factories.actor(session, "Hun Sen")
        rainsy = factories.actor(session, "Sam Rainsy")
        tg = factories.account(session, hun, "telegram", "samdech")
        fb = factories.account(session, rainsy, "facebook", "rainsy")
        text_post = factories.post(session, tg, "We will arrest traitors.", published_at=T0)
        factories.hit(session, text_post, "threats", "arrest", snippet="We will «arrest» them")
        video = factories.post(session, tg, "Video", published_at=T0 + DAY, kind="video")
        factories.hit(
            session,
            video,
            "threats",
            "arrest",
            "transcript",
            start_seconds=12.5,
            snippet="said arrest",
            link=f"{video.url}?t=12",
        )
        factories.hit(session, video, "platforms", "TikTok", "post", snippet="TikTok")
        other = factories.post(session, fb, "arrest <b>x</b>", published_at=T0 + 3 * DAY)
        factories.hit(session, other, "threats", "arrest", snippet="arrest <b>x</b>")
        video_id = video.id
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield Site(client, tmp_path / "polmon.toml", video_id)


def terms(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["group"], r["term"], r["actor"], r["source"]) for r in rows]


def test_each_filter_narrows_the_hits(site: Site) -> None:
    def hits(**params: str) -> list[tuple[object, ...]]:
        response = site.client.get("/api/hits", params=params)
        assert response.status_code == 200, response.text
        return terms(response.json())

    assert len(hits()) == 4
    assert hits(group="platforms") == [("platforms", "TikTok", "Hun Sen", "post")]
    assert hits(group="THREATS", source="transcript") == [
        ("threats", "arrest", "Hun Sen", "transcript")
    ]
    assert hits(actor="sam rainsy") == [("threats", "arrest", "Sam Rainsy", "post")]
    assert hits(platform="facebook") == hits(actor="Sam Rainsy")
    assert len(hits(term="arrest")) == 3
    assert len(hits(source="post")) == 3
    assert len(hits(since="2025-03-02", until="2025-03-03")) == 2
    assert len(hits(since="", group="", limit="0")) == 4  # empty form fields mean "any"
    assert len(hits(limit="1")) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"actor": "Nobody"},
        {"group": "nope"},
        {"since": "yesterday-ish"},
        {"until": "99999999999d"},
        {"since": "0001-01-01T00:00+05:00"},
        {"term": "a\x00b"},
        {"platform": "myspace"},
        {"source": "comments"},
    ],
)
def test_bad_filters_are_400_with_the_reason(site: Site, params: dict[str, str]) -> None:
    response = site.client.get("/api/hits", params=params)
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    page = site.client.get("/hits", params=params)
    assert page.status_code == 400 and 'class="error"' in page.text


def test_a_transcript_hit_opens_its_post_at_the_second_said(site: Site) -> None:
    (row,) = site.client.get("/api/hits", params={"source": "transcript"}).json()
    assert row["post_id"] == site.video and row["start_seconds"] == 12.5
    html = site.client.get("/hits", params={"source": "transcript"}).text
    assert f'href="/posts/{site.video}?t=12.5#t=12.5"' in html


def test_exports_have_the_cli_shapes_and_follow_the_filters(site: Site) -> None:
    csv_response = site.client.get("/hits", params={"group": "threats", "format": "csv"})
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert 'filename="hits.csv"' in csv_response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert tuple(rows[0]) == HIT_COLUMNS and len(rows) == 3
    cli = invoke(site.config_path, "hits", "--group", "threats", "--format", "csv")
    assert cli.exit_code == 0
    as_cli = list(csv.reader(io.StringIO(cli.output)))
    assert list(csv.reader(io.StringIO(csv_response.text))) == as_cli
    json_rows = site.client.get("/hits", params={"group": "threats", "format": "json"}).json()
    cli_json = invoke(site.config_path, "hits", "--group", "threats", "--format", "json")
    assert json_rows == json.loads(cli_json.output)
    page = site.client.get("/hits", params={"group": "threats"}).text
    assert 'href="?group=threats&amp;limit=100&amp;format=csv"' in page


def test_trends_count_hits_per_group_and_period(site: Site) -> None:
    rows = site.client.get("/api/hits/trends").json()
    assert [(r["group"], r["actor"], r["period_start"], r["hits"]) for r in rows] == [
        ("platforms", "Hun Sen", "2025-03-02", 1),
        ("threats", "Hun Sen", "2025-03-01", 1),
        ("threats", "Hun Sen", "2025-03-02", 1),
        ("threats", "Sam Rainsy", "2025-03-04", 1),
    ]
    weekly = site.client.get("/api/hits/trends", params={"interval": "week", "source": "post"})
    assert [(r["group"], r["period_start"], r["hits"]) for r in weekly.json()] == [
        ("platforms", "2025-02-24", 1),
        ("threats", "2025-02-24", 1),
        ("threats", "2025-03-03", 1),
    ]
    assert site.client.get("/api/hits/trends", params={"interval": "year"}).status_code == 422
    page = site.client.get("/hits", params={"term": "arrest", "interval": "week"}).text
    assert 'data-trends-url="/api/hits/trends?term=arrest&amp;interval=week"' in page


def test_hit_snippets_are_escaped(site: Site) -> None:
    html = site.client.get("/hits", params={"platform": "facebook"}).text
    assert "arrest &lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
