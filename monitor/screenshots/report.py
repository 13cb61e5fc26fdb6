"""What one run of the screenshot stage did: counts per outcome and the pages that failed."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.reports import counts_line
from storage.worker import QueueReport


@dataclass
class ScreenshotReport(QueueReport):
    """The shared queue outcomes plus pages captured, renderings made and jobs queued (a
    monitor.reports.StageReport)."""

    queued: int = 0  # jobs this run added (posts with hits, new versions, deletions)
    pages: int = 0  # screenshots of the platform's page
    rendered: int = 0  # polmon's renderings of a stored version (deleted posts)
    gone: int = 0  # page jobs of posts deleted meanwhile (their rendering is queued instead)

    def totals(self) -> dict[str, int]:
        """The counts `polmon screenshots` and the scheduler's job log print."""
        return {
            "queued": self.queued,
            "pages": self.pages,
            "rendered": self.rendered,
            "deleted meanwhile": self.gone,
            "failed": self.failed,
            "to retry later": self.retrying,
        }

    @property
    def handled(self) -> int:
        return self.pages + self.rendered + self.gone + self.failed + self.retrying

    def summary_line(self) -> str:
        """StageReport: the counts of `totals()`."""
        return counts_line(self.totals())

    def problems(self) -> list[str]:
        """StageReport: one line per job failed for good (retried ones are not problems)."""
        return [
            f"screenshot job {job_id}: {error}"
            for job_id, outcome, error in self.failures
            if outcome == "failed"
        ]
