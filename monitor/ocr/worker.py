"""The OCR stage: claim a downloaded photo, read its text, store it and its keyword hits."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine

from collectors.errors import PolmonError
from collectors.records import READABLE_KINDS
from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.media_store import MediaKeyError, store_for
from monitor.ocr.reader import (
    ImageReading,
    OcrFailed,
    OcrUnavailable,
    UnreadableImage,
    check_tesseract,
    read_image,
)
from monitor.ocr.report import OcrReport
from storage.engine import transaction
from storage.ocr import photo_path, save_image_text
from storage.queue import complete, ocr_stage, release
from storage.queue_status import MediaStatus, ready_count
from storage.types import utcnow
from storage.worker import QueueWorker

log = logging.getLogger("polmon.ocr")


class _LeaseLost(PolmonError):
    """Another worker took the row while we read it: our result is dropped."""


class OcrWorker(QueueWorker[OcrReport]):
    """Reads photos one at a time; Tesseract is checked once, before the first claim."""

    def __init__(self, config: PolmonConfig, engine: Engine) -> None:
        ocr = config.ocr
        stage = ocr_stage(lease_seconds=ocr.lease_seconds, max_attempts=ocr.max_attempts)
        super().__init__(engine, stage, OcrReport(), stop=shutdown.STOP)
        self.config = config
        self.store = store_for(config)
        self.engine_name = "tesseract"

    def run(self, limit: int | None = None, on_item: Callable[[], None] | None = None) -> OcrReport:
        """Read photos until the queue is empty, `limit` were claimed, or a stop request."""
        self.engine_name = f"tesseract {check_tesseract(self.config.ocr)}"  # fail fast
        self.store.remove_stale_copies(2 * self.stage.lease_seconds)  # of dead workers
        return self.drain(
            limit=limit, on_item=None if on_item is None else lambda _report: on_item()
        )

    def process(self, media_id: int, owner: str) -> None:
        with transaction(self.engine) as session:
            exists, local_path = photo_path(session, media_id)
        if not exists:  # deleted with its post meanwhile
            return
        try:
            with self.heartbeat(media_id, owner) as beat, self._image(local_path) as path:
                reading = read_image(path, self.config.ocr, self.engine_name)
            if beat.lost:
                raise _LeaseLost
            self._store(media_id, owner, reading)
        except _LeaseLost:
            self.report.count("lost", media_id, "lease lost to another worker")
        except UnreadableImage as exc:
            self._fail(media_id, owner, str(exc), permanent=True)
        except OcrUnavailable:
            release(self.engine, self.stage, media_id, owner)
            raise  # every image would fail the same way: stop and tell the user
        except OcrFailed as exc:
            self._fail(media_id, owner, str(exc), permanent=False)
        except Exception as exc:  # one bad image never stops the run: retried with backoff
            log.exception("reading media %s failed", media_id)
            self._fail(media_id, owner, f"{type(exc).__name__}: {exc}", permanent=False)

    @contextlib.contextmanager
    def _image(self, local_path: str | None) -> Iterator[Path]:
        """The photo's file on this machine's disk (from the media store) for the block."""
        if not local_path:
            raise UnreadableImage("the media row has no local file (it was never downloaded)")
        try:
            with self.store.local_copy(local_path) as path:
                yield path
        except MediaKeyError as exc:
            raise UnreadableImage(str(exc)) from exc

    def _store(self, media_id: int, owner: str, reading: ImageReading) -> None:
        """The text, its keyword hits and the row's `done` in one transaction; nothing when
        the lease was lost meanwhile (another worker owns the row)."""
        from monitor.keywords import match_image_text  # the matcher engines: load lazily

        with transaction(self.engine) as session:
            if not complete(session, self.stage, media_id, owner):
                raise _LeaseLost
            save_image_text(session, media_id, reading)
            hits = match_image_text(session, self.config, media_id)
        self.report.count("read", media_id)
        self.report.words += reading.words
        self.report.hits += hits
        if not reading.text:
            self.report.blank += 1

    def _fail(self, media_id: int, owner: str, error: str, *, permanent: bool) -> None:
        outcome = self.fail_item(media_id, owner, f"ocr: {error}", permanent=permanent)
        if outcome != "lost":
            log.warning("media %s: %s (%s)", media_id, error, outcome)


def ready_photos(engine: Engine) -> int:
    """Downloaded photos waiting to be read now."""
    with transaction(engine) as session:
        return ready_count(session, MediaStatus.DOWNLOADED, utcnow(), kinds=READABLE_KINDS)


def run_ocr(config: PolmonConfig, engine: Engine, *, limit: int | None = None) -> OcrReport:
    """Read downloaded photos (at most `limit`); failures are recorded, never raised, except
    OcrUnavailable (Tesseract or a configured language is missing), raised before any claim.
    A stop request (`monitor.shutdown`) claims no further photo. With `[ocr] enabled = false`
    nothing is read (and Tesseract is not looked for)."""
    if not config.ocr.enabled:
        log.info("OCR is off ([ocr] enabled = false): no photo read")
        return OcrReport()
    return OcrWorker(config, engine).run(limit)
