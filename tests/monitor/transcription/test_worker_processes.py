"""Real `polmon worker` processes sharing one queue (SQLite and PostgreSQL): crash, SIGTERM."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.engine import transaction
from storage.models import Media, Transcript
from tests.conftest import TestDatabase
from tests.support.config import write_config
from tests.support.factories import downloaded_media
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.transcription import SPEECH, transcription_settings

pytestmark = pytest.mark.slow
# Two jobs per worker: the jobs go in once all three workers poll the empty queue, so each
# takes one at once (the victim included, busy while the others run) and the two survivors
# share what is left, the orphan included. Each job is a real transcription: more jobs only
# cost time.
JOBS = 6
# Leases of 3 s renewed every second: a killed worker's row is free again 3 s after its death.
WORKER = {"threads": 1, "lease_seconds": 3, "poll_seconds": 0.2, "max_attempts": 3}


@contextmanager
def workers(config: Path, count: int, logs: Path) -> Iterator[list[PolmonProcess]]:
    procs = []
    for n in range(count):
        with open(logs / f"worker{n}.log", "wb") as out:  # the process keeps its own copy
            cmd = ["--config", str(config), "worker"]
            procs.append(start_polmon(cmd, stdout=out, stderr=out, cwd=logs))
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def wait_for(condition: Callable[[], object], what: str, timeout: float = 180.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def leased_by(db: TestDatabase, pid: int) -> int | None:
    """The media row a worker process holds a lease on right now."""
    with transaction(db.engine) as session:
        return session.scalar(
            select(Media.id).where(
                Media.status == "transcribing", Media.lease_owner.like(f"%:{pid}:%")
            )
        )


def polling(logs: Path, count: int) -> bool:
    """Whether each of the `count` workers has said its queue is empty (it polls it now)."""
    return all(
        "queue empty" in (logs / f"worker{n}.log").read_text(errors="replace") for n in range(count)
    )


def statuses(db: TestDatabase) -> dict[str, int]:
    with transaction(db.engine) as session:
        rows = session.execute(select(Media.status, func.count()).group_by(Media.status))
        return {status: count for status, count in rows}


def stopped(pid: int) -> bool:
    """Whether the process is stopped by a signal (state T in /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2] in "Tt"


def freeze_holding(db: TestDatabase, victim: PolmonProcess) -> int:
    """Stop `victim` (SIGSTOP) while it holds a lease and return that row: stopped, it can
    neither finish the job nor take another, so the SIGKILL that follows lands mid-job."""
    while True:
        wait_for(lambda: leased_by(db, victim.pid), "the victim to hold a lease")
        victim.send_signal(signal.SIGSTOP)
        wait_for(lambda: stopped(victim.pid), "the victim to stop")  # the signal is asynchronous
        held = leased_by(db, victim.pid)  # it may have finished that job in between
        if held is not None:
            return held
        victim.send_signal(signal.SIGCONT)


def test_three_workers_six_jobs_one_killed_mid_job(db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, db, transcription=transcription_settings(**WORKER))

    with workers(config, 3, tmp_path) as (victim, *survivors):
        wait_for(lambda: polling(tmp_path, 3), "every worker to poll the empty queue")
        good = downloaded_media(
            db.engine, [SPEECH / "plain.wav"] * JOBS
        )  # no sha256: no dedupe between them
        [corrupt] = downloaded_media(db.engine, [SPEECH / "corrupt.mp4"], handle="broken")
        held = freeze_holding(db, victim)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        # Killed mid-job: it was stopped holding the lease of a row still `transcribing`. The
        # row may already be another worker's (the 3 s lease runs out while a loaded machine
        # gets here); it is transcribed once either way (below).
        wait_for(lambda: statuses(db) == {"done": JOBS, "failed": 1}, "every job to finish")
        for proc in survivors:
            proc.send_signal(signal.SIGTERM)
        for proc in survivors:
            assert proc.wait(timeout=60) == 0

    with transaction(db.engine) as session:
        transcribed = session.scalars(select(Transcript.media_id)).all()
        assert sorted(transcribed) == good  # every job exactly once, the orphan included
        assert held in transcribed
        for transcript in session.scalars(select(Transcript)):
            assert "hospitals" in transcript.text.lower()
        broken = session.get(Media, corrupt)
        assert broken is not None and broken.status == "failed"
        assert broken.last_error is not None and "corrupt media" in broken.last_error
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("worker*.log"))
    assert "Traceback" not in logs


def test_sigterm_mid_job_gives_the_row_back_and_exits_cleanly(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = write_config(tmp_path, db, transcription=transcription_settings(**WORKER))
    downloaded_media(db.engine, [SPEECH / "plain.wav"] * 4)
    with workers(config, 1, tmp_path) as [worker]:
        held = wait_for(lambda: leased_by(db, worker.pid), "the worker to hold a lease")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    log = (tmp_path / "worker0.log").read_text()
    assert "SIGTERM received" in log and "Traceback" not in log
    with transaction(db.engine) as session:
        media = session.get(Media, held)
        assert media is not None and media.lease_owner is None
        assert media.status in ("downloaded", "done")  # released mid-file, or just finished
        done = session.scalar(select(func.count()).select_from(Transcript))
    assert "transcribing" not in statuses(db)
    assert statuses(db).get("done", 0) == done
