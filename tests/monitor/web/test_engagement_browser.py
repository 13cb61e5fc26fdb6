"""`/engagement` in Chromium: the typical curve and the flagged posts charted, no script error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.engagement_data import ENGAGEMENT_TOML, build
from tests.support.web import chromium_page, live_server, page_errors, sign_in

pytestmark = pytest.mark.slow


def test_the_page_charts_each_accounts_curves(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    ids = build(sqlite_db.engine).ids
    config = make_config(tmp_path, sqlite_db, ENGAGEMENT_TOML)
    with live_server(config, sqlite_db.engine) as server, chromium_page(server.base_url) as page:
        sign_in(server, page)
        errors = page_errors(page)
        page.goto("/engagement?until=2025-04-01")
        page.wait_for_selector("#curve-charts .uplot canvas")
        captions = page.locator("#curve-charts figcaption").all_inner_texts()
        assert captions == ["Hun Sen · telegram chan"]  # side has too few posts for a curve
        labels = page.locator("#curve-charts .u-legend .u-series .u-label").all_inner_texts()
        assert "typical (median)" in labels
        assert f"post {ids['boost']} (boosted)" in labels
        assert f"post {ids['low']} (suppressed)" in labels
        assert page.locator("tr.flagged-boosted").count() == 3  # boost, edge, old
        page.screenshot(path=str(tmp_path / "engagement.png"), full_page=True)
    assert errors == []
