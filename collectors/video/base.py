"""What the yt-dlp collectors share: one YoutubeDL per collector, per-video error handling."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from yt_dlp import YoutubeDL

from collectors.base import Collector
from collectors.errors import CollectorError, ItemUnavailable, ParseError
from collectors.records import PostRecord
from collectors.video.ytdlp import open_ytdlp, video_info
from collectors.video.ytdlp_errors import map_ytdlp_error

if TYPE_CHECKING:
    from collectors.video.settings import VideoSettings

log = logging.getLogger("polmon.collectors.video.base")
# Consecutive failed videos after which the listing gives up (the account is blocked).
MAX_FAILURES_IN_A_ROW = 3


class ListingErrors:
    """Per-video failures of one listing: kept going past them, reported at the end."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.errors: list[CollectorError] = []
        self.in_a_row = 0
        self.attempted = 0

    def ok(self) -> None:
        self.attempted += 1
        self.in_a_row = 0

    def add(self, error: CollectorError) -> None:
        self.attempted += 1
        self.in_a_row += 1
        self.errors.append(error)
        log.warning("%s", error)
        if self.in_a_row >= MAX_FAILURES_IN_A_ROW:
            raise CollectorError(
                f"{self.subject}: gave up after {self.in_a_row} videos failed in a row: {error}",
                expected=error.expected,
            ) from error

    def raise_if_any(self) -> None:
        """After yielding what could be read: one error naming how many videos failed."""
        if not self.errors:
            return
        first = self.errors[0]
        raise CollectorError(
            f"{self.subject}: {len(self.errors)} of {self.attempted} videos could not be "
            f"read; first: {first}",
            expected=all(e.expected for e in self.errors),
        ) from first


class YtDlpCollector(Collector):
    """A collector reading one platform through a lazily opened, reused YoutubeDL."""

    def __init__(self, settings: VideoSettings) -> None:
        super().__init__(settings)
        self.settings: VideoSettings = settings
        self.video = settings.section
        self._ydl: YoutubeDL | None = None

    @property
    def ydl(self) -> YoutubeDL:
        if self._ydl is None:
            self._ydl = open_ytdlp(self.settings, extract_flat="in_playlist")
        return self._ydl

    def close(self) -> None:
        if self._ydl is not None:
            self._ydl.close()
            self._ydl = None

    def mapped_error(self, exc: BaseException, subject: str, *, account: bool) -> CollectorError:
        return map_ytdlp_error(exc, subject=subject, account=account, settings=self.settings)

    def read_video(
        self,
        url: str,
        mapper: Callable[[dict[str, Any]], PostRecord],
        errors: ListingErrors,
    ) -> PostRecord | None:
        """One video's record; None when it is gone or private (then the pass goes on)."""
        subject = f"{self.platform} video {url}"
        try:
            record = mapper(video_info(self.ydl, url))
        except ItemUnavailable as exc:
            log.info("%s", exc)
            errors.ok()
            return None
        except ParseError as exc:
            errors.add(ParseError(f"{subject}: {exc}"))
            return None
        except Exception as exc:  # yt-dlp raises many kinds; each is mapped to ours
            mapped = self.mapped_error(exc, subject, account=False)
            if isinstance(mapped, ItemUnavailable):
                log.info("%s", mapped)
                errors.ok()
                return None
            if not mapped.expected and mapped is not exc:
                mapped.__cause__ = exc
            errors.add(mapped)
            return None
        errors.ok()
        return record


def newest_first(
    records: Iterable[PostRecord], since: datetime, limit: int
) -> Iterator[PostRecord]:
    """Records at or after `since`, newest first, at most `limit` (for merged listings)."""
    kept = sorted(
        (r for r in records if r.published_at >= since),
        key=lambda r: r.published_at,
        reverse=True,
    )
    yield from kept[:limit]
