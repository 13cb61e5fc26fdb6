"""StageReport: what every stage's run returns, for its command and the scheduler's job log."""

from __future__ import annotations

from typing import Protocol


class StageReport(Protocol):
    """One run of a stage (collect, snapshots, download, transcribe): how many items it
    finished with, one summary line, and one line per item that failed or was cut short
    (the scheduler records a run with problems as 'partial')."""

    @property
    def handled(self) -> int:
        """Items the run finished with, whatever their outcome."""
        ...

    def summary_line(self) -> str:
        """What the run did, in one line of counts."""
        ...

    def problems(self) -> list[str]:
        """One line per failed item; empty when nothing failed."""
        ...


def counts_line(counts: dict[str, int]) -> str:
    """`name value, name value` — the summary line of a report made of counts."""
    return ", ".join(f"{key} {value}" for key, value in counts.items())
