"""What a transcription run did: counts per outcome, audio time and speed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from storage.worker import QueueReport

Outcome = Literal[
    "done", "linked", "deferred", "rerouted", "failed", "retrying", "released", "lost"
]


@dataclass
class TranscribeReport(QueueReport):
    """The shared queue outcomes (failed, retrying, released, lost) plus transcribed, linked,
    deferred and rerouted rows, with audio and processing time (a monitor.reports.StageReport)."""

    done: int = 0  # transcribed and stored
    linked: int = 0  # identical content: linked to an existing transcript, not transcribed
    deferred: int = 0  # a copy of content still in the queue: retried after it
    # in a detected language whose needs this worker lacks: handed on, not transcribed
    rerouted: int = 0
    audio_seconds: float = 0.0
    processing_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.count(outcome)

    @property
    def handled(self) -> int:
        return (
            self.done
            + self.linked
            + self.deferred
            + self.rerouted
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
        for name in ("linked", "deferred", "rerouted", "failed", "retrying", "released", "lost"):
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
