"""What a queue stage's command prints: its counts, then the items it did not finish."""

from __future__ import annotations

from typing import Protocol

import click

from monitor.output import emit


class CountedReport(Protocol):
    """A queue stage's report (`storage.worker.QueueReport` with `totals()`)."""

    failures: list[tuple[int, str, str]]

    def totals(self) -> dict[str, int]: ...


def print_stage_report(report: CountedReport, fmt: str, id_column: str, title: str) -> None:
    """Table: the counts on one line, then a table of the failed items titled `title`;
    JSON/CSV: `[{<id_column>, outcome, error}]` only."""
    columns = (id_column, "outcome", "error")
    rows = [
        {id_column: item_id, "outcome": outcome, "error": error}
        for item_id, outcome, error in sorted(report.failures)
    ]
    if fmt != "table":
        emit(rows, fmt, columns=columns)
        return
    click.echo(", ".join(f"{name}: {count}" for name, count in report.totals().items()))
    if rows:
        emit(rows, fmt, columns=columns, title=title)
