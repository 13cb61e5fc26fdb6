"""A pass that reaches no platform is one line ("no network or DNS"), not one per account."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.telegram_scenario import scenario_toml
from tests.support.telegram_site import TelegramSite, channel_with_posts

UNRESOLVABLE = "http://polmon-test.invalid"  # RFC 6761: never resolves
HANDLES = ["pm_demo", "ministry_kh", "samdech"]


def test_a_pass_without_network_is_one_summary_line(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    toml = scenario_toml(UNRESOLVABLE, HANDLES, max_retries=4, backoff_seconds=30.0)
    config = write_config(tmp_path, sqlite_db, toml)
    result = invoke(config, "collect")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == (
        "Error: no network or DNS: no platform could be reached; check your connection or "
        "`[video] proxy`"
    )
    assert not any(handle in result.stderr for handle in HANDLES)  # no line per account
    assert all(line.startswith("collect ") for line in lines[:-1])  # the progress bar
    assert "Traceback" not in result.output
    runs = json.loads(invoke(config, "status", "--format", "json").stdout)["last_runs"]
    assert len(runs) == 3 and all("cannot resolve" in run["error"] for run in runs)


def test_one_unreachable_platform_among_working_ones_is_reported_per_account(
    sqlite_db: TestDatabase, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = TelegramSite()
    site.add(channel_with_posts("pm_demo", 2))
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    toml = scenario_toml(httpserver.url_for("/"), ["pm_demo"]) + (
        f'[video]\ntiktok_base_url = "{UNRESOLVABLE}"\n'
        '[[actors]]\nname = "TikToker"\n[[actors.accounts]]\nplatform = "tiktok"\n'
        'handle = "@someone"\n'
    )
    config = write_config(tmp_path, sqlite_db, toml)
    result = invoke(config, "collect", "--format", "json")
    assert result.exit_code == 1
    rows = {row["account"]: row for row in json.loads(result.stdout)}
    assert rows["pm_demo"]["status"] == "ok" and rows["pm_demo"]["new"] == 2
    assert (
        rows["@someone"]["status"] == "failed"
        and "polmon-test.invalid" in rows["@someone"]["error"]
    )
    assert "no network or DNS" not in result.output
