"""The chart API's hourly series and the pages' window change, hand-computed, both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import growth_window
from tests.support.config import make_config
from tests.support.growth_window import DAY0, WindowWorld
from tests.support.web import live_server, sign_in, web_client


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[tuple[httpx.Client, WindowWorld]]:
    with transaction(db.engine) as session:
        world = growth_window.build(session)
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield client, world


def _chart(client: httpx.Client, actor_id: int, since: datetime, until: datetime) -> Any:
    response = client.get(
        f"/api/actors/{actor_id}/growth",
        params={"since": since.isoformat(), "until": until.isoformat(), "resolution": "hour"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _at(chart: Any, when: datetime) -> dict[str, int | None]:
    index = chart["x"].index(when.timestamp())
    return {line["label"]: line["values"][index] for line in chart["series"]}


def test_hourly_chart_the_last_capture_in_each_hour(
    site: tuple[httpx.Client, WindowWorld],
) -> None:
    client, world = site
    day_3 = DAY0 + timedelta(days=3)
    chart = _chart(client, world.sam_rainsy, day_3, day_3 + timedelta(hours=23))
    assert chart["resolution"] == "hour"
    assert chart["x"] == [(day_3 + timedelta(hours=h)).timestamp() for h in range(24)]
    # 20:00 106,500 and 20:45 106,800: the hour shows 106,800; YouTube 5,400 at 20:00.
    assert _at(chart, day_3 + timedelta(hours=20)) == {
        "telegram: samrainsy": 106_800,
        "youtube: @samrainsy": 5_400,
        "Sam Rainsy: total": 112_200,
    }
    # 08:00: Telegram 106,000; YouTube not captured, the total carries its 5,000 of day 2.
    assert _at(chart, day_3 + timedelta(hours=8)) == {
        "telegram: samrainsy": 106_000,
        "youtube: @samrainsy": None,
        "Sam Rainsy: total": 111_000,
    }
    assert _at(chart, day_3 + timedelta(hours=9))["Sam Rainsy: total"] is None  # a gap
    kem = _chart(client, world.kem_sokha, DAY0, DAY0 + timedelta(hours=12))
    values = kem["series"][0]["values"]
    assert len(values) == 13 and values[10:12] == [850_000, 862_500]
    assert [v for i, v in enumerate(values) if i not in (10, 11)] == [None] * 11


def test_actor_and_overview_rows_carry_the_window_change(
    site: tuple[httpx.Client, WindowWorld],
) -> None:
    client, world = site
    until = (DAY0 + timedelta(hours=12)).isoformat()
    actor = client.get(f"/api/actors/{world.kem_sokha}", params={"until": until}).json()
    (channel,) = actor["accounts"]
    assert channel["change"]["window"] == {"absolute": 12_500, "percent": 1.47}
    rows = client.get("/api/overview", params={"until": until, "days": 1}).json()
    kem = next(row for row in rows if row["actor"] == "Kem Sokha")
    assert kem["change"]["window"] == {"absolute": 12_500, "percent": 1.47}
    assert kem["change"]["1d"] == {"absolute": None, "percent": None}
