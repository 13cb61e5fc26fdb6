"""What one run of the OCR stage did: counts per outcome and the images that failed."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.reports import counts_line
from storage.worker import QueueReport


@dataclass
class OcrReport(QueueReport):
    """The shared queue outcomes plus images read (with text or without) and the words read
    (a monitor.reports.StageReport)."""

    read: int = 0  # images whose text was stored (hits matched)
    blank: int = 0  # of those, images with no text at all
    words: int = 0
    hits: int = 0  # keyword hits added

    def totals(self) -> dict[str, int]:
        """The counts `polmon ocr` and the scheduler's job log print."""
        return {
            "read": self.read,
            "without text": self.blank,
            "words": self.words,
            "hits": self.hits,
            "failed": self.failed,
            "to retry later": self.retrying,
        }

    @property
    def handled(self) -> int:
        return self.read + self.failed + self.retrying

    def summary_line(self) -> str:
        """StageReport: the counts of `totals()`."""
        return counts_line(self.totals())

    def problems(self) -> list[str]:
        """StageReport: one line per image failed for good (retried ones are not problems)."""
        return [
            f"media {media_id}: {error}"
            for media_id, outcome, error in self.failures
            if outcome == "failed"
        ]
