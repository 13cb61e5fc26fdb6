"""`/search` and `/api/search`: the CLI's search, Khmer with zero-width spaces, safe highlights."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from monitor.cli.search import SEARCH_COLUMNS as CLI_SEARCH_COLUMNS
from monitor.queries.search_page import SEARCH_COLUMNS, highlight, unmarked
from storage.engine import transaction
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config
from tests.support.factories import T0
from tests.support.web import live_server, sign_in, web_client

KHMER = "សារពិសេស: ពួកក្បត់ជាតិនឹងត្រូវចាប់ខ្លួន។"
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script> arrest now"


@dataclass
class Site:
    client: httpx.Client
    config_path: Path
    khmer: int
    video: int


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[Site]:
    config = make_config(tmp_path, db)
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Hun Sen"), "telegram", "pm")
        khmer = factories.post(session, owner, KHMER, published_at=T0)
        factories.post(session, owner, HOSTILE, published_at=T0 + timedelta(hours=1))
        video = factories.post(session, owner, "Video", kind="video", published_at=T0)
        factories.transcript(session, video, [(0.0, "Hello."), (42.0, "We will arrest them.")])
        ids = (khmer.id, video.id)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield Site(client, tmp_path / "polmon.toml", *ids)


def test_a_khmer_query_typed_with_a_zero_width_space_still_matches(site: Site) -> None:
    typed = "ក្បត់\u200bជាតិ"
    (row,) = site.client.get("/api/search", params={"q": typed}).json()
    assert row["post_id"] == site.khmer and row["kind"] == "post"
    assert [p["text"] for p in row["parts"] if p["match"]] == ["ក្បត់ជាតិ"]
    assert "".join(p["text"] for p in row["parts"]) == KHMER
    html = site.client.get("/search", params={"q": typed}).text
    assert "<mark>ក្បត់ជាតិ</mark>" in html
    assert f'href="/posts/{site.khmer}"' in html


def test_transcript_results_open_the_post_at_the_second(site: Site) -> None:
    rows = site.client.get("/api/search", params={"q": "arrest", "in": "transcripts"}).json()
    assert [(r["kind"], r["post_id"], r["start_seconds"]) for r in rows] == [
        ("segment", site.video, 42.0)
    ]
    html = site.client.get("/search", params={"q": "arrest", "in": "transcripts"}).text
    assert f'href="/posts/{site.video}?t=42.0#t=42.0"' in html


def test_highlights_escape_the_text_before_marking_it(site: Site) -> None:
    html = site.client.get("/search", params={"q": "arrest", "in": "posts"}).text
    assert "<img" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt; " in html
    assert "<mark>arrest</mark> now" in html
    injected = site.client.get("/search", params={"q": "<script>"}).text
    assert "<mark>&lt;script&gt;</mark>" in injected
    assert 'value="&lt;script&gt;"' in injected


def test_exports_match_the_cli(site: Site) -> None:
    assert SEARCH_COLUMNS == CLI_SEARCH_COLUMNS
    response = site.client.get("/search", params={"q": "arrest", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    cli = invoke(site.config_path, "search", "arrest", "--format", "csv")
    assert cli.exit_code == 0
    assert list(csv.reader(io.StringIO(response.text))) == list(csv.reader(io.StringIO(cli.output)))
    page = site.client.get("/search", params={"q": "arrest"}).text
    assert 'href="?q=arrest&amp;in=all&amp;limit=50&amp;format=csv"' in page


def test_queries_that_cannot_be_searched_are_400(site: Site) -> None:
    for q in ("", "-only", "a OR", "nul\x00"):
        assert site.client.get("/api/search", params={"q": q}).status_code == 400
    page = site.client.get("/search", params={"q": "-only"})
    assert page.status_code == 400 and 'class="error"' in page.text
    empty = site.client.get("/search")
    assert empty.status_code == 200 and 'class="results"' not in empty.text
    assert site.client.get("/api/search", params={"q": "x", "actor": "Nobody"}).status_code == 400


def test_highlight_and_unmarked() -> None:
    assert unmarked("…we «arrest» them", ("arrest",)) == "…we arrest them"
    # guillemets from the text itself stay; only the excerpt's pair around the match goes
    assert unmarked("«quote» ««arrest»»", ("arrest",)) == "«quote» «arrest»"
    assert unmarked("no marks here", ("x",)) == "no marks here"
    assert highlight("Arrest and ARREST", ("arrest",)) == [
        {"text": "Arrest", "match": True},
        {"text": " and ", "match": False},
        {"text": "ARREST", "match": True},
    ]
    zw = "ក្បត់\u200bជាតិ!"  # a zero-width space in the text: the match spans it
    assert highlight(zw, ("ក្បត់ជាតិ",)) == [
        {"text": "ក្បត់\u200bជាតិ", "match": True},
        {"text": "!", "match": False},
    ]
    assert highlight("abc", ("abc", "b")) == [{"text": "abc", "match": True}]
