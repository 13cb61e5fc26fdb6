"""`/api/engagement`, the `/engagement` page and the account page's post export, signed in."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.queries.posts import POST_COLUMNS
from storage.engine import transaction
from storage.models import Post
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config
from tests.support.engagement_data import ENGAGEMENT_TOML, HOSTILE, Scenario, build
from tests.support.web import live_server, sign_in, web_client

UNTIL = {"until": "2025-04-01"}


@dataclass
class Site:
    client: httpx.Client
    scenario: Scenario
    account_id: int


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[Site]:
    scenario = build(db.engine)
    with transaction(db.engine) as session:
        chan = session.get(Post, scenario.ids["boost"])
        assert chan is not None
        account_id = chan.account_id
        factories.version(session, chan, HOSTILE, chan.published_at)
    config = make_config(tmp_path, db, ENGAGEMENT_TOML)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield Site(client, scenario, account_id)


def api(site: Site, **params: Any) -> dict[str, Any]:
    response = site.client.get("/api/engagement", params={**UNTIL, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_api_gives_curves_typical_curves_and_the_rule(site: Site) -> None:
    body = api(site, limit=0)
    rows = {row["id"]: row for row in body["posts"]}
    ids = site.scenario.ids
    assert len(rows) == 12
    boost = rows[ids["boost"]]
    assert (boost["views_1h"], boost["ratio_1h"], boost["flag"]) == (600, 4.0, "boosted")
    assert boost["text"] == HOSTILE
    interp = rows[ids["interp"]]
    assert [interp[f"views_{a}"] for a in ("1h", "6h", "24h", "7d")] == [200, 1000, 2040, None]
    assert rows[ids["held"]]["views_7d"] == 5000
    chan = [(t["age"], t["posts"], t["views"]) for t in body["typical"] if t["account"] == "chan"]
    assert chan == [("1h", 8, 150.0), ("6h", 4, None), ("24h", 6, 1200.0), ("7d", 0, None)]
    assert body["rule"] == {
        "max_gap_ratio": 1.0,
        "baseline_posts": 8,
        "min_posts": 5,
        "boosted_ratio": 3.0,
        "suppressed_ratio": 3.0,
    }


def test_the_api_filters(site: Site) -> None:
    ids = site.scenario.ids
    flagged = api(site, flagged="true")["posts"]
    assert {row["id"] for row in flagged} == {ids[n] for n in ("boost", "edge", "low", "old")}
    assert {row["account"] for row in api(site, account="side")["posts"]} == {"side"}
    assert {row["actor"] for row in api(site, actor="sam rainsy")["posts"]} == {"Sam Rainsy"}
    since = api(site, actor="Hun Sen", since="2025-03-07")["posts"]
    assert [row["id"] for row in since] == [ids["edge"], ids["low"]]
    assert len(api(site, limit=2)["posts"]) == 2


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"actor": "Nobody"}, "Nobody"),
        ({"account": "nosuch"}, "nosuch"),
        ({"platform": "myspace"}, "platform"),
        ({"since": "yesterday-ish"}, "since"),
        ({"since": "2025-03-02", "until": "2025-03-01"}, "before until"),
        ({"actor": "a\x00b"}, "NUL"),
    ],
)
def test_bad_filters_are_400_naming_what(site: Site, params: dict[str, str], says: str) -> None:
    response = site.client.get("/api/engagement", params=params)
    assert response.status_code == 400 and says in response.json()["detail"]


def test_the_api_needs_a_login(db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        response = client.get("/api/engagement")
        assert response.status_code == 401 and response.json() == {"detail": "login required"}
        assert client.get("/engagement").status_code == 303  # to the login page
        assert client.get("/accounts/1", params={"format": "csv"}).status_code == 303


def test_the_page_escapes_platform_text_and_exports(site: Site) -> None:
    page = site.client.get("/engagement", params={**UNTIL, "actor": "Hun Sen"})
    assert page.status_code == 200
    html = page.text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'class="flag">boosted' in html and "4.0×" in html and "150.0" in html
    bad = site.client.get("/engagement", params={"actor": "<b>Nobody</b>"})
    assert bad.status_code == 400 and "&lt;b&gt;Nobody&lt;/b&gt;" in bad.text
    exported = site.client.get("/engagement", params={**UNTIL, "format": "csv", "flagged": "true"})
    assert exported.headers["content-disposition"] == 'attachment; filename="engagement.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {row["flag"] for row in rows} == {"boosted", "suppressed"}
    assert next(r for r in rows if r["id"] == str(site.scenario.ids["boost"]))["text"] == (
        "'" + HOSTILE
    )


def test_the_account_page_exports_its_posts_with_the_new_columns(site: Site) -> None:
    response = site.client.get(f"/accounts/{site.account_id}", params={"format": "json"})
    assert response.status_code == 200, response.text
    rows = {row["id"]: row for row in response.json()}
    assert list(next(iter(rows.values()))) == list(POST_COLUMNS)
    boost = rows[site.scenario.ids["boost"]]
    assert (boost["views"], boost["version_count"]) == (1200, 1)
    assert boost["metrics_at"].startswith("2025-03-07T12:00:00")  # its 24 h capture
    assert boost["last_seen_at"].startswith("2025-03-07T12:00:00")
    assert len(rows) == 9  # the eight posts of chan and the old one
    csv_response = site.client.get(f"/accounts/{site.account_id}", params={"format": "csv"})
    csv_rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert list(csv_rows[0]) == list(POST_COLUMNS)
    assert next(r for r in csv_rows if r["id"] == str(site.scenario.ids["boost"]))["text"] == (
        "'" + HOSTILE
    )
    missing = site.client.get("/accounts/999999", params={"format": "csv"})
    assert missing.status_code == 404
    page = site.client.get(f"/accounts/{site.account_id}")
    assert page.status_code == 200 and "/engagement?account=chan&amp;platform=telegram" in page.text


def test_a_later_capture_takes_over_from_the_held_value(site: Site, db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        post = session.get(Post, site.scenario.ids["held"])
        assert post is not None
        factories.metric(session, post, timedelta(days=9), 6000)
        post.last_seen_at = post.published_at + timedelta(days=9)
    rows = {row["id"]: row for row in api(site, account="side")["posts"]}
    # 5 d: 5000, 9 d: 6000 (seen last then): 7 d is halfway, 5500.
    assert rows[site.scenario.ids["held"]]["views_7d"] == 5500
