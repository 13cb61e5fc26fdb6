"""The `polmon transcribe` progress bar: files, audio minutes done, real-time factor."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from monitor.transcription.report import TranscribeReport


class TranscribeProgress:
    """A rich progress bar on stderr, updated after each media row."""

    def __init__(self, total: int | None) -> None:
        self._progress = Progress(
            TextColumn("[bold]transcribing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[audio]} audio min"),
            TextColumn("RTF {task.fields[rtf]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._total = total
        self._task: TaskID | None = None

    def __enter__(self) -> TranscribeProgress:
        self._progress.start()
        self._task = self._progress.add_task("transcribe", total=self._total, audio="0.0", rtf="-")
        return self

    def update(self, report: TranscribeReport) -> None:
        if self._task is None:
            return
        rtf = report.real_time_factor
        self._progress.update(
            self._task,
            completed=report.handled,
            audio=f"{report.audio_seconds / 60:.1f}",
            rtf="-" if rtf is None else f"{rtf:.2f}",
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()
