"""`/accounts/<id>` and its API twin: profile history, posts, engagement by week, runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import growth_pages
from tests.support.config import make_config
from tests.support.growth_history import telegram_value
from tests.support.growth_pages import HOSTILE_TITLE, GrowthPages
from tests.support.web import live_server, sign_in, web_client


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[tuple[httpx.Client, GrowthPages]]:
    with transaction(db.engine) as session:
        ids = growth_pages.build(session)
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield client, ids


def test_account_profile_history_engagement_and_runs(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    response = client.get(f"/api/accounts/{ids.kem_sokha_telegram}", params={"until": "2025-04-10"})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["account"]["handle"] == "kemsokha"
    assert page["account"]["display_name"] == "Kem Sokha official"
    assert page["profile_history"] == [
        {
            "detected_at": "2025-03-21T12:00:00Z",
            "kind": "renamed",
            "detail": {"old": "Kem Sokha", "new": "Kem Sokha official"},
        }
    ]
    assert [run["status"] for run in page["runs"]] == ["failed", "failed", "ok"]
    assert page["runs"][0]["error"] == "HTTP 429 from t.me"
    assert page["growth"]["latest"] is not None
    assert [p["text"] for p in page["recent_posts"]] == ["Kem Sokha's first post"]


def test_engagement_views_per_post_and_err_by_week(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    page = client.get(f"/api/accounts/{ids.telegram}", params={"until": "2025-04-10T12:00:00Z"})
    weeks = page.json()["engagement"]
    # growth_history: posts on Apr 9, 8, 7, 6, 5 with views 100, 200, 300, 400, 10,000;
    # Apr 5-6 fall in the week of Mar 31, Apr 7-9 in the week of Apr 7.
    assert [w["week"] for w in weeks] == ["2025-03-31", "2025-04-07"]
    assert [w["posts"] for w in weeks] == [2, 3]
    assert [w["median_views"] for w in weeks] == [5_200.0, 200.0]
    first_week_end = telegram_value(36)  # the last capture before Monday Apr 7
    assert weeks[0]["audience"] == first_week_end
    assert weeks[0]["err"] == round(5_200 / first_week_end, 6)


def test_account_page_is_escaped_and_unknown_is_404(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    html = client.get(f"/accounts/{ids.hostile_youtube}").text
    assert HOSTILE_TITLE not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 3  # actor, title, post
    assert 'dir="auto"' in html
    page = client.get(f"/accounts/{ids.kem_sokha_telegram}", params={"until": "2025-04-10"})
    assert "HTTP 429 from t.me" in page.text and "renamed" in page.text
    assert client.get("/accounts/999999").status_code == 404
    assert client.get("/api/accounts/999999").status_code == 404
