"""`run_downloads`: drain the download queue, with an optional progress bar."""

from __future__ import annotations

from sqlalchemy import Engine

from monitor.config import PolmonConfig
from monitor.download.report import DownloadReport
from monitor.download.stage import DownloadStage
from monitor.download.telegram import TelethonFactory
from monitor.egress import with_egress
from storage.engine import transaction
from storage.queue_status import MediaStatus
from storage.queue_status import ready_count as status_count
from storage.types import utcnow


def ready_count(engine: Engine) -> int:
    """Rows waiting for a download now (not those waiting for a retry)."""
    with transaction(engine) as session:
        return status_count(session, MediaStatus.PENDING, utcnow())


@with_egress
def run_downloads(
    config: PolmonConfig,
    engine: Engine,
    *,
    limit: int | None = None,
    progress: bool = False,
    telethon: TelethonFactory | None = None,
) -> DownloadReport:
    """Drain the download queue (at most `limit` rows); failures are recorded, never raised.

    A stop request (`monitor.shutdown`) claims no further row and cuts the download in hand
    off at its next block, giving its row back to the queue. `telethon`: builds the Telethon
    downloader for Telegram files (default: from the config's session, if any).
    """
    stage = DownloadStage(config, engine, telethon=telethon)
    if not progress:
        return stage.run(limit)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    total = ready_count(engine)
    total = min(total, limit) if limit is not None else total
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task("downloading media", total=total)
        return stage.run(limit, on_done=lambda: bar.advance(task))
