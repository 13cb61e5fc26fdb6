"""`/` and `/api/overview` on a real server, SQLite and PostgreSQL: rows, filters, sort, export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.growth import SUMMARY_COLUMNS
from monitor.web.growth_view import sparkline_points
from storage.engine import transaction
from storage.models import Account
from tests.conftest import TestDatabase, invoke
from tests.support import factories, growth_pages
from tests.support.config import make_config
from tests.support.growth_pages import HOSTILE_TITLE, UNTIL, GrowthPages
from tests.support.web import live_server, sign_in, web_client


@pytest.fixture
def site(db: TestDatabase, tmp_path: Path) -> Iterator[tuple[httpx.Client, GrowthPages]]:
    with transaction(db.engine) as session:
        ids = growth_pages.build(session)
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield client, ids


def _overview(client: httpx.Client, **params: str) -> list[dict]:
    response = client.get("/api/overview", params={"until": UNTIL, **params})
    assert response.status_code == 200, response.text
    rows: list[dict] = response.json()
    return rows


def test_every_actor_with_accounts_changes_and_flags(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    rows = _overview(client)
    by_name = {row["actor"]: row for row in rows}
    assert set(by_name) == {"Hun Sen", "Kem Sokha", HOSTILE_TITLE}
    assert [row["actor"] for row in rows] == ["Hun Sen", "Kem Sokha", HOSTILE_TITLE]  # -latest
    hun_sen = by_name["Hun Sen"]
    assert hun_sen["actor_id"] == ids.hun_sen
    assert [a["platform"] for a in hun_sen["accounts"]] == ["facebook", "telegram", "tiktok"]
    telegram = hun_sen["accounts"][1]
    # growth_history: Telegram is 850,000 + 1,000/day, +250,000 from day 30; as of day 40 00:00
    # the latest capture is day 39's.
    assert telegram["latest"] == growth_history_value(39)
    assert telegram["change"]["7d"]["absolute"] == 7_000
    assert telegram["flags"] == ["jump"]
    assert telegram["last_collected_at"].startswith("2025-04-10")
    assert hun_sen["accounts"][0]["flags"] == ["deleted"]
    assert set(hun_sen["flags"]) >= {"deleted", "jump"}
    # The deleted page's last count is before the day: the total is Telegram's and TikTok's.
    assert hun_sen["latest"] == telegram["latest"] + hun_sen["accounts"][2]["latest"]
    kem = by_name["Kem Sokha"]
    assert kem["country"] == "KH"
    assert kem["accounts"][0]["display_name"] == "Kem Sokha official"
    assert kem["change"]["window"]["absolute"] == kem["latest"] - 50_000
    assert len(kem["sparkline"]) == 91 and kem["sparkline"][-1] is not None


def growth_history_value(day: int) -> int:
    from tests.support.growth_history import telegram_value

    return telegram_value(day)


def test_filters_by_platform_country_and_flag(site: tuple[httpx.Client, GrowthPages]) -> None:
    client, _ids = site
    telegram = _overview(client, platform="telegram")
    assert {row["actor"] for row in telegram} == {"Hun Sen", "Kem Sokha"}
    assert all(a["platform"] == "telegram" for row in telegram for a in row["accounts"])
    assert [row["actor"] for row in _overview(client, country="kh")] == ["Kem Sokha"]
    assert [row["actor"] for row in _overview(client, flag="deleted")] == ["Hun Sen"]
    # Facebook ended and Telegram rose 32% within 30 days; over 90 days Telegram has no start.
    assert [row["actor"] for row in _overview(client, flag="migration", days="30")] == ["Hun Sen"]
    assert _overview(client, flag="migration") == []
    assert client.get("/api/overview", params={"flag": "nonsense"}).status_code == 422


def test_sorts_by_any_column_both_ways(site: tuple[httpx.Client, GrowthPages]) -> None:
    client, _ids = site
    names = [row["actor"] for row in _overview(client, sort="actor")]
    assert names == sorted(names, key=str.casefold)
    assert [row["actor"] for row in _overview(client, sort="-actor")] == names[::-1]
    latest = [row["latest"] for row in _overview(client, sort="latest")]
    assert latest == sorted(latest)
    posts = [row["posts_per_day"] for row in _overview(client, sort="-posts_per_day")]
    assert posts == sorted(posts, reverse=True)


def test_page_shows_rows_escaped_with_sparklines_and_sort_links(
    site: tuple[httpx.Client, GrowthPages],
) -> None:
    client, ids = site
    page = client.get("/", params={"until": UNTIL, "sort": "actor"})
    assert page.status_code == 200
    html = page.text
    assert f'href="/actors/{ids.hun_sen}"' in html and f'href="/accounts/{ids.telegram}"' in html
    assert HOSTILE_TITLE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert html.count('<svg class="spark"') >= 4
    assert "sort=-actor" in html  # the active column's link reverses it
    assert 'href="?until=2025-04-10&amp;sort=actor&amp;format=csv"' in html


def test_csv_export_is_polmon_growth_csv(
    site: tuple[httpx.Client, GrowthPages], db: TestDatabase, tmp_path: Path
) -> None:
    client, _ids = site
    response = client.get("/", params={"until": UNTIL, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="overview.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(SUMMARY_COLUMNS)
    assert {row["actor"] for row in rows} == {"Hun Sen", "Kem Sokha", HOSTILE_TITLE}
    cli = invoke(
        tmp_path / "polmon.toml",
        "growth",
        "--since",
        "2025-01-10",
        "--until",
        UNTIL,
        "--format",
        "csv",
    )
    assert cli.exit_code == 0, cli.output
    from_cli = list(csv.DictReader(io.StringIO(cli.stdout)))
    key = lambda row: (row["actor"], row["platform"], row["account"])  # noqa: E731
    assert sorted(rows, key=key) == sorted(from_cli, key=key)
    only_kh = client.get("/", params={"until": UNTIL, "country": "KH", "format": "json"}).json()
    assert {row["actor"] for row in only_kh} == {"Kem Sokha"}


def test_new_captures_show_at_once(
    site: tuple[httpx.Client, GrowthPages], db: TestDatabase
) -> None:
    """The overview's data is reused between requests only until a new row arrives."""
    client, ids = site
    before = {row["actor"]: row["latest"] for row in _overview(client)}
    assert _overview(client) == _overview(client)
    with transaction(db.engine) as session:
        kem = session.get(Account, ids.kem_sokha_telegram)
        assert kem is not None
        factories.snapshots(session, kem, [(39.5, 99_999)])
    after = {row["actor"]: row["latest"] for row in _overview(client)}
    assert after["Kem Sokha"] == 99_999 != before["Kem Sokha"]
    assert after["Hun Sen"] == before["Hun Sen"]


