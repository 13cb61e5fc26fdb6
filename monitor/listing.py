"""An account's listing within a pass: how far back it reads, in batches, until a stop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from collectors.errors import PolmonError
from collectors.records import PostRecord
from collectors.registry import platform_spec
from collectors.settings import CollectorSection
from monitor import shutdown
from monitor.config import PolmonConfig


def limits(config: PolmonConfig, platform: str) -> tuple[float, float, int]:
    """A platform's backfill days, recheck days and most posts per account."""
    name = platform_spec(platform).settings_section
    section = getattr(config, name)
    if not isinstance(section, CollectorSection):  # a platform registered without its section
        raise TypeError(f"[{name}] is not a collector's section")
    return section.backfill_days, section.recheck_days, section.max_posts_per_account


def listing_window(
    config: PolmonConfig, platform: str, cursor: dict[str, Any], now: datetime
) -> tuple[datetime, int]:
    """How far back this pass lists: the backfill horizon until one listing completed, then
    the re-read window or the newest post of the last complete listing, whichever is older."""
    backfill_days, recheck_days, limit = limits(config, platform)
    synced = cursor.get("synced_through")
    if not synced:
        return now - timedelta(days=backfill_days), limit
    return min(now - timedelta(days=recheck_days), datetime.fromisoformat(synced)), limit


def batches(records: Iterator[PostRecord], size: int) -> Iterator[list[PostRecord]]:
    """Batches of `size`; a listing that fails midway still hands over what it yielded first."""
    batch: list[PostRecord] = []
    try:
        for record in records:
            batch.append(record)
            if len(batch) >= size:
                yield batch
                batch = []
    except Exception:
        if batch:
            yield batch
        raise
    if batch:
        yield batch


class ListingStopped(PolmonError):
    """A stop was requested (SIGINT, SIGTERM) while an account's posts were being listed."""

    expected = True


class UntilStopRequested:
    """The records of a listing until a stop is requested; `stopped` says whether it was."""

    def __init__(self, records: Iterator[PostRecord]) -> None:
        self.records, self.stopped = records, False

    def __iter__(self) -> Iterator[PostRecord]:
        try:
            for record in self.records:
                yield record
                if shutdown.stop_requested():
                    self.stopped = True
                    return
        finally:
            close = getattr(self.records, "close", None)
            if close is not None:  # the listing generator ends here, not at garbage collection
                close()
