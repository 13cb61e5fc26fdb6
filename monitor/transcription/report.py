"""What a transcription run did: counts per outcome, audio time and speed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["done", "linked", "deferred", "failed", "retrying", "released", "lost"]


@dataclass
class TranscribeReport:
    """Counts per outcome of the media rows one run claimed, with audio and processing time
    (a monitor.reports.StageReport)."""

    done: int = 0  # transcribed and stored
    linked: int = 0  # identical content: linked to an existing transcript, not transcribed
    deferred: int = 0  # a copy of content still in the queue: retried after it
    failed: int = 0  # failed for good (corrupt media, or out of attempts)
    retrying: int = 0  # failed this time, retried after a backoff
    released: int = 0  # given back unfinished because the worker was stopped
    lost: int = 0  # the lease went to another worker: our result was discarded
    audio_seconds: float = 0.0
    processing_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def handled(self) -> int:
        return (
            self.done
            + self.linked
            + self.deferred
            + self.failed
            + self.retrying
            + self.released
            + self.lost
        )

    @property
    def real_time_factor(self) -> float | None:
        """Processing time over audio time (0.1: ten minutes of audio per wall minute)."""
        return self.processing_seconds / self.audio_seconds if self.audio_seconds else None

    def summary(self) -> str:
        parts = [f"{self.done} transcribed"]
        for name in ("linked", "deferred", "failed", "retrying", "released", "lost"):
            if value := getattr(self, name):
                parts.append(f"{value} {name}")
        line = ", ".join(parts) + f"; {self.audio_seconds / 60:.1f} min of audio"
        if (rtf := self.real_time_factor) is not None:
            line += f", real-time factor {rtf:.2f}"
        return line

    def summary_line(self) -> str:
        """StageReport: the summary() line."""
        return self.summary()

    def problems(self) -> list[str]:
        """StageReport: none; failed rows are counted in the summary and kept in `errors`,
        and the job log has never marked a transcription run partial for them."""
        return []
