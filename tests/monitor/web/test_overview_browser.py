"""In real Chromium: filter the overview by URL, open an actor, hover and zoom its chart, export
CSV; hostile titles show as text and open no dialog."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import factories, growth_pages
from tests.support.config import make_config
from tests.support.growth_pages import HOSTILE_TITLE, UNTIL
from tests.support.web import chromium_page, live_server, sign_in, web_client

# One worker runs this module: its Chromium (the module-scoped `browser`) is launched once.
pytestmark = [pytest.mark.xdist_group("web-overview-browser"), pytest.mark.slow]


def _legend_values(page: Page) -> dict[str, str]:
    rows = page.locator(".u-legend tr.u-series")
    out = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        out[row.locator(".u-label").inner_text()] = row.locator(".u-value").inner_text()
    return out


def test_overview_actor_chart_and_export_in_chromium(
    sqlite_db: TestDatabase, tmp_path: Path, browser: Browser
) -> None:
    with transaction(sqlite_db.engine) as session:
        ids = growth_pages.build(session)
    config = make_config(tmp_path, sqlite_db)
    dialogs: list[str] = []
    with (
        live_server(config, sqlite_db.engine) as server,
        chromium_page(server.base_url, browser) as page,
    ):
        sign_in(server, page)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        # The overview filtered by platform through the URL: only Telegram accounts.
        page.goto(f"/?platform=telegram&until={UNTIL}")
        actors = page.locator("tbody.actor tr.total td:first-child a")
        expect(actors).to_have_text(["Hun Sen", "Kem Sokha"])
        assert set(
            page.locator("tr.account").evaluate_all("rows => rows.map(r => r.dataset.platform)")
        ) == {"telegram"}
        expect(page.locator("select[name=platform]")).to_have_value("telegram")

        # Unfiltered, the hostile actor is there as text.
        page.goto(f"/?until={UNTIL}")
        expect(page.get_by_role("link", name=HOSTILE_TITLE, exact=True)).to_be_visible()
        page.screenshot(path=tmp_path / "overview.png", full_page=True)

        # Export CSV: the rows of every actor and account.
        with page.expect_download() as download_info:
            page.locator("#export-csv").click()
        exported = tmp_path / "overview.csv"
        download_info.value.save_as(exported)
        with exported.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert {(row["actor"], row["platform"]) for row in rows} == {
            ("Hun Sen", "facebook"),
            ("Hun Sen", "telegram"),
            ("Hun Sen", "tiktok"),
            ("Hun Sen", "all"),
            ("Kem Sokha", "telegram"),
            ("Kem Sokha", "all"),
            (HOSTILE_TITLE, "youtube"),
            (HOSTILE_TITLE, "all"),
        }

        # Open the actor; the chart draws from the API; hovering shows a date and exact values.
        page.get_by_role("link", name="Hun Sen", exact=True).click()
        page.wait_for_url(f"**/actors/{ids.hun_sen}")
        over = page.locator("#growth-chart .u-over")
        expect(over).to_be_visible()
        box = over.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
        date_cell = page.locator(".u-legend tr.u-series").first.locator(".u-value")
        expect(date_cell).to_have_text(re.compile(r"^2025-\d\d-\d\d$"))
        legend = _legend_values(page)
        hovered_day = legend["Date"]
        with web_client(server.base_url) as client:
            sign_in(server, client)
            chart = client.get(f"/api/actors/{ids.hun_sen}/growth").json()
        days = [datetime.fromtimestamp(t, UTC).date().isoformat() for t in chart["x"]]
        index = days.index(hovered_day)
        total = chart["series"][-1]
        assert total["label"] == "Hun Sen: total" and total["values"][index] is not None
        assert legend["Hun Sen: total"] == f"{total['values'][index]:,}"
        telegram = chart["series"][1]
        assert legend[telegram["label"]] == f"{telegram['values'][index]:,}"
        page.screenshot(path=tmp_path / "actor.png", full_page=True)

        # Drag-select a day: the chart refetches that window at hourly resolution.
        page.mouse.move(box["x"] + box["width"] * 0.95, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.97, box["y"] + 40, steps=5)
        page.mouse.up()
        expect(page.locator("#growth-chart")).to_have_attribute("data-resolution", "hour")
        expect(page.locator("#chart-reset")).to_be_visible()

        # An account's engagement by week, charted: median views per post and ERR.
        page.goto(f"/accounts/{ids.telegram}?until=2025-04-10T12:00:00Z")
        engagement = page.locator("#engagement-chart .u-legend")
        expect(engagement).to_contain_text("Median views")
        expect(engagement).to_contain_text("ERR")
        page.screenshot(path=tmp_path / "account.png", full_page=True)

        # The hostile actor's page: its title and account label are text; no script ran.
        page.goto(f"/actors/{ids.hostile}")
        expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)
        expect(page.locator(".u-legend")).to_contain_text(f"{HOSTILE_TITLE}: total")
        page.goto(f"/accounts/{ids.hostile_youtube}")
        expect(page.locator("main strong")).to_have_text(HOSTILE_TITLE)
        page.screenshot(path=tmp_path / "hostile-account.png", full_page=True)
    assert dialogs == []
    print(tmp_path)


def test_chart_of_an_actor_with_many_accounts_draws_the_largest(
    sqlite_db: TestDatabase, tmp_path: Path, browser: Browser
) -> None:
    with transaction(sqlite_db.engine) as session:
        many = factories.actor(session, "Many Accounts")
        for number in range(30):
            account = factories.account(session, many, "telegram", f"acct{number:02}")
            factories.snapshots(session, account, [(day, 1_000 * (number + 1)) for day in range(5)])
        actor_id = many.id
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        chromium_page(server.base_url, browser) as page,
    ):
        sign_in(server, page)
        page.goto(f"/actors/{actor_id}")
        labels = page.locator(".u-legend tr.u-series .u-label")
        expect(labels).to_have_count(26)  # the date, 24 accounts, the total
        shown = labels.all_inner_texts()
        assert shown[-1] == "Many Accounts: total"
        assert "telegram: acct29" in shown and "telegram: acct05" not in shown
        expect(page.locator("#chart-note")).to_contain_text("the 24 largest of 30 accounts")
