"""A PNG line chart of a growth report: one panel per actor, a line per account and the total."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from monitor.growth.report import GrowthReport
from monitor.growth.series import Point

PLATFORM_COLOURS = {
    "telegram": "#229ED9",
    "tiktok": "#EE1D52",
    "facebook": "#1877F2",
    "youtube": "#FF0000",
}


def _compact(value: float, _pos: object = None) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}"


def _xy(points: list[Point]) -> tuple[list[float], list[float]]:
    """Dates (as Matplotlib numbers) and values, NaN for gaps so the line breaks, not drops."""
    dates = [float(mdates.date2num(p.period_start)) for p in points]
    return dates, [math.nan if p.value is None else float(p.value) for p in points]


def _line(axis: Axes, points: list[Point], *, label: str, colour: str | None, width: float) -> None:
    """Solid where consecutive periods have values, dotted across gaps, rings if approximate."""
    dates, values = _xy(points)
    known = [(d, v) for d, v in zip(dates, values, strict=True) if not math.isnan(v)]
    if not known:
        return
    (drawn,) = axis.plot(dates, values, label=label, color=colour, linewidth=width, marker=".")
    drawn_colour = drawn.get_color()
    known_x, known_y = [d for d, _v in known], [v for _d, v in known]
    axis.plot(known_x, known_y, color=drawn_colour, linewidth=width * 0.6, linestyle=":")
    approx = [p for p in points if p.approximate and p.value is not None]
    if approx:
        axis.scatter(
            [float(mdates.date2num(p.period_start)) for p in approx],
            [float(p.value or 0) for p in approx],
            s=30,
            facecolors="none",
            edgecolors=drawn_colour,
        )


def plot_growth(report: GrowthReport, path: Path) -> Path:
    """Write the chart to `path` (PNG) and return it."""
    actors = report.actors or []
    panels = max(1, len(actors))
    # The Agg canvas directly: no pyplot state, no display needed.
    figure = Figure(figsize=(11, 4.2 * panels), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(panels, 1, squeeze=False)
    for axis, actor in zip(axes[:, 0], actors, strict=False):
        for item in actor.accounts:
            colour = PLATFORM_COLOURS.get(item.info.platform)
            label = f"{item.info.platform}: {item.info.handle}"
            if item.info.ended:
                label += f" ({item.info.status})"
            _line(axis, item.series, label=label, colour=colour, width=1.6)
        _line(axis, actor.series, label=f"{actor.actor}: total", colour="black", width=2.4)
        axis.set_title(f"{actor.actor} — {report.metric} per {report.interval}", fontsize=13)
        axis.set_ylabel(report.metric)
        axis.yaxis.set_major_formatter(FuncFormatter(_compact))
        locator = mdates.AutoDateLocator()
        axis.xaxis.set_major_locator(locator)
        axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axis.grid(True, alpha=0.3)
        axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    if not actors:
        axes[0, 0].text(0.5, 0.5, "no accounts match", ha="center", va="center")
        axes[0, 0].set_axis_off()
    figure.suptitle(
        f"Audience growth, {report.since:%Y-%m-%d} to {report.as_of:%Y-%m-%d} "
        "(rings: approximate counts; dotted: periods without a capture)",
        fontsize=10,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=110)
    return path
