"""`polmon engagement` in every format, and the new columns of `polmon posts`."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.engine import transaction
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import write_config
from tests.support.engagement_data import ENGAGEMENT_TOML, HOSTILE, Scenario, build
from tests.support.factories import T0

WINDOW = ("--until", "2025-04-01")  # the typical curve of the posts before it, not of now's


@pytest.fixture
def setup(db: TestDatabase, tmp_path: Path) -> tuple[Path, Scenario]:
    scenario = build(db.engine)
    return write_config(tmp_path, db, ENGAGEMENT_TOML), scenario


def run(config: Path, *args: str) -> str:
    result = invoke(config, "engagement", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_gives_the_hand_worked_curves_and_flags(setup: tuple[Path, Scenario]) -> None:
    config, scenario = setup
    rows = {row["id"]: row for row in json.loads(run(config, *WINDOW, "--format", "json"))}
    boost = rows[scenario.ids["boost"]]
    assert [boost[f"views_{age}"] for age in ("1h", "6h", "24h", "7d")] == [600, None, 1200, None]
    assert (boost["ratio_1h"], boost["flag"], boost["flagged_at"]) == (4.0, "boosted", "1h")
    assert boost["text"] == HOSTILE  # JSON keeps it exact
    assert boost["published_at"] == "2025-03-06T12:00:00+00:00"
    interp = rows[scenario.ids["interp"]]
    assert (interp["views_1h"], interp["forwards_24h"], interp["reactions_1h"]) == (200, 34, 8)
    flagged = json.loads(run(config, *WINDOW, "--flagged", "--format", "json"))
    assert {row["flag"] for row in flagged} == {"boosted", "suppressed"}
    assert len(flagged) == 4


def test_actor_account_and_since_narrow_it(setup: tuple[Path, Scenario]) -> None:
    config, scenario = setup
    side = json.loads(run(config, *WINDOW, "--account", "side", "--format", "json"))
    assert {row["account"] for row in side} == {"side"}
    assert len(side) == 3
    hun = json.loads(
        run(config, *WINDOW, "--actor", "hun sen", "--since", "2025-03-07", "--format", "json")
    )
    assert [row["id"] for row in hun] == [scenario.ids["edge"], scenario.ids["low"]]


def test_typical_curves_in_json_and_csv(setup: tuple[Path, Scenario]) -> None:
    config, _ = setup
    typical = json.loads(
        run(config, *WINDOW, "--actor", "Hun Sen", "--typical", "--format", "json")
    )
    assert [(r["age"], r["posts"], r["views"]) for r in typical] == [
        ("1h", 8, 150.0),
        ("6h", 4, None),
        ("24h", 6, 1200.0),
        ("7d", 0, None),
    ]
    rows = list(csv.DictReader(io.StringIO(run(config, *WINDOW, "--typical", "--format", "csv"))))
    assert list(rows[0]) == ["actor", "platform", "account", "age", "posts", *METRICS]
    assert [(r["account"], r["age"], r["views"]) for r in rows[:4]] == [
        ("chan", "1h", "150.0"),
        ("chan", "6h", ""),
        ("chan", "24h", "1200.0"),
        ("chan", "7d", ""),
    ]
    table = run(config, *WINDOW, "--typical", "--width", "200")
    assert "typical curves" in table and "150.0" in table


METRICS = ["views", "forwards", "reactions"]


def test_csv_has_every_column_and_neutralises_formulas(setup: tuple[Path, Scenario]) -> None:
    config, scenario = setup
    rows = list(csv.DictReader(io.StringIO(run(config, *WINDOW, "--format", "csv"))))
    assert {"views_1h", "forwards_7d", "reactions_24h", "ratio_6h", "flag", "flagged_at"} <= set(
        rows[0]
    )
    boost = next(r for r in rows if r["id"] == str(scenario.ids["boost"]))
    assert boost["text"] == "'" + HOSTILE  # a formula to a spreadsheet: shown as text
    assert (boost["views_1h"], boost["ratio_1h"], boost["views_6h"]) == ("600", "4.0", "")


def test_table_shows_views_ratios_flags_and_the_rule(
    setup: tuple[Path, Scenario], db: TestDatabase
) -> None:
    config, scenario = setup
    with transaction(db.engine) as session:
        evil = factories.account(
            session, factories.actor(session, "Evil"), "telegram", "x\x1b]0;pwned\x07"
        )
        post = factories.post(session, evil, "p", published_at=T0)
        factories.metric(session, post, timedelta(hours=1), 5)
    table = run(config, *WINDOW, "--width", "130")
    assert "view curves" in table and "boosted" in table and "suppressed" in table
    boost = next(
        line for line in table.splitlines() if line.startswith(f"│ {scenario.ids['boost']} ")
    )
    assert "600 ×4.0" in boost and "1200 ×1.0" in boost and "2025-03-06 12:00" in boost
    interp = next(
        line for line in table.splitlines() if "2025-03-01 12:00" in line and "side" in line
    )
    assert "│ 200 " in interp and "2040" in interp  # no typical curve: the views alone
    assert "flag: views at an age >= 3x (boosted) or <= 1/3 (suppressed)" in table
    assert "latest 8 posts, at least 5" in table
    assert "\x1b" not in table and "x\\x1b]0;pwned\\x07" in table


def test_nothing_in_the_window_says_so(setup: tuple[Path, Scenario]) -> None:
    config, _ = setup
    assert "no posts in that window" in run(config, "--since", "2030-01-01")
    assert "no flagged posts" in run(config, "--since", "2030-01-01", "--flagged")
    assert run(config, "--since", "2030-01-01", "--format", "json").strip() == "[]"


def test_unknown_names_and_backwards_windows_are_one_line_errors(
    setup: tuple[Path, Scenario],
) -> None:
    config, _ = setup
    unknown = invoke(config, "engagement", "--actor", "Nobody")
    assert unknown.exit_code != 0 and "Traceback" not in unknown.output
    assert "Nobody" in unknown.output
    backwards = invoke(config, "engagement", "--since", "2025-03-02", "--until", "2025-03-01")
    assert backwards.exit_code == 2 and "--since must be before --until" in backwards.output


def test_posts_list_versions_seen_times_and_the_latest_capture(
    db: TestDatabase, tmp_path: Path
) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Hun Sen"), "telegram", "c")
        post = factories.post(session, owner, "first", published_at=T0, views=1)
        post.first_seen_at, post.last_seen_at = T0 + timedelta(minutes=5), T0 + timedelta(days=2)
        factories.version(session, post, "first", T0 + timedelta(minutes=5))
        factories.version(session, post, "second", T0 + timedelta(hours=3))
        factories.metric(session, post, timedelta(minutes=5), 10, shares=1)
        factories.metric(
            session, post, timedelta(hours=3), 90, shares=4, reactions={"👍": 5, "🔥": 2}, likes=7
        )
        factories.metric(session, post, timedelta(hours=1), 50, shares=3)  # written out of order
        quiet = factories.post(session, owner, "never captured", published_at=T0 + timedelta(1))
        quiet_id, post_id = quiet.id, post.id
    config = write_config(tmp_path, db)
    result = invoke(config, "posts", "--format", "json")
    assert result.exit_code == 0, result.output
    rows: dict[int, dict[str, Any]] = {row["id"]: row for row in json.loads(result.stdout)}
    row = rows[post_id]
    assert row["version_count"] == 2
    assert (row["first_seen_at"], row["last_seen_at"]) == (
        "2025-03-01T12:05:00+00:00",
        "2025-03-03T12:00:00+00:00",
    )
    assert (row["views"], row["shares"], row["reactions"], row["likes"], row["comments"]) == (
        90,
        4,
        7,
        7,
        None,
    )
    assert row["metrics_at"] == "2025-03-01T15:00:00+00:00"
    assert (rows[quiet_id]["views"], rows[quiet_id]["metrics_at"]) == (None, None)
    assert rows[quiet_id]["version_count"] == 0
    csv_rows = list(csv.DictReader(io.StringIO(invoke(config, "posts", "--format", "csv").stdout)))
    by_id = {r["id"]: r for r in csv_rows}
    assert (by_id[str(post_id)]["views"], by_id[str(post_id)]["metrics_at"]) == (
        "90",
        "2025-03-01T15:00:00+00:00",
    )
    table = invoke(config, "posts", "--width", "250").stdout
    assert "last_seen_at" in table and "reactions" in table and "2025-03-03 12:00" in table
