"""`/actors/<id>` and `/api/actors/<id>/growth` on a real server, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import growth_pages
from tests.support.config import make_config
from tests.support.growth_history import AS_OF, telegram_value
from tests.support.growth_pages import HOSTILE_TITLE, T0, GrowthPages
from tests.support.web import live_server, sign_in, web_client


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[tuple[httpx.Client, GrowthPages]]:
    with transaction(db.engine) as session:
        ids = growth_pages.build(session)
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield client, ids


def _growth(client: httpx.Client, actor_id: int, **params: str) -> dict:
    response = client.get(f"/api/actors/{actor_id}/growth", params=params)
    assert response.status_code == 200, response.text
    chart: dict = response.json()
    return chart


def _at(chart: dict, when: datetime) -> dict[str, int | None]:
    index = chart["x"].index(when.timestamp())
    return {line["label"]: line["values"][index] for line in chart["series"]}


def test_daily_chart_per_account_and_total_with_events(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    chart = _growth(
        client, ids.hun_sen, since=T0.isoformat(), until=AS_OF.isoformat(), resolution="day"
    )
    assert chart["resolution"] == "day"
    labels = [line["label"] for line in chart["series"]]
    assert labels == [
        "facebook: hunsencambodia",
        "telegram: samdechhunsen",
        "tiktok: @samdechhunsen",
        "Hun Sen: total",
    ]
    assert len(chart["x"]) == 41  # 2025-03-01 … 2025-04-10, one point a day
    day_6 = _at(chart, datetime(2025, 3, 7, tzinfo=UTC))  # TikTok captured every third day
    assert day_6 == {
        "facebook: hunsencambodia": 14_000_000 - 60_000,
        "telegram: samdechhunsen": telegram_value(6),
        "tiktok: @samdechhunsen": 1_220_000,
        "Hun Sen: total": 14_000_000 - 60_000 + telegram_value(6) + 1_220_000,
    }
    day_5 = _at(chart, datetime(2025, 3, 6, tzinfo=UTC))
    assert day_5["tiktok: @samdechhunsen"] is None  # a gap; the total carries day 3's count
    assert day_5["Hun Sen: total"] == 14_000_000 - 50_000 + telegram_value(5) + 1_210_000
    kinds = {(event["kind"], event["t"]) for event in chart["events"]}
    assert ("jump", datetime(2025, 3, 31, tzinfo=UTC).timestamp()) in kinds
    assert ("deleted", (T0 + timedelta(days=10, hours=12)).timestamp()) in kinds
    assert chart["series"][-1]["colour"] == "#000000"


def test_resolution_from_the_window_hourly_when_captures_are(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    since = T0 + timedelta(days=38)
    chart = _growth(client, ids.kem_sokha, since=since.isoformat(), until=AS_OF.isoformat())
    assert chart["resolution"] == "hour"
    assert len(chart["x"]) == 49
    hour_5 = _at(chart, since + timedelta(hours=5))
    assert hour_5 == {"telegram: kemsokha": 54_050, "Kem Sokha: total": 54_050}
    weekly = _growth(client, ids.kem_sokha, since="2024-01-01", until=AS_OF.isoformat())
    assert weekly["resolution"] == "week"
    monthly = _growth(client, ids.kem_sokha, since="2020-01-01", until=AS_OF.isoformat())
    assert monthly["resolution"] == "month"
    # An hourly request over months is served daily.
    too_long = _growth(client, ids.kem_sokha, since="2025-01-01", resolution="hour")
    assert too_long["resolution"] == "day"


def test_default_window_ends_at_the_latest_capture(site: tuple[httpx.Client, GrowthPages]) -> None:
    client, ids = site
    chart = _growth(client, ids.kem_sokha)
    assert chart["resolution"] == "day"
    assert datetime.fromisoformat(chart["until"]) - datetime.fromisoformat(
        chart["since"]
    ) == timedelta(days=90)
    assert chart["series"][-1]["values"][-1] == 54_000 + 10 * 47


def test_unknown_actor_and_bad_window(site: tuple[httpx.Client, GrowthPages]) -> None:
    client, ids = site
    assert client.get("/api/actors/999999/growth").status_code == 404
    assert client.get("/actors/999999").status_code == 404
    bad = client.get(
        f"/api/actors/{ids.hun_sen}/growth", params={"since": "2025-04-10", "until": "2025-04-01"}
    )
    assert bad.status_code == 400 and "before" in bad.json()["detail"]
    assert client.get("/api/actors/99999999999999999999").status_code == 422
    growth = f"/api/actors/{ids.hun_sen}/growth"
    assert client.get(growth, params={"until": "0001-01-02"}).status_code == 400
    assert (
        client.get(growth, params={"since": "1971-01-01", "until": "2199-01-01"}).status_code == 400
    )
    after_the_last_capture = _growth(client, ids.hun_sen, since="2030-01-01")
    assert after_the_last_capture["x"] == [] and after_the_last_capture["series"] == []


def test_actor_page_links_chart_api_events_and_posts(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    page = client.get(f"/actors/{ids.hun_sen}")
    assert page.status_code == 200
    html = page.text
    assert (
        f'data-api="/api/actors/{ids.hun_sen}/growth?resolution=auto&amp;metric=followers"' in html
    )
    assert "uPlot.iife.min.js" in html and "growth.js" in html
    assert 'href="/posts/' in html and "post 0" in html
    assert "deleted" in html
    summary = client.get(f"/api/actors/{ids.hun_sen}", params={"until": "2025-04-10"}).json()
    assert [a["handle"] for a in summary["accounts"]] == [
        "hunsencambodia",
        "samdechhunsen",
        "@samdechhunsen",
    ]
    assert [p["text"] for p in summary["recent_posts"][:2]] == ["post 0", "post 1"]
    hostile = client.get(f"/actors/{ids.hostile}").text
    assert HOSTILE_TITLE not in hostile and "&lt;script&gt;alert(2)&lt;/script&gt;" in hostile
