"""Telegram files without a direct URL: through Telethon when a session is set up, else skipped.

The web preview gives a direct file URL for most media; a large video it shows only as a link
to its post (`t.me/<channel>/<id>`), which yt-dlp cannot fetch, and the Telethon backend gives
such links for every file. Those rows are downloaded through Telethon
(`collectors/telegram/telethon_media.py`) when the Telegram backend would be Telethon
(`collectors.telegram.collector.choose_backend`); without it they are `skipped` with the reason
`NEEDS_TELETHON` (`NEEDS_TELETHON_AUDIO` for audio files, which the preview shows only as a
link whatever their size), which `polmon status` and the digest count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from collectors.errors import CollectorError, Interrupted, ItemUnavailable, LoginRequired
from collectors.records import READABLE_KINDS
from collectors.telegram.identity import MessageLink, message_link
from monitor.config import PolmonConfig
from monitor.media_fetch import (
    MB,
    NEEDS_TELETHON,
    NEEDS_TELETHON_AUDIO,
    OVER_SIZE,
    MediaFailed,
    MediaSkipped,
)
from storage.download_jobs import Job

if TYPE_CHECKING:  # Telethon is imported only when a session is there to use
    from collectors.telegram.telethon_media import TelethonMedia

# Builds the Telethon downloader; None: this config has no Telethon session.
TelethonFactory = Callable[[], "TelethonMedia | None"]


def telegram_message(job: Job) -> MessageLink | None:
    """The Telegram message whose file this row needs when it has no direct URL (a post link
    stands for it); None for every other row (photos keep their own way: `photo.py`)."""
    if job.platform != "telegram" or job.kind in READABLE_KINDS:
        return None
    return message_link(job.url)


def configured_telethon(config: PolmonConfig) -> TelethonFactory:
    """The factory for this config: Telethon's downloader when the Telegram backend would be
    Telethon (api_id, api hash and a session file, or `backend = "telethon"`), else None."""

    def build() -> TelethonMedia | None:
        from collectors.telegram.collector import choose_backend

        settings = config.collector_settings("telegram")
        if choose_backend(settings) != "telethon":
            return None
        from collectors.telegram.telethon_media import TelethonMedia

        return TelethonMedia.from_settings(settings)

    return build


class TelegramFiles:
    """The download stage's Telethon downloader, built on first use and shared by its threads."""

    def __init__(self, factory: TelethonFactory, max_filesize_mb: int) -> None:
        self._factory = factory
        self.max_bytes = max_filesize_mb * MB
        self._media: TelethonMedia | None = None
        self._built = False
        self._lock = threading.Lock()

    def _downloader(self) -> TelethonMedia | None:
        with self._lock:
            if not self._built:
                try:
                    self._media = self._factory()
                except CollectorError as exc:  # no api hash, no session file…
                    raise MediaFailed(f"telegram: {exc}", permanent=False) from None
                self._built = True
            return self._media

    def fetch(
        self,
        link: MessageLink,
        target: Path,
        *,
        channel_id: str | None,
        on_progress: Callable[[], None],
        kind: str = "video",
    ) -> Path:
        """Download the message's file to `target` (an extension is added); MediaSkipped
        without Telethon, MediaFailed when Telegram refuses (permanent when it is gone)."""
        media = self._downloader()
        if media is None:
            reason = NEEDS_TELETHON_AUDIO if kind == "audio" else NEEDS_TELETHON
            raise MediaSkipped(
                f"{reason}: the web preview shows this file only as a link; set up "
                "Telethon (`polmon telegram login`), then `polmon queue retry --stage download "
                "--status skipped`",
                reason=reason,
            )

        def progress(done: int, total: int) -> None:
            if max(done, total) > self.max_bytes:
                raise MediaSkipped(
                    f"size {max(done, total) / MB:.1f} MB is over [video] max_filesize_mb = "
                    f"{self.max_bytes // MB}",
                    reason=OVER_SIZE,
                )
            on_progress()

        try:
            return media.download(link, target, channel_id=channel_id, on_progress=progress)
        except Interrupted:  # a stop while waiting out a flood wait: the row goes back
            raise
        except ItemUnavailable as exc:
            raise MediaFailed(str(exc), permanent=True) from None
        except LoginRequired as exc:
            raise MediaFailed(str(exc), permanent=False) from None
        except CollectorError as exc:  # flood waits over the cap, an unreadable channel
            raise MediaFailed(str(exc), permanent=exc.permanent) from None

    def close(self) -> None:
        with self._lock:
            if self._media is not None:
                self._media.close()
            self._media, self._built = None, False
