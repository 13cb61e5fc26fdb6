"""What one run of the download stage did: counts per outcome and the rows not downloaded."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.reports import counts_line
from storage.worker import QueueReport


@dataclass
class DownloadReport(QueueReport):
    """The shared queue outcomes plus downloaded, duplicates (same sha256) and skipped (a
    monitor.reports.StageReport); `failures`: (media id, outcome, error) of each row not
    downloaded."""

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
    def handled(self) -> int:
        return self.downloaded + self.duplicates + self.skipped + self.failed + self.retrying

    def summary_line(self) -> str:
        """StageReport: the counts of `totals()`."""
        return counts_line(self.totals())

    def problems(self) -> list[str]:
        """StageReport: none; the rows not downloaded (`failures`) are retried or skipped, and
        the job log has never marked a download run partial for them."""
        return []
