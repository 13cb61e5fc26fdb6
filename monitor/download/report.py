"""What one run of the download stage did: counts per outcome and the rows not downloaded."""

from __future__ import annotations

from dataclasses import dataclass

from storage.worker import QueueReport


@dataclass
class DownloadReport(QueueReport):
    """The shared queue outcomes plus downloaded, duplicates (same sha256) and skipped."""

    downloaded: int = 0
    duplicates: int = 0
    skipped: int = 0  # over the [video] limits, or no audio track

    def totals(self) -> dict[str, int]:
        """The counts `polmon download` and the scheduler's job log print."""
        return {
            "downloaded": self.downloaded,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "failed": self.failed,
            "to retry later": self.retrying,
        }

    @property
    def problems(self) -> list[tuple[int, str, str]]:
        """(media id, outcome, error) of each row not downloaded."""
        return self.failures

    @property
    def handled(self) -> int:
        return self.downloaded + self.duplicates + self.skipped + self.failed + self.retrying
