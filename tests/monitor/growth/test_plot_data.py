"""The growth chart's data: the x axis spans the window, a colour per account, no false jumps."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from monitor.config import GrowthConfig
from monitor.growth import growth_report, report_json
from monitor.growth.plot import plot_growth
from monitor.growth.plot_data import PLATFORM_PALETTES, TOTAL_COLOUR, Panel, chart_panels
from monitor.growth.report import GrowthReport
from monitor.growth.series import Point
from storage.engine import transaction
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import write_config

T0 = factories.T0
SINCE = T0 - timedelta(days=10)
UNTIL = T0 + timedelta(days=30)


def _history(db: TestDatabase) -> None:
    """One actor: two Telegram channels (the second first captured on day 10), a TikTok account
    last captured before the window and again from day 8, a Facebook page deleted after day 12;
    captures only on days 0-20 of a window running from day -10 to day 30."""
    with transaction(db.engine) as session:
        owner = factories.actor(session, "Kem Sokha")
        main = factories.account(session, owner, "telegram", "main")
        second = factories.account(session, owner, "telegram", "second")
        tiktok = factories.account(session, owner, "tiktok", "@ks")
        page = factories.account(session, owner, "facebook", "kspage", status="deleted")
        factories.snapshots(session, main, [(d, 1_000 + 10 * d) for d in range(21)])
        factories.snapshots(session, second, [(d, 500 + d) for d in range(10, 21)])
        factories.snapshots(session, tiktok, [(-30, 300), *[(d, 300 + d) for d in range(8, 21)]])
        factories.snapshots(session, page, [(d, 2_000) for d in range(13)])


def _report(db: TestDatabase) -> GrowthReport:
    _history(db)
    with transaction(db.engine) as session:
        return growth_report(session, GrowthConfig(), since=SINCE, as_of=UNTIL)


def _panel(report: GrowthReport) -> Panel:
    (panel,) = chart_panels(report)
    return panel


def test_x_axis_spans_the_requested_window(db: TestDatabase) -> None:
    panel = _panel(_report(db))
    assert panel.x_range == (SINCE.date(), UNTIL.date())  # captures cover only days 0-20
    weekly = _history_report_weekly(db)
    first_monday = SINCE.date() - timedelta(days=SINCE.weekday())
    assert _panel(weekly).x_range == (first_monday, UNTIL.date())


def _history_report_weekly(db: TestDatabase) -> GrowthReport:
    with transaction(db.engine) as session:
        return growth_report(session, GrowthConfig(), since=SINCE, as_of=UNTIL, interval="week")


def test_each_account_has_its_own_colour_in_its_platform_family(db: TestDatabase) -> None:
    panel = _panel(_report(db))
    colours = {line.label: line.colour for line in panel.lines}
    assert len(set(colours.values())) == len(colours) == 5
    assert colours["Kem Sokha: total"] == TOTAL_COLOUR
    assert colours["telegram: main"] in PLATFORM_PALETTES["telegram"]
    assert colours["telegram: second"] in PLATFORM_PALETTES["telegram"]
    assert colours["tiktok: @ks"] in PLATFORM_PALETTES["tiktok"]
    assert colours["facebook: kspage (deleted)"] in PLATFORM_PALETTES["facebook"]


def test_total_breaks_and_marks_where_an_account_joins_or_ends(db: TestDatabase) -> None:
    report = _report(db)
    totals = {p.period_start: p for p in report.actors[0].series}
    day = T0.date()
    # TikTok was captured before the window: it carries that count from day 0, no join.
    assert totals[day] == Point(day, 1_000 + 300 + 2_000, True)
    assert totals[day + timedelta(days=8)].value == 1_080 + 308 + 2_000
    assert totals[day + timedelta(days=8)].joined == ()
    # The second channel counts from its first capture on day 10, and that point says so.
    assert totals[day + timedelta(days=9)].value == 1_090 + 309 + 2_000
    assert totals[day + timedelta(days=10)] == Point(
        day + timedelta(days=10), 1_100 + 510 + 310 + 2_000, False, ("telegram:second",)
    )
    # The deleted page's last count is on day 12; from day 13 it no longer counts.
    assert totals[day + timedelta(days=12)].ended == ("facebook:kspage",)
    assert totals[day + timedelta(days=13)].value == 1_130 + 513 + 313
    panel = _panel(report)
    total = next(line for line in panel.lines if line.is_total)
    run_spans = [(run[0].period_start, run[-1].period_start) for run in total.runs]
    assert run_spans == [
        (SINCE.date(), day + timedelta(days=9)),
        (day + timedelta(days=10), day + timedelta(days=12)),
        (day + timedelta(days=13), UNTIL.date()),
    ]  # no segment is drawn across the arrival or the departure
    assert [(m.kind, m.period_start, m.value, m.accounts) for m in panel.markers] == [
        ("joined", day + timedelta(days=10), 3_920, ("telegram:second",)),
        ("ended", day + timedelta(days=12), 1_120 + 512 + 312 + 2_000, ("facebook:kspage",)),
    ]
    document = json.loads(json.dumps(report_json(report), default=str))
    joined = {p["period_start"]: p["joined"] for p in document["actors"][0]["series"]}
    assert joined[str(day + timedelta(days=10))] == ["telegram:second"]


def test_plot_command_writes_the_png(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    _history(sqlite_db)
    config = write_config(tmp_path, sqlite_db)
    plot = tmp_path / "out" / "ks.png"
    window = ("--since", SINCE.isoformat(), "--until", UNTIL.isoformat())
    result = invoke(config, "growth", "--actor", "Kem Sokha", *window, "--plot", str(plot))
    assert result.exit_code == 0, result.output
    data = plot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    path = plot_growth(_weekly(sqlite_db), tmp_path / "weekly.png")
    assert path.stat().st_size > 20_000


def _weekly(db: TestDatabase) -> GrowthReport:
    return _history_report_weekly(db)
