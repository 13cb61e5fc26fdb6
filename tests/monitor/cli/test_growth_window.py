"""`polmon growth`: the window's change in every output format, hourly series, their limits."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.output import FORMATS
from storage.engine import transaction
from tests.conftest import TestDatabase, invoke
from tests.monitor.cli.test_analytics import valid
from tests.support import growth_window
from tests.support.config import write_config
from tests.support.growth_window import DAY0

# Kem Sokha: 850,000 at 10:00, 862,500 at 11:00 on DAY0.
HOUR_WINDOW = ("--since", DAY0.isoformat(), "--until", (DAY0 + timedelta(hours=12)).isoformat())


@pytest.fixture
def config_path(db: TestDatabase, tmp_path: Path) -> Path:
    with transaction(db.engine) as session:
        growth_window.build(session)
    return write_config(tmp_path, db)


def test_every_format_carries_the_window_change(config_path: Path) -> None:
    assert FORMATS == ("table", "json", "csv")  # a new format needs its check here
    document = valid(
        "growth", invoke(config_path, "growth", *HOUR_WINDOW, "--format", "json").stdout
    )
    kem = next(a for a in document["actors"] if a["actor"] == "Kem Sokha")
    assert kem["change"]["window"] == {"absolute": 12_500, "percent": 1.47}
    (channel,) = kem["accounts"]
    assert channel["change"]["window"] == {"absolute": 12_500, "percent": 1.47}
    assert channel["change"]["1d"] == {"absolute": None, "percent": None}
    assert channel["window"] == {
        "first": 850_000,
        "first_at": "2025-03-01T10:00:00+00:00",
        "last": 862_500,
        "last_at": "2025-03-01T11:00:00+00:00",
    }
    sam = next(a for a in document["actors"] if a["actor"] == "Sam Rainsy")
    # Sam's channel was captured once in the window (08:00), his YouTube account not at all.
    assert sam["change"]["window"] == {"absolute": 0, "percent": 0.0}
    windows = {a["handle"]: a["window"] for a in sam["accounts"]}
    assert windows["@samrainsy"] is None
    assert windows["samrainsy"]["first_at"] == windows["samrainsy"]["last_at"]

    rows = list(
        csv.DictReader(
            io.StringIO(invoke(config_path, "growth", *HOUR_WINDOW, "--format", "csv").stdout)
        )
    )
    # CSV neutralises a cell starting with "@" (a formula to a spreadsheet): "'@samrainsy".
    by_account = {(r["actor"], r["account"].lstrip("'")): r for r in rows}
    for key in (("Kem Sokha", "kemsokha"), ("Kem Sokha", "(total)")):
        row = by_account[key]
        assert (row["change_window"], row["percent_window"]) == ("12500", "1.47")
        assert row["change_1d"] == row["change_7d"] == row["change_30d"] == ""
    assert by_account[("Sam Rainsy", "samrainsy")]["change_window"] == "0"
    assert by_account[("Sam Rainsy", "@samrainsy")]["change_window"] == ""

    table = CliRunner(env={"COLUMNS": "200"}).invoke(
        cli, ["--config", str(config_path), "growth", *HOUR_WINDOW]
    )
    assert table.exit_code == 0, table.output
    assert "window" in table.output and "window from 2025-03-01 00:00" in table.output
    (line,) = [row for row in table.output.splitlines() if "telegram kemsokha" in row]
    assert "862,500" in line and "+12,500 (+1.5%)" in line


def test_two_passes_a_day_over_several_days(config_path: Path) -> None:
    window = ("--since", DAY0.isoformat(), "--until", (DAY0 + timedelta(days=4)).isoformat())
    rows = list(
        csv.DictReader(
            io.StringIO(invoke(config_path, "growth", *window, "--format", "csv").stdout)
        )
    )
    by_account = {r["account"].lstrip("'"): r for r in rows if r["actor"] == "Sam Rainsy"}
    # 100,000 -> 106,800 (+6.8 %); YouTube 5,000 -> 5,400 (+8 %); total +7,200 of 105,000.
    assert (
        by_account["samrainsy"]["change_window"],
        by_account["samrainsy"]["percent_window"],
    ) == (
        "6800",
        "6.8",
    )
    assert by_account["@samrainsy"]["change_window"] == "400"
    assert (by_account["(total)"]["change_window"], by_account["(total)"]["percent_window"]) == (
        "7200",
        "6.86",
    )
    one_day = ("--since", "2025-03-03", "--until", "2025-03-03T23:59")  # day 2: 08:00 and 20:00
    day = json.loads(invoke(config_path, "growth", *one_day, "--format", "json").stdout)
    sam = next(a for a in day["actors"] if a["actor"] == "Sam Rainsy")
    telegram = next(a for a in sam["accounts"] if a["handle"] == "samrainsy")
    assert telegram["change"]["window"] == {"absolute": 500, "percent": 0.48}


def test_hourly_series_in_json(config_path: Path) -> None:
    result = invoke(config_path, "growth", *HOUR_WINDOW, "--interval", "hour", "--format", "json")
    assert result.exit_code == 0, result.output
    document = valid("growth", result.stdout)
    assert document["interval"] == "hour"
    kem = next(a for a in document["actors"] if a["actor"] == "Kem Sokha")
    series = kem["accounts"][0]["series"]
    assert len(series) == 13  # 00:00 ... 12:00
    assert [(p["period_start"], p["value"]) for p in series if p["value"] is not None] == [
        ("2025-03-01T10:00:00+00:00", 850_000),
        ("2025-03-01T11:00:00+00:00", 862_500),
    ]
    assert [p["value"] for p in kem["series"]][10:12] == [850_000, 862_500]  # the total


def test_hourly_limits_and_default_window(config_path: Path, tmp_path: Path) -> None:
    too_long = invoke(
        config_path,
        "growth",
        "--interval",
        "hour",
        "--since",
        "2025-01-01",
        "--until",
        "2025-03-01",
    )
    assert too_long.exit_code == 2
    assert "an hourly series spans at most 31 days" in too_long.output
    until = (DAY0 + timedelta(hours=12)).isoformat()
    default = json.loads(
        invoke(
            config_path, "growth", "--interval", "hour", "--until", until, "--format", "json"
        ).stdout
    )
    assert default["since"] == "2025-02-27T12:00:00+00:00"  # 48 hours before --until
    kem = next(a for a in default["actors"] if a["actor"] == "Kem Sokha")
    assert len(kem["series"]) == 49
    assert kem["change"]["window"] == {"absolute": 12_500, "percent": 1.47}
    plot = tmp_path / "hourly.png"
    drawn = invoke(config_path, "growth", *HOUR_WINDOW, "--interval", "hour", "--plot", str(plot))
    assert drawn.exit_code == 0, drawn.output
    assert plot.read_bytes().startswith(b"\x89PNG")
