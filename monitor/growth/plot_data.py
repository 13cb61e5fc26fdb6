"""What the growth chart draws, as data: per actor panel its x range, coloured lines, markers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import cycle

from monitor.growth.report import ActorGrowth, GrowthReport
from monitor.growth.series import Point, hour_start

# Shades per platform, the brand colour first: accounts of one platform share a hue family,
# and every account of a panel gets its own shade.
PLATFORM_PALETTES: dict[str, tuple[str, ...]] = {
    "telegram": ("#229ED9", "#0B5E86", "#6EC6F0", "#15799F", "#A5DAF5"),
    "tiktok": ("#0FA3A3", "#076E6E", "#5FD0CB", "#0B8A87", "#9DE3E0"),
    "facebook": ("#3B5998", "#6C3FB5", "#8B9DC3", "#4B2C8A", "#B39DDB"),
    "youtube": ("#E62117", "#9E1510", "#F26B5E", "#C0392B", "#F5A39B"),
}
OTHER_PALETTE = ("#8E44AD", "#D35400", "#27AE60", "#7F8C8D", "#B7950B", "#6C3483")
TOTAL_COLOUR = "#000000"


@dataclass(frozen=True, slots=True)
class Line:
    """One series: `runs` are the stretches drawn connected (the total breaks where accounts
    join or end, so an account's arrival is not drawn as growth)."""

    label: str
    colour: str
    width: float
    runs: list[list[Point]]
    is_total: bool = False


@dataclass(frozen=True, slots=True)
class Marker:
    """A point on the total where an account joined (first capture) or ended."""

    kind: str  # "joined" or "ended"
    period_start: date
    value: int
    accounts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    x_range: tuple[date, date]
    lines: list[Line] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)


def account_colours(platforms: list[str]) -> list[str]:
    """A distinct colour per account (in order), from its platform's shades."""
    shades = {name: cycle(palette) for name, palette in PLATFORM_PALETTES.items()}
    others = cycle(OTHER_PALETTE)
    return [next(shades[p]) if p in shades else next(others) for p in platforms]


def x_range(report: GrowthReport) -> tuple[date, date]:
    """The requested window, widened only to include a first period starting before it (an
    hourly report's in datetimes, the others' in days)."""
    if report.interval == "hour":
        start: date = hour_start(report.since)
        return start, max(report.as_of, hour_start(report.since))
    first = report.since.date()
    for actor in report.actors:
        for point in actor.series[:1]:
            first = min(first, point.period_start)
    return first, max(report.as_of.date(), first)


def total_runs(points: list[Point]) -> list[list[Point]]:
    """The total's points, split before each point where an account joins and after each
    point where one ends."""
    runs: list[list[Point]] = [[]]
    for point in points:
        if point.joined and runs[-1]:
            runs.append([])
        runs[-1].append(point)
        if point.ended:
            runs.append([])
    return [run for run in runs if run]


def _markers(points: list[Point]) -> list[Marker]:
    markers = []
    for point in points:
        if point.value is None:
            continue
        if point.joined:
            markers.append(Marker("joined", point.period_start, point.value, point.joined))
        if point.ended:
            markers.append(Marker("ended", point.period_start, point.value, point.ended))
    return markers


def _panel(report: GrowthReport, actor: ActorGrowth) -> Panel:
    colours = account_colours([item.info.platform for item in actor.accounts])
    lines = []
    for item, colour in zip(actor.accounts, colours, strict=True):
        label = f"{item.info.platform}: {item.info.handle}"
        if item.info.ended:
            label += f" ({item.info.status})"
        lines.append(Line(label, colour, 1.6, [item.series]))
    total = Line(f"{actor.actor}: total", TOTAL_COLOUR, 2.4, total_runs(actor.series), True)
    return Panel(
        title=f"{actor.actor} — {report.metric} per {report.interval}",
        x_range=x_range(report),
        lines=[*lines, total],
        markers=_markers(actor.series),
    )


def chart_panels(report: GrowthReport) -> list[Panel]:
    """One panel per actor, in the report's order."""
    return [_panel(report, actor) for actor in report.actors]
