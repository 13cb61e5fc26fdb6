"""The media download stage: leased `pending` rows -> files under the media dir -> `downloaded`.

Identical content (same sha256) is stored once: a later row becomes `done` with
`duplicate_of_id` pointing at the first and shares its file, so it is never transcribed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, or_, select, text
from sqlalchemy.orm import Session

from collectors.video.ytdlp import open_ytdlp
from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.heartbeat import Heartbeat
from monitor.media_fetch import (
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
from storage.engine import transaction
from storage.models import Account, Media, Post
from storage.queue import Stage, claim, complete, download_stage, fail, release, worker_id
from storage.types import utcnow

log = logging.getLogger("polmon.download")
STORED_STATUSES = ("downloaded", "transcribing", "done")
_DEDUPE_LOCK = threading.Lock()


@dataclass
class DownloadReport:
    """What one run of the stage did; `problems` lists (media id, status, error)."""

    downloaded: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: int = 0
    retrying: int = 0
    lost: int = 0
    released: int = 0  # given back to the queue by a stop request (SIGINT, SIGTERM)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, outcome: str, media_id: int, error: str | None = None) -> None:
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + 1)
            if error is not None:
                self.problems.append((media_id, outcome, error))

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


class _StopRequested(BaseException):
    """Raised from yt-dlp's progress hook on a stop request; BaseException so that no
    `except Exception` on the way (yt-dlp's, ours) mistakes it for a failed download."""


@dataclass(frozen=True)
class _Job:
    media_id: int
    url: str | None
    platform: str
    post_platform_id: str
    position: int
    known_duration: float | None


class _Budget:
    """How many rows may still be claimed (`limit`), shared by the worker threads."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left is None:
                return True
            if self.left <= 0:
                return False
            self.left -= 1
            return True

    def give_back(self) -> None:
        with self.lock:
            if self.left is not None:
                self.left += 1


def ready_count(engine: Engine) -> int:
    now = utcnow()
    with transaction(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Media)
                .where(
                    Media.status == "pending",
                    or_(Media.next_attempt_at.is_(None), Media.next_attempt_at <= now),
                )
            )
            or 0
        )


def _load_job(engine: Engine, media_id: int) -> _Job:
    with transaction(engine) as session:
        media, post, account = session.execute(
            select(Media, Post, Account)
            .join(Post, Media.post_id == Post.id)
            .join(Account, Post.account_id == Account.id)
            .where(Media.id == media_id)
        ).one()
        return _Job(
            media.id,
            media.source_url,
            account.platform,
            post.platform_post_id,
            media.position,
            media.duration_seconds,
        )


class DownloadStage:
    """Runs the stage with `[video] concurrency` threads, each claiming one row at a time."""

    def __init__(self, config: PolmonConfig, engine: Engine) -> None:
        self.config = config
        self.engine = engine
        video = config.video
        self.stage: Stage = download_stage(
            max_attempts=video.max_attempts,
            backoff_seconds=video.retry_backoff_seconds,
            lease_seconds=video.lease_seconds,
        )
        self.media_dir = config.media_dir.resolve()
        self.report = DownloadReport()

    def run(self, limit: int | None, on_done: Callable[[], None] | None = None) -> DownloadReport:
        # fail fast on bad [video] options, before claiming
        open_ytdlp(self.config.video_settings).close()
        # Partial files older than two leases: their downloader died (a live one renews both).
        if removed := remove_abandoned_parts(self.media_dir, 2 * self.stage.lease_seconds):
            log.info("removed %d partial files of abandoned downloads", removed)
        budget = _Budget(limit)
        workers = self.config.video.concurrency
        with ThreadPoolExecutor(workers, thread_name_prefix="download") as pool:
            futures = [pool.submit(self._worker, budget, on_done) for _ in range(workers)]
            for future in futures:
                future.result()
        return self.report

    def _worker(self, budget: _Budget, on_done: Callable[[], None] | None) -> None:
        owner = worker_id("download")
        while not shutdown.stop_requested() and budget.take():  # a stop: claim no more
            claimed = claim(self.engine, self.stage, owner, limit=1)
            if not claimed:
                budget.give_back()
                return
            try:
                self._process(claimed[0], owner)
            except BaseException:
                release(self.engine, self.stage, claimed[0], owner)
                raise
            if on_done is not None:
                on_done()

    def _process(self, media_id: int, owner: str) -> None:
        job = _load_job(self.engine, media_id)
        stem_name = media_stem(job.platform, job.post_platform_id, job.media_id)
        directory = self.media_dir / stem_name.split("/")[0]
        base_name = stem_name.split("/")[1]
        if job.url is None:
            self._fail(job, owner, "no source URL to download", permanent=True)
            return
        if reason := duration_reason(job.known_duration, self.config):
            self._skip(job, owner, reason)
            return
        directory.mkdir(parents=True, exist_ok=True)

        def check_stop() -> None:
            if shutdown.stop_requested():  # called while downloading: give the row back
                raise _StopRequested

        try:
            with Heartbeat(self.engine, self.stage, job.media_id, owner):
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
        except _StopRequested:  # the attempt is not the file's fault: not counted
            self._give_back(job, owner, directory, base_name)
        except MediaSkipped as exc:
            remove_leftovers(directory, base_name)
            self._skip(job, owner, str(exc))
        except MediaFailed as exc:
            if shutdown.stop_requested():  # cut off by the stop, maybe: try again next run
                self._give_back(job, owner, directory, base_name)
                return
            remove_leftovers(directory, base_name)
            self._fail(job, owner, str(exc), permanent=exc.permanent)
        except LocalFault as exc:
            remove_leftovers(directory, base_name)
            self._defer(job, owner, str(exc))
        except Exception as exc:
            if shutdown.stop_requested():
                self._give_back(job, owner, directory, base_name)
                return
            remove_leftovers(directory, base_name)
            if (fault := local_fault(exc)) is not None:  # storing: audio copy, hashing
                self._defer(job, owner, local_fault_message(fault))
                return
            log.exception("media %s: unexpected error", job.media_id)
            self._fail(job, owner, f"unexpected {type(exc).__name__}: {exc}", permanent=False)

    def _give_back(self, job: _Job, owner: str, directory: Path, base_name: str) -> None:
        """A stop request cut the download off: no partial file, the row back in the queue."""
        remove_leftovers(directory, base_name)
        release(self.engine, self.stage, job.media_id, owner)
        self.report.count("released", job.media_id)

    def _confine(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.media_dir):
            resolved.unlink(missing_ok=True)
            raise MediaFailed(f"refused a file outside the media dir: {resolved}", permanent=True)
        return resolved

    def _store(self, job: _Job, owner: str, path: Path, info: dict[str, object]) -> None:
        found = probe(path)
        if not found.has_audio:
            path.unlink(missing_ok=True)
            self._skip(job, owner, "no audio track: nothing to transcribe")
            return
        info_seconds = info.get("duration")
        seconds = found.duration_seconds or (
            float(info_seconds) if isinstance(info_seconds, int | float) else None
        )
        if reason := duration_reason(seconds, self.config):
            path.unlink(missing_ok=True)
            self._skip(job, owner, reason)
            return
        if not self.config.video.keep_video:
            path = extract_audio(path, found) or path
        digest = sha256_file(path)
        values = {
            "sha256": digest,
            "size_bytes": path.stat().st_size,
            "duration_seconds": seconds,
            "mime_type": mime_type(path),
            "downloaded_at": utcnow(),
        }
        with _DEDUPE_LOCK, transaction(self.engine) as session:
            original = _original_of(session, digest, job.media_id)
            if original is not None:
                values |= {"status": "done", "duplicate_of_id": original.id}
                values["local_path"] = original.local_path
            else:
                values["local_path"] = str(path)
            kept = complete(session, self.stage, job.media_id, owner, **values)
        if not kept:
            self.report.count("lost", job.media_id, "lease lost to another worker")
        elif original is not None:
            path.unlink(missing_ok=True)  # the original's file is kept and shared
            self.report.count("duplicates", job.media_id)
        else:
            self.report.count("downloaded", job.media_id)

    def _skip(self, job: _Job, owner: str, reason: str) -> None:
        fail(self.engine, self.stage, job.media_id, owner, reason, permanent=True, status="skipped")
        self.report.count("skipped", job.media_id, reason)

    def _defer(self, job: _Job, owner: str, error: str) -> None:
        """A local fault: back to `pending` after the first backoff, the attempt not counted."""
        log.warning("media %s: %s", job.media_id, error)
        kept = release(
            self.engine,
            self.stage,
            job.media_id,
            owner,
            retry_after=self.stage.backoff_seconds,
            error=error,
        )
        self.report.count("retrying" if kept else "lost", job.media_id, error)

    def _fail(self, job: _Job, owner: str, error: str, *, permanent: bool) -> None:
        status = fail(self.engine, self.stage, job.media_id, owner, error, permanent=permanent)
        outcome = {"failed": "failed", "pending": "retrying"}.get(status or "", "lost")
        self.report.count(outcome, job.media_id, error)


def _original_of(session: Session, digest: str, media_id: int) -> Media | None:
    """The first stored row with this content, if any (PostgreSQL: serialised per digest)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:d, 0))"), {"d": digest}
        )
    return session.scalar(
        select(Media)
        .where(
            Media.sha256 == digest,
            Media.id != media_id,
            Media.duplicate_of_id.is_(None),
            Media.local_path.is_not(None),
            Media.status.in_(STORED_STATUSES),
        )
        .order_by(Media.id)
        .limit(1)
    )


def run_downloads(
    config: PolmonConfig, engine: Engine, *, limit: int | None = None, progress: bool = False
) -> DownloadReport:
    """Drain the download queue (at most `limit` rows); failures are recorded, never raised."""
    stage = DownloadStage(config, engine)
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
