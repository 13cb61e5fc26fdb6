"""`--tz` shows every printed time in one zone (default `[schedule] timezone`); JSON stays UTC."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.engine import transaction
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.corpus import KEYWORDS, seed

PHNOM_PENH = '[schedule]\ntimezone = "Asia/Phnom_Penh"\n'


@pytest.fixture
def config(db: TestDatabase, tmp_path: Path) -> Path:
    path = seed(db, tmp_path, ["Candlelight at noon UTC"])
    assert invoke(path, "keywords", "rescan").exit_code == 0
    return path


def test_tables_default_to_utc_without_a_schedule_timezone(config: Path) -> None:
    result = invoke(config, "posts", "--width", "200")
    assert "2025-03-01 12:00" in result.output and "times in UTC" in result.output


def test_tz_converts_tables_and_csv_but_not_json(config: Path) -> None:
    for args in (("posts", "--tz", "Asia/Phnom_Penh"), ("--tz", "Asia/Phnom_Penh", "posts")):
        table = invoke(config, *args, "--width", "200")
        assert table.exit_code == 0, table.output
        assert "2025-03-01 19:00" in table.output and "times in Asia/Phnom_Penh" in table.output
    rows = list(
        csv.DictReader(
            io.StringIO(invoke(config, "hits", "--tz", "Asia/Phnom_Penh", "--format", "csv").output)
        )
    )
    assert rows[0]["published_at"] == "2025-03-01T19:00:00+07:00"
    hits = json.loads(invoke(config, "hits", "--tz", "Asia/Phnom_Penh", "--format", "json").output)
    assert hits[0]["published_at"] == "2025-03-01T12:00:00+00:00"


def test_schedule_timezone_is_the_default_and_tz_overrides_it(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = seed(db, tmp_path, ["Candlelight"], KEYWORDS + PHNOM_PENH)
    assert "2025-03-01 19:00" in invoke(config, "posts", "--width", "200").output
    utc = invoke(config, "posts", "--tz", "UTC", "--width", "200").output
    assert "2025-03-01 12:00" in utc and "times in UTC" in utc
    posts = json.loads(invoke(config, "posts", "--format", "json").output)
    assert posts[0]["published_at"] == "2025-03-01T12:00:00+00:00"


def test_unknown_zone_is_one_line_exit_2(config: Path) -> None:
    result = invoke(config, "posts", "--tz", "Mars/Olympus")
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in result.output
    assert "Traceback" not in result.output


def test_status_jobs_are_utc_in_json_and_local_in_the_table(
    db: TestDatabase, tmp_path: Path
) -> None:
    body = PHNOM_PENH + '[schedule.jobs.fetch]\ntask = "download"\ninterval_minutes = 10\n'
    config = seed(db, tmp_path, [], body)
    with transaction(db.engine) as session:
        next_run = datetime(2024, 5, 2, 1, 0, tzinfo=UTC)
        factories.job_run(session, "fetch", "ok", next_run_at=next_run)
    jobs = json.loads(invoke(config, "status", "--section", "jobs", "--format", "json").output)
    assert jobs[0]["next_run"] == "2024-05-02T01:00:00+00:00"
    table = invoke(config, "status", "--section", "jobs", "--width", "160").output
    assert "2024-05-02 08:00" in table and "times in Asia/Phnom_Penh" in table
    assert (
        "2024-05-02 01:00"
        in invoke(config, "status", "--section", "jobs", "--tz", "UTC", "--width", "160").output
    )
