"""The transcription worker: claim a downloaded media row, transcribe it, store it, repeat."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine

from collectors.records import TRANSCRIBABLE_KINDS
from monitor import shutdown
from monitor.capabilities import excluded_languages, needs_label, needs_of
from monitor.config import PolmonConfig
from monitor.media_store import MediaKeyError, MediaStore, store_for
from monitor.transcription.dedupe import decide
from monitor.transcription.errors import (
    CorruptMediaError,
    Interrupted,
    LeaseLost,
    ModelLoadError,
)
from monitor.transcription.progress import TranscribeProgress
from monitor.transcription.report import TranscribeReport
from monitor.transcription.result import TranscriptResult
from monitor.transcription.settings import prompt_terms
from monitor.transcription.transcriber import Transcriber
from storage.engine import transaction
from storage.models import Media
from storage.queue import complete, release, transcribe_stage, worker_id
from storage.queue_status import MediaStatus, ready_count
from storage.transcripts import save_transcript
from storage.worker import QueueWorker

log = logging.getLogger(__name__)
DUPLICATE_WAIT_SECONDS = 30.0  # a copy waits this long for its original's transcript


@contextlib.contextmanager
def media_file(store: MediaStore, local_path: str | None) -> Iterator[Path]:
    """The downloaded file of a media row on this machine's disk, for the `with` block: its
    key in the media store (a temporary copy when the store is remote)."""
    if not local_path:
        raise CorruptMediaError("media row has no local file (it was never downloaded)")
    try:
        with store.local_copy(local_path) as path:
            yield path
    except (FileNotFoundError, MediaKeyError) as exc:
        raise CorruptMediaError(f"media file missing: {local_path} (download it again)") from exc


class TranscriptionWorker(QueueWorker[TranscribeReport]):
    """One worker process's loop; the model is loaded on the first file and kept for the rest."""

    owner: str  # one lease owner for the process (the base allows one per thread)

    def __init__(
        self,
        config: PolmonConfig,
        engine: Engine,
        *,
        stop_event: threading.Event | None = None,
        owner: str | None = None,
        on_hits: Callable[[], None] | None = None,
        capabilities: frozenset[str] | None = None,
    ) -> None:
        t = config.transcription
        super().__init__(
            engine,
            transcribe_stage(
                lease_seconds=t.lease_seconds,
                max_attempts=t.max_attempts,
                # None: every row; else only media whose needs this worker has
                excluded_languages=excluded_languages(t, capabilities),
            ),
            TranscribeReport(),
            # Default: the process-wide stop request `polmon run` / `polmon worker` set on SIGTERM.
            stop=stop_event if stop_event is not None else shutdown.STOP,
            owner=owner or worker_id("transcribe"),
        )
        self.config = config
        self.store = store_for(config)
        self.transcriber = Transcriber(config)
        self.terms = prompt_terms(config)
        self.level = logging.DEBUG  # of the lifecycle lines; run() sets INFO for `follow`
        self.on_hits = on_hits  # called after a stored transcript added keyword hits
        self._empty_said = False

    @property
    def stop_event(self) -> threading.Event:
        return self.stop

    def run(
        self,
        *,
        limit: int | None = None,
        follow: bool = False,
        poll_seconds: float = 10.0,
        on_item: Callable[[TranscribeReport], None] | None = None,
    ) -> TranscribeReport:
        """Work until the queue is empty (with `follow`: until stopped); `limit` rows at most.

        Logs one line when it starts, per claim, when the queue runs empty and when it stops:
        at INFO for `polmon worker` (`follow`), at DEBUG for one-shot runs.
        """
        self.level = logging.INFO if follow else logging.DEBUG
        # copies from an object store left by a worker that died mid-file (a live one renews
        # its lease, so a copy older than two leases is nobody's)
        if removed := self.store.remove_stale_copies(2 * self.stage.lease_seconds):
            log.info("removed %d temporary media copies of dead workers", removed)
        t = self.config.transcription
        log.log(
            self.level,
            "transcription worker %s started: %s, model %s; %s",
            self.owner,
            t.backend,
            t.model,
            f"polls every {poll_seconds:g} s when the queue is empty"
            if follow
            else "runs until the queue is empty",
        )
        self.report = TranscribeReport()
        self._empty_said = False
        report = self.drain(limit=limit, follow=follow, poll_seconds=poll_seconds, on_item=on_item)
        log.log(self.level, "transcription worker %s stopped: %s", self.owner, report.summary())
        return report

    def on_queue_empty(self) -> None:
        if not self._empty_said:  # once each time the queue runs dry, not at every poll
            log.log(self.level, "queue empty: no downloaded media waiting")
            self._empty_said = True

    def process(self, media_id: int, owner: str) -> None:
        """Handle one claimed row; every outcome leaves the row done, failed or back in line."""
        self._empty_said = False
        with transaction(self.engine) as session:
            media = session.get(Media, media_id)
            if media is None:  # deleted with its post meanwhile
                return
            decision = decide(session, media)
            local_path, known_duration = media.local_path, media.duration_seconds
            detected = (
                (media.detected_language, media.detected_language_probability)
                if media.detected_language
                else None
            )
            log.log(
                self.level,
                "claimed media %s (%s of post %s, %s, attempt %s)",
                media_id,
                media.kind,
                media.post_id,
                f"{known_duration:.0f} s" if known_duration else "duration unknown",
                media.attempts,
            )
        if decision.action == "link":
            with transaction(self.engine) as session:
                linked = complete(
                    session, self.stage, media_id, owner, duplicate_of_id=decision.original_id
                )
            self.report.add("linked" if linked else "lost")
            return
        if decision.action == "wait":
            release(self.engine, self.stage, media_id, owner, retry_after=DUPLICATE_WAIT_SECONDS)
            self.report.add("deferred")
            return
        result = self._transcribe(media_id, owner, local_path, detected)
        if result is not None:
            self._store(media_id, owner, result, known_duration)

    def _transcribe(
        self,
        media_id: int,
        owner: str,
        local_path: str | None,
        detected: tuple[str, float | None] | None,
    ) -> TranscriptResult | None:
        """The file's transcript; None when it was handed on, given back or failed.

        A worker with capabilities detects the language first (unless a worker before it
        did) and hands the row on when that language needs what it lacks."""
        beat = self.heartbeat(media_id, owner)
        excluded = self.stage.excluded_languages

        def should_stop() -> bool:
            return self.stop.is_set() or beat.lost

        try:
            with beat, media_file(self.store, local_path) as path:
                prepared = self.transcriber.prepare(path, detected=detected, detect=bool(excluded))
                language = (prepared.language or "").lower()
                not_mine = prepared.measured and language in excluded
                result = (
                    None
                    if not_mine
                    else self.transcriber.decode(prepared, self.terms, should_stop=should_stop)
                )
            if beat.lost:
                raise LeaseLost(f"media {media_id}: lease lost during transcription")
            if result is None:
                self._hand_on(media_id, owner, language, prepared.probability)
            return result
        except (Interrupted, LeaseLost):
            if beat.lost:
                self.report.add("lost")
            else:  # stop requested: give the row back for another worker, attempt not counted
                self.give_back(media_id, owner)
        except CorruptMediaError as exc:
            self._fail(media_id, owner, str(exc), permanent=True)
        except ModelLoadError:
            release(self.engine, self.stage, media_id, owner)
            raise  # every file would fail the same way: stop and tell the user
        except Exception as exc:  # one bad file never stops the run: retried with backoff
            log.exception("transcribing media %s failed", media_id)
            self._fail(media_id, owner, f"{type(exc).__name__}: {exc}", permanent=False)
        return None

    def _hand_on(self, media_id: int, owner: str, language: str, probability: float | None) -> None:
        """Back to the queue un-transcribed, attempt not counted, with the detected language
        recorded: from now on only a worker with that language's needs claims it."""
        kept = release(
            self.engine,
            self.stage,
            media_id,
            owner,
            detected_language=language,
            detected_language_probability=probability,
        )
        self.report.add("rerouted" if kept else "lost")
        log.log(
            self.level,
            "media %s is in %s, which needs %s: handed on to a worker that has it",
            media_id,
            language,
            needs_label(needs_of(self.config.transcription, language)),
        )

    def _store(
        self, media_id: int, owner: str, result: TranscriptResult, known_duration: float | None
    ) -> None:
        """Transcript, segments, keyword hits and the row's `done` in one transaction; nothing
        if the lease was lost meanwhile (another worker owns the row: no double transcript)."""
        from monitor.keywords import match_transcript  # the matcher engines: load lazily

        extra = {} if known_duration else {"duration_seconds": result.duration}
        try:
            with transaction(self.engine) as session:
                if not complete(session, self.stage, media_id, owner, **extra):
                    raise LeaseLost(f"media {media_id}: lease lost before storing")
                transcript_id = save_transcript(session, media_id, result)
                hits = match_transcript(session, self.config, transcript_id)
        except LeaseLost:
            self.report.add("lost")
            return
        except Exception as exc:
            log.exception("storing the transcript of media %s failed", media_id)
            self._fail(media_id, owner, f"storing failed: {type(exc).__name__}: {exc}")
            return
        self.report.add("done")
        self.report.audio_seconds += result.duration
        self.report.processing_seconds += result.processing_seconds
        if hits and self.on_hits is not None:  # committed: their alert events are readable
            self.on_hits()

    def _fail(self, media_id: int, owner: str, error: str, *, permanent: bool = False) -> None:
        outcome = self.fail_item(media_id, owner, error, permanent=permanent)
        if outcome == "lost":
            return
        self.report.errors.append(f"media {media_id}: {error}")
        status = "failed" if outcome == "failed" else self.stage.ready_status
        log.warning("media %s: %s (%s)", media_id, error, status)


