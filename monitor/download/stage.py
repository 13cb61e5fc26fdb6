"""The download stage's work on one claimed row: fetch, check limits, store or deduplicate.

Videos and sound go through yt-dlp; photos (with `[ocr] enabled`) through one HTTP GET
(`photo.py`); Telegram files that have only their post's link through Telethon, or are skipped
without it (`telegram.py`). Identical content (same sha256) is stored once: a later row becomes
`done` with `duplicate_of_id` pointing at the first and shares its file, so it is never
transcribed or read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from collectors.errors import Interrupted
from collectors.http import PoliteClient
from collectors.records import QUEUED_KINDS, READABLE_KINDS, TRANSCRIBABLE_KINDS
from collectors.video.ytdlp import open_ytdlp
from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.download.photo import fetch_photo, photo_client
from monitor.download.report import DownloadReport
from monitor.download.telegram import (
    TelegramFiles,
    TelethonFactory,
    configured_telethon,
    telegram_message,
)
from monitor.media_fetch import (
    NO_AUDIO,
    OVER_DURATION,
    LocalFault,
    MediaFailed,
    MediaSkipped,
    download_media,
    duration_reason,
    local_fault,
    local_fault_message,
)
from monitor.media_files import (
    extract_audio,
    media_stem,
    mime_type,
    probe,
    remove_abandoned_parts,
    remove_leftovers,
    sha256_file,
)
from monitor.media_store import store_for
from storage.download_jobs import Job, load_job, original_of
from storage.engine import transaction
from storage.queue import complete, download_stage
from storage.queue_status import MediaStatus
from storage.types import utcnow
from storage.worker import QueueWorker

log = logging.getLogger("polmon.download")
_DEDUPE_LOCK = threading.Lock()


class _StopRequested(BaseException):
    """Raised from yt-dlp's progress hook on a stop request; BaseException so that no
    `except Exception` on the way (yt-dlp's, ours) mistakes it for a failed download."""


class DownloadStage(QueueWorker[DownloadReport]):
    """Runs the stage with `[video] concurrency` threads, each claiming one row at a time."""

    def __init__(
        self, config: PolmonConfig, engine: Engine, *, telethon: TelethonFactory | None = None
    ) -> None:
        """`telethon`: builds the Telethon downloader (default: from the config's session)."""
        video = config.video
        stage = download_stage(
            max_attempts=video.max_attempts,
            backoff_seconds=video.retry_backoff_seconds,
            lease_seconds=video.lease_seconds,
            # photos wait in `pending` while [ocr] is off
            kinds=QUEUED_KINDS if config.ocr.enabled else TRANSCRIBABLE_KINDS,
        )
        super().__init__(engine, stage, DownloadReport(), stop=shutdown.STOP)
        self.config = config
        self.store = store_for(config)
        self.media_dir = self.store.staging  # where downloads are written before `put`
        self._photo_client: PoliteClient | None = None
        self._client_lock = threading.Lock()
        self.telegram = TelegramFiles(
            telethon or configured_telethon(config), video.max_filesize_mb
        )

    def run(self, limit: int | None, on_done: Callable[[], None] | None = None) -> DownloadReport:
        # fail fast on bad [video] options, before claiming
        open_ytdlp(self.config.video_settings).close()
        # Partial files older than two leases: their downloader died (a live one renews both).
        if removed := remove_abandoned_parts(self.media_dir, 2 * self.stage.lease_seconds):
            log.info("removed %d partial files of abandoned downloads", removed)
        try:
            return self.drain(
                limit=limit,
                threads=self.config.video.concurrency,
                on_item=None if on_done is None else lambda _report: on_done(),
            )
        finally:
            if self._photo_client is not None:
                self._photo_client.close()
                self._photo_client = None
            self.telegram.close()

    def process(self, media_id: int, owner: str) -> None:
        job = load_job(self.engine, media_id)
        stem_name = media_stem(job.platform, job.post_platform_id, job.media_id)
        directory = self.media_dir / stem_name.split("/")[0]
        base_name = stem_name.split("/")[1]
        if job.url is None:
            self.fail_item(media_id, owner, "no source URL to download", permanent=True)
            return
        if job.kind not in READABLE_KINDS and (
            reason := duration_reason(job.known_duration, self.config)
        ):
            self._skip(media_id, owner, reason, OVER_DURATION)
            return
        directory.mkdir(parents=True, exist_ok=True)

        def check_stop() -> None:  # called while downloading: a stop gives the row back
            if self.stop.is_set():
                raise _StopRequested

        try:
            with self.heartbeat(media_id, owner):
                if job.kind in READABLE_KINDS:
                    self._photo(job, owner, directory, base_name)
                    return
                if (link := telegram_message(job)) is not None:
                    path = self.telegram.fetch(
                        link,
                        directory / base_name,
                        channel_id=job.account_platform_id,
                        on_progress=check_stop,
                        kind=job.kind,
                    )
                    self._store(job, owner, self._confine(path), {})
                    return
                path, info = download_media(
                    self.config,
                    job.url,
                    directory,
                    base_name,
                    position=job.position,
                    on_progress=check_stop,
                )
                path = self._confine(path)
                self._store(job, owner, path, info)
        except (_StopRequested, Interrupted):  # the attempt is not the file's fault: not counted
            remove_leftovers(directory, base_name)
            self.give_back(media_id, owner)
        except MediaSkipped as exc:
            remove_leftovers(directory, base_name)
            self._skip(media_id, owner, str(exc), exc.reason)
        except MediaFailed as exc:
            remove_leftovers(directory, base_name)
            if self.stop.is_set():  # cut off by the stop, maybe: try again next run
                self.give_back(media_id, owner)
                return
            self.fail_item(media_id, owner, str(exc), permanent=exc.permanent)
        except LocalFault as exc:  # disk full: back to `pending` after the first backoff
            remove_leftovers(directory, base_name)
            self.give_back(media_id, owner, retry_after=self.stage.backoff_seconds, error=str(exc))
        except Exception as exc:
            remove_leftovers(directory, base_name)
            if self.stop.is_set():
                self.give_back(media_id, owner)
                return
            if (fault := local_fault(exc)) is not None:  # storing: audio copy, hashing
                self.give_back(
                    media_id,
                    owner,
                    retry_after=self.stage.backoff_seconds,
                    error=local_fault_message(fault),
                )
                return
            log.exception("media %s: unexpected error", media_id)
            error = f"unexpected {type(exc).__name__}: {exc}"
            self.fail_item(media_id, owner, error, permanent=False)

    def _confine(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.media_dir):
            resolved.unlink(missing_ok=True)
            raise MediaFailed(f"refused a file outside the media dir: {resolved}", permanent=True)
        return resolved

    def _photo(self, job: Job, owner: str, directory: Path, base_name: str) -> None:
        """Fetch a photo over HTTP and keep it (or link it to an identical one)."""
        with self._client_lock:
            if self._photo_client is None:
                self._photo_client = photo_client(self.config.ocr)
            client = self._photo_client
        assert job.url is not None
        path, mime = fetch_photo(client, self.config.ocr, job.url, directory, base_name)
        path = self._confine(path)
        values: dict[str, object] = {"mime_type": mime}
        self._keep(job, owner, path, values)

    def _store(self, job: Job, owner: str, path: Path, info: dict[str, object]) -> None:
        found = probe(path)
        if not found.has_audio:
            path.unlink(missing_ok=True)
            self._skip(job.media_id, owner, "no audio track: nothing to transcribe", NO_AUDIO)
            return
        info_seconds = info.get("duration")
        seconds = found.duration_seconds or (
            float(info_seconds) if isinstance(info_seconds, int | float) else None
        )
        if reason := duration_reason(seconds, self.config):
            path.unlink(missing_ok=True)
            self._skip(job.media_id, owner, reason, OVER_DURATION)
            return
        if not self.config.video.keep_video:
            path = extract_audio(path, found) or path
        self._keep(job, owner, path, {"duration_seconds": seconds, "mime_type": mime_type(path)})

    def _keep(self, job: Job, owner: str, path: Path, values: dict[str, object]) -> None:
        """Complete the row with its file's key in the media store, or as a duplicate of a
        stored identical one. The file is put in the store before the row says so, so a
        worker on another machine that claims the row finds it."""
        digest = sha256_file(path)
        values |= {"sha256": digest, "size_bytes": path.stat().st_size, "downloaded_at": utcnow()}
        with transaction(self.engine) as session:
            known = original_of(session, digest, job.media_id) is not None
        key = None if known else self.store.put(path)
        with _DEDUPE_LOCK, transaction(self.engine) as session:
            original = original_of(session, digest, job.media_id)
            if original is not None:
                values |= {"status": MediaStatus.DONE, "duplicate_of_id": original.id}
                values["local_path"] = original.local_path
            else:
                if key is None:  # the original went away meanwhile: keep this file after all
                    key = self.store.put(path)
                values["local_path"] = key
            kept = complete(session, self.stage, job.media_id, owner, **values)
        if not kept:
            self.report.count("lost", job.media_id, "lease lost to another worker")
        elif original is not None:
            if key is not None and key != original.local_path:
                self.store.delete(key)  # uploaded before a twin was stored: not needed
            path.unlink(missing_ok=True)  # the original's file is kept and shared
            self.report.count("duplicates", job.media_id)
        else:
            self.report.count("downloaded", job.media_id)

    def _skip(self, media_id: int, owner: str, message: str, reason: str) -> None:
        """`skipped` for good: `message` in full to last_error, the short `reason` kept."""
        self.fail_item(
            media_id,
            owner,
            message,
            permanent=True,
            status=MediaStatus.SKIPPED,
            outcome="skipped",
            skip_reason=reason,
        )
