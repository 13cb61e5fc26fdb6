"""The media download stage: leased `pending` rows -> files under the media dir -> `downloaded`."""

from monitor.download.report import DownloadReport
from monitor.download.run import ready_count, run_downloads
from monitor.download.stage import DownloadStage

__all__ = ["DownloadReport", "DownloadStage", "ready_count", "run_downloads"]
