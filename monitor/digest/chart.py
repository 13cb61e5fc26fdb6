"""The digest's audience chart: follower change over the week as a small PNG (matplotlib Agg)."""

from __future__ import annotations

import io
import math
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.digest.data import AudienceRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_LINES = 8
SIZE_INCHES = (6.4, 3.0)
DPI = 100
MAX_LABEL = 60
TWO_COLUMN_LABEL = 36
LEGEND_ROW_INCHES = 0.22


def _label(row: AudienceRow) -> str:
    # Matplotlib treats $…$ as math and a leading underscore as "hide from the legend".
    text = f"{row.actor} ({row.platform})"
    if len(text) > MAX_LABEL:
        text = text[: MAX_LABEL - 1].rstrip() + "…"
    return text.replace("$", r"\$").lstrip("_") or "?"


def chartable(rows: list[AudienceRow]) -> list[AudienceRow]:
    """The accounts worth drawing: two or more points, the largest audiences first."""
    drawable = [row for row in rows if len(row.series) >= 2 and row.series[0][1] > 0]
    drawable.sort(key=lambda row: row.latest or 0, reverse=True)
    return drawable[:MAX_LINES]


def audience_figure(rows: list[AudienceRow], *, zone: str = "UTC") -> Figure | None:
    """The chart as a Matplotlib figure, its legend below the plot (never over the lines)."""
    drawable = chartable(rows)
    if not drawable:
        return None
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # Two legend columns fit the width while labels are short; one column otherwise.
    columns = 2 if max(len(_label(row)) for row in drawable) <= TWO_COLUMN_LABEL else 1
    legend_rows = math.ceil(len(drawable) / columns)
    width, height = SIZE_INCHES
    figure = Figure(figsize=(width, height + LEGEND_ROW_INCHES * legend_rows), dpi=DPI)
    figure.set_layout_engine("constrained")
    FigureCanvasAgg(figure)  # the Agg canvas directly: no pyplot state, no display
    axes = figure.add_subplot()
    for row in drawable:
        base = row.series[0][1]
        times: list[datetime] = [at for at, _ in row.series]
        change = [100.0 * (value - base) / base for _, value in row.series]
        axes.plot(times, change, marker=".", linewidth=1.5, label=_label(row))  # type: ignore[arg-type]
    axes.axhline(0, color="#999999", linewidth=0.8)
    axes.set_ylabel("followers, % change")
    axes.xaxis.set_major_locator(mdates.DayLocator(tz=zone))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=zone))
    axes.grid(True, alpha=0.3)
    figure.legend(loc="outside lower center", ncols=columns, fontsize="small", frameon=False)
    return figure


def audience_chart(rows: list[AudienceRow], *, zone: str = "UTC") -> bytes | None:
    """PNG of each account's follower change in % over its points; None when nothing to draw."""
    figure = audience_figure(rows, zone=zone)
    if figure is None:
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
