"""A PNG line chart of a growth report, drawn from `plot_data.chart_panels` (what it shows)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from monitor.growth.plot_data import TOTAL_COLOUR, Line, Marker, Panel, chart_panels
from monitor.growth.report import GrowthReport
from monitor.growth.series import Point


def _compact(value: float, _pos: object = None) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}"


def _xy(points: list[Point]) -> tuple[list[float], list[float]]:
    """Dates (as Matplotlib numbers) and values, NaN for gaps so the line breaks, not drops."""
    dates = [float(mdates.date2num(p.period_start)) for p in points]
    return dates, [math.nan if p.value is None else float(p.value) for p in points]


def _run(axis: Axes, points: list[Point], *, label: str | None, colour: str, width: float) -> None:
    """Solid where consecutive periods have values, dotted across gaps, rings if approximate."""
    dates, values = _xy(points)
    known = [(d, v) for d, v in zip(dates, values, strict=True) if not math.isnan(v)]
    if not known:
        return
    axis.plot(dates, values, label=label, color=colour, linewidth=width, marker=".")
    known_x, known_y = [d for d, _v in known], [v for _d, v in known]
    axis.plot(known_x, known_y, color=colour, linewidth=width * 0.6, linestyle=":")
    approx = [p for p in points if p.approximate and p.value is not None]
    if approx:
        axis.scatter(
            [float(mdates.date2num(p.period_start)) for p in approx],
            [float(p.value or 0) for p in approx],
            s=30,
            facecolors="none",
            edgecolors=colour,
        )


def _line(axis: Axes, line: Line) -> None:
    """Each run of the line drawn on its own (not joined to the next), labelled once."""
    labelled = False
    for run in line.runs:
        has_value = any(p.value is not None for p in run)
        label = line.label if has_value and not labelled else None
        _run(axis, run, label=label, colour=line.colour, width=line.width)
        labelled = labelled or has_value


MARKER_SHAPES = {"joined": "^", "ended": "v"}


def _marker(axis: Axes, marker: Marker) -> None:
    names = ", ".join(marker.accounts)
    axis.scatter(
        [float(mdates.date2num(marker.period_start))],
        [float(marker.value)],
        marker=MARKER_SHAPES[marker.kind],
        s=90,
        color=TOTAL_COLOUR,
        zorder=5,
        label=f"{marker.period_start:%Y-%m-%d} {marker.kind}: {names}",
    )


def _draw(axis: Axes, panel: Panel, metric: str) -> None:
    for line in panel.lines:
        _line(axis, line)
    for marker in panel.markers:
        _marker(axis, marker)
    axis.set_title(panel.title, fontsize=13)
    axis.set_ylabel(metric)
    axis.yaxis.set_major_formatter(FuncFormatter(_compact))
    locator = mdates.AutoDateLocator()
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axis.set_xlim(*(float(mdates.date2num(day)) for day in panel.x_range))
    axis.grid(True, alpha=0.3)
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)


def plot_growth(report: GrowthReport, path: Path) -> Path:
    """Write the chart to `path` (PNG) and return it."""
    panels = chart_panels(report)
    # The Agg canvas directly: no pyplot state, no display needed.
    figure = Figure(figsize=(11, 4.2 * max(1, len(panels))), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(max(1, len(panels)), 1, squeeze=False)
    for axis, panel in zip(axes[:, 0], panels, strict=False):
        _draw(axis, panel, report.metric)
    if not panels:
        axes[0, 0].text(0.5, 0.5, "no accounts match", ha="center", va="center")
        axes[0, 0].set_axis_off()
    figure.suptitle(
        f"Audience growth, {report.since:%Y-%m-%d} to {report.as_of:%Y-%m-%d} "
        "(rings: approximate counts; dotted: periods without a capture; "
        "▲/▼: an account joins/leaves the total)",
        fontsize=10,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=110)
    return path
