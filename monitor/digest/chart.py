"""The digest's audience chart: follower change over the week as a small PNG (matplotlib Agg)."""

from __future__ import annotations

import io
from datetime import datetime

from monitor.digest.data import AudienceRow

MAX_LINES = 8
SIZE_INCHES = (6.4, 3.0)
DPI = 100


def _label(row: AudienceRow) -> str:
    # Matplotlib treats $…$ as math and a leading underscore as "hide from the legend".
    text = f"{row.actor} ({row.platform})".replace("$", r"\$")
    return text.lstrip("_") or "?"


def chartable(rows: list[AudienceRow]) -> list[AudienceRow]:
    """The accounts worth drawing: two or more points, the largest audiences first."""
    drawable = [row for row in rows if len(row.series) >= 2 and row.series[0][1] > 0]
    drawable.sort(key=lambda row: row.latest or 0, reverse=True)
    return drawable[:MAX_LINES]


def audience_chart(rows: list[AudienceRow], *, zone: str = "UTC") -> bytes | None:
    """PNG of each account's follower change in % over its points; None when nothing to draw."""
    drawable = chartable(rows)
    if not drawable:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
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
    axes.legend(fontsize="small", loc="upper left", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