def queued_count(engine: Engine) -> int:
    """Media rows waiting for a transcript (for the progress bar's total)."""
    with transaction(engine) as session:
        return ready_count(session, MediaStatus.DOWNLOADED, kinds=TRANSCRIBABLE_KINDS)


def run_transcriptions(
    config: PolmonConfig,
    engine: Engine,
    *,
    limit: int | None = None,
    progress: bool = False,
    stop_event: threading.Event | None = None,
    follow: bool = False,
    poll_seconds: float | None = None,
    on_hits: Callable[[], None] | None = None,
    capabilities: frozenset[str] | None = None,
) -> TranscribeReport:
    """Transcribe downloaded media until the queue is empty, `limit` rows are handled, or stop.

    With `follow` (`polmon worker`) an empty queue is polled every poll_seconds until
    `stop_event` is set (default: monitor.shutdown's process-wide stop request). A stop
    abandons a faster-whisper file at its next segment and gives its lease back. `on_hits`
    is called after each stored transcript that added keyword hits (`polmon worker` wakes
    its alert dispatcher). Raises ModelLoadError when the model cannot be loaded.
    `capabilities` (`polmon worker --capability`): claim only media whose needs are among
    them (monitor.capabilities); None: every row.
    """
    worker = TranscriptionWorker(
        config, engine, stop_event=stop_event, on_hits=on_hits, capabilities=capabilities
    )
    poll = poll_seconds if poll_seconds is not None else config.transcription.poll_seconds
    if not progress:
        return worker.run(limit=limit, follow=follow, poll_seconds=poll)
    total = None if follow else queued_count(engine)
    if total is not None and limit is not None:
        total = min(total, limit)
    with TranscribeProgress(total) as bar:
        return worker.run(limit=limit, follow=follow, poll_seconds=poll, on_item=bar.update)
