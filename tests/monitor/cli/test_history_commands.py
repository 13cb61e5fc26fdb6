"""`polmon post`, `polmon events` and the history columns of `polmon posts`, in every format."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.queries.history import word_diff
from tests.collectors.conftest import channel_with_posts
from tests.collectors.telegram_scenario import scenario_toml
from tests.conftest import TestDatabase, invoke, write_config
from tests.telegram_site import TelegramSite


@pytest.fixture
def history(
    db: TestDatabase, httpserver: HTTPServer, tmp_path: Path
) -> Iterator[tuple[Path, TelegramSite]]:
    """Two passes over a channel: post 2 edited, post 3 deleted, the channel renamed."""
    site = TelegramSite()
    channel = site.add(channel_with_posts("pm_demo", 3))
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    config = write_config(tmp_path, db, scenario_toml(httpserver.url_for("/"), ["pm_demo"]))
    assert invoke(config, "collect").exit_code == 0
    channel.posts[2].text = "post 2 of @pm_demo, corrected"
    channel.posts[2].edited = True
    channel.posts[2].views = 5000
    del channel.posts[3]
    channel.title = "Prime Minister (official)"
    assert invoke(config, "collect").exit_code == 0
    yield config, site


def _json(config: Path, *args: str) -> object:
    result = invoke(config, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_posts_show_edit_and_deletion_times_and_version_counts(
    history: tuple[Path, TelegramSite],
) -> None:
    config, _site = history
    posts = {p["post_id"]: p for p in _json(config, "posts")}  # type: ignore[union-attr]
    assert posts["2"]["version_count"] == 2 and posts["2"]["edited_at"] is not None
    assert posts["3"]["deleted_at"] is not None and posts["3"]["deleted"] is True
    assert posts["1"]["version_count"] == 1 and posts["1"]["deleted_at"] is None
    rows = list(csv.DictReader(io.StringIO(invoke(config, "posts", "--format", "csv").stdout)))
    assert {"edited_at", "version_count", "deleted_at"} <= set(rows[0])
    assert {r["post_id"]: r["version_count"] for r in rows} == {"1": "1", "2": "2", "3": "1"}
    table = invoke(config, "posts").stdout
    assert "version_count" in table and "deleted_at" in table


def test_post_shows_every_version_with_a_diff_and_metrics_over_time(
    history: tuple[Path, TelegramSite],
) -> None:
    config, _site = history
    post_id = next(p["id"] for p in _json(config, "posts") if p["post_id"] == "2")  # type: ignore[union-attr]
    found = _json(config, "post", str(post_id))
    assert isinstance(found, dict)
    versions = found["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["diff"] is None and versions[0]["seen_at"] < versions[1]["seen_at"]
    assert versions[1]["diff"] == "post 2 of [-@pm_demo-] {+@pm_demo, corrected+}"
    assert [m["views"] for m in found["metrics"]] == [200, 5000]
    assert found["post"]["deleted_at"] is None and found["post"]["version_count"] == 2
    by_url = _json(config, "post", found["post"]["url"])
    assert by_url == found
    table = invoke(config, "post", str(post_id))
    assert table.exit_code == 0 and "versions" in table.stdout and "{+@pm_demo," in table.stdout
    local = invoke(config, "post", str(post_id), "--tz", "Asia/Phnom_Penh").stdout
    assert re.search(r"published_at: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Asia/Phnom_Penh", local)
    metrics_csv = invoke(config, "post", str(post_id), "--only", "metrics", "--format", "csv")
    assert metrics_csv.stdout.splitlines()[0].startswith("captured_at,views")
    deleted = next(p["id"] for p in _json(config, "posts") if p["post_id"] == "3")  # type: ignore[union-attr]
    assert _json(config, "post", str(deleted))["post"]["deleted_at"] is not None  # type: ignore[index]


def test_post_that_is_not_stored_or_not_a_reference(history: tuple[Path, TelegramSite]) -> None:
    config, _site = history
    missing = invoke(config, "post", "99999")
    assert missing.exit_code == 1 and "no post '99999'" in missing.output
    garbage = invoke(config, "post", "yesterday's post")
    assert garbage.exit_code == 2 and "not a post reference" in garbage.output


def test_events_list_renames_with_filters_in_every_format(
    history: tuple[Path, TelegramSite],
) -> None:
    config, _site = history
    events = _json(config, "events")
    assert isinstance(events, list) and [e["kind"] for e in events] == ["renamed"]
    assert events[0]["detail"]["new"] == "Prime Minister (official)"
    assert events[0]["account"] == "pm_demo"
    assert _json(config, "events", "--account", "https://t.me/pm_demo") == events
    assert _json(config, "events", "--actor", "owner of PM_DEMO") == events
    assert _json(config, "events", "--kind", "deleted") == []
    assert _json(config, "events", "--since", "1h") == events
    assert _json(config, "events", "--until", "2000-01-01") == []
    rows = invoke(config, "events", "--format", "csv").stdout.splitlines()
    assert rows[0] == "detected_at,actor,platform,account,kind,detail" and len(rows) == 2
    assert "renamed" in invoke(config, "events").stdout
    nobody = invoke(config, "events", "--actor", "Nobody")
    assert nobody.exit_code == 2 and "no actor named 'Nobody'; actors: 'Owner of pm_demo'" in (
        nobody.output
    )


def test_word_diff_marks_removed_and_added_words() -> None:
    assert word_diff("we will arrest them", "we will talk to them") == (
        "we will [-arrest-] {+talk to+} them"
    )
    long = " ".join(f"w{i}" for i in range(20))
    assert word_diff(long, long + " end") == "w0 w1 w2 … w17 w18 w19 {+end+}"