def test_sparkline_points_scale_into_the_box() -> None:
    assert sparkline_points([]) == "" and sparkline_points([None, None]) == ""
    points = sparkline_points([10, None, 20], width=100, height=24)
    assert points == "0.0,22.0 100.0,2.0"
    # Scaled from the first known value: leading gaps (before the first capture) are not drawn.
    assert sparkline_points([None, None, 10, 20], width=100, height=24) == "0.0,22.0 100.0,2.0"
    assert sparkline_points([None, 10, 20, None], width=100, height=24) == "0.0,22.0 50.0,2.0"
    assert sparkline_points([5, 5]) == "0.0,26.0 120.0,26.0"


def test_an_actor_with_many_accounts_is_listed_in_part(db: TestDatabase, tmp_path: Path) -> None:
    with transaction(db.engine) as session:
        many = factories.actor(session, "Many Accounts")
        for number in range(51):
            platform = "telegram" if number % 3 else "tiktok"
            account = factories.account(session, many, platform, f"acct{number:02}")
            factories.snapshots(session, account, [(0, 1_000 + number)])
        actor_id = many.id
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        overview = client.get("/", params={"until": "2025-03-02"}).text
        actor = client.get(f"/actors/{actor_id}").text
        actor_all = client.get(f"/actors/{actor_id}", params={"accounts": "all"}).text
        exported = client.get("/", params={"until": "2025-03-02", "format": "csv"}).text
    assert overview.count('<tr class="account"') == 12
    assert "… and 39 more accounts" in overview and "telegram 34 · tiktok 17" in overview
    assert len(list(csv.DictReader(io.StringIO(exported)))) == 52  # every account + the total
    assert actor.count('href="/accounts/') == 50 and "Show all 51 accounts" in actor
    assert actor_all.count('href="/accounts/') == 51 and "Show all" not in actor_all
