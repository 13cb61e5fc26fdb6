"""At scale on PostgreSQL, real processes on separate "machines": 500 accounts on a t.me
stand-in, two `polmon run` daemons, four collect workers, two download and two transcription
workers, each in a network namespace of its own (reaching PostgreSQL through a TCP relay on a
bridge; plain processes where namespaces cannot be made, said in the output). One daemon and
one worker of each kind are SIGKILLed while they hold a lease. Afterwards every account was
collected once in its interval, every post stored once, every media row downloaded and
transcribed once (the killed workers' rows taken again by the survivors) and each singleton job
ran once."""

from __future__ import annotations

import hashlib
import subprocess
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from storage.engine import transaction
from storage.models import Account, CollectionRun, JobRun, Media, Post, Transcript
from tests.conftest import IN_CI, TestDatabase
from tests.support import netns
from tests.support.config import video_settings, write_config
from tests.support.scale import Process, build_site, kill_holding, start_processes
from tests.support.telegram_scenario import scenario_telegram
from tests.support.transcription import transcription_settings

pytestmark = pytest.mark.slow

CHANNELS = [f"chan{n:03d}" for n in range(500)]
VOICES = 12  # plus two videos: each a real transcription on the CPU
WORKER = ["worker", "--poll-seconds", "0.2", "--stage"]
COMMANDS = (
    [("daemon", ["run"])] * 2
    + [("collect", [*WORKER, "collect"])] * 4
    + [("download", [*WORKER, "download"])] * 2
    + [("transcribe", [*WORKER, "transcribe"])] * 2
)
# Leases: short, so a killed holder's work is taken again soon; long enough that a live
# holder on a loaded machine keeps renewing its own (renewed every third).
BODY = """
[schedule]
due_check_seconds = 0.5
collect_lease_seconds = 8

[schedule.jobs.rescan]
task = "rescan"
interval_minutes = 60

[schedule.jobs.rescan_again]
task = "rescan"
interval_minutes = 60

[[actors]]
name = "Ministry"
""" + "".join(
    f'[[actors.accounts]]\nplatform = "telegram"\nhandle = "{name}"\ninterval_minutes = 60\n'
    for name in CHANNELS
)
MEDIA_LEASE = {"lease_seconds": 4, "max_attempts": 5}
DEADLINE = 600.0  # a safety net for a loaded machine, not a measurement


@contextmanager
def network(
    pg_db: TestDatabase, record: Callable[[str, object], None]
) -> Iterator[tuple[str, TestDatabase, netns.Namespaces | None]]:
    """Where the processes run: (the address they reach the host on, their database, their
    namespaces); namespaces when this machine allows them (required under CI)."""
    with ExitStack() as stack:
        reason = netns.unavailable()
        if reason is None:
            try:
                machines = stack.enter_context(netns.namespaces(len(COMMANDS)))
            except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
                reason = f"setting them up failed: {exc}"
        if reason is not None:
            if IN_CI:
                pytest.fail(f"network namespaces are required under CI: {reason}", pytrace=False)
            said = f"plain processes on 127.0.0.1, no network namespaces: {reason}"
            warnings.warn(f"scale test: {said}", stacklevel=1)
            print(f"machines: {said}")
            record("machines", said)
            yield "127.0.0.1", pg_db, None
            return
        url = make_url(pg_db.url)
        target = (url.host or "127.0.0.1", url.port or 5432)
        relay = stack.enter_context(netns.TcpRelay(machines.host, target))
        relayed = url.set(host=relay.address[0], port=relay.address[1])
        said = f"{len(machines.names)} network namespaces; PostgreSQL through {relay.address}"
        print(f"machines: {said}")
        record("machines", said)
        yield machines.host, replace(pg_db, url=relayed.render_as_string(False)), machines


def apart(processes: list[Process]) -> bool:
    """Is each process in a network namespace of its own, none of them ours? (A process
    joins its namespace just after it starts.)"""
    networks = {Path(f"/proc/{process.pid}/ns/net").readlink() for process in processes}
    return len(networks) == len(processes) and Path("/proc/self/ns/net").readlink() not in networks


def wait_for(condition: Callable[[], object], what: Callable[[], str], logs: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what()}\n{tails(logs)}")


def tails(logs: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-1500:]}"
        for path in sorted(logs.glob("*.log"))
    )


def ok_runs(db: TestDatabase) -> Counter[str]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(Account.handle)
            .join(CollectionRun, CollectionRun.account_id == Account.id)
            .where(CollectionRun.status == "ok")
        )
        return Counter(handle for (handle,) in rows)


def job_runs(db: TestDatabase) -> dict[str, list[str]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(JobRun.job_name, JobRun.status).where(JobRun.job_name.like("rescan%"))
        ).all()
    runs: dict[str, list[str]] = {}
    for name, status in rows:
        runs.setdefault(name, []).append(status)
    return runs


def singletons_finished(db: TestDatabase) -> bool:
    runs = job_runs(db)
    return len(runs) == 2 and all("running" not in statuses for statuses in runs.values())


def media_statuses(db: TestDatabase) -> Counter[str]:
    with transaction(db.engine) as session:
        return Counter(session.scalars(select(Media.status)))


def all_done(db: TestDatabase, media: int) -> bool:
    return (
        len(ok_runs(db)) == len(CHANNELS)
        and media_statuses(db) == Counter({"done": media})
        and singletons_finished(db)
    )


def progress(db: TestDatabase) -> str:
    runs = ok_runs(db)
    return (
        f"{len(runs)} accounts collected ({sum(runs.values())} ok runs), "
        f"media {dict(media_statuses(db))}, jobs {job_runs(db)}"
    )


def kill_one_of_each(db: TestDatabase, processes: list[Process], logs: Path) -> dict[str, int]:
    """SIGKILL one daemon (once the singleton jobs have run) and one worker of each kind,
    each while it holds a lease; returns the row each one held, by kind."""
    held: dict[str, int] = {}

    def kill_the_rest() -> bool:
        for kind in ("collect", "download", "transcribe", "daemon"):
            if kind in held or (kind == "daemon" and not singletons_finished(db)):
                continue
            if (killed := kill_holding(db.engine, processes, kind)) is not None:
                held[kind] = killed[1]
        return len(held) == 4

    wait_for(
        kill_the_rest,
        lambda: f"one of each kind to hold a lease (killed: {held}, jobs: {job_runs(db)})",
        logs,
    )
    return held


@pytest.mark.timeout(900)
def test_daemons_and_workers_on_machines_share_the_work_and_survive_kills(
    pg_db: TestDatabase, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    media_dir = tmp_path / "media"
    with network(pg_db, record_property) as (host, database, machines):
        server = HTTPServer(host=host, threaded=True)
        server.start()
        try:
            carriers = build_site(server, CHANNELS, VOICES)
            config = write_config(
                tmp_path,
                database,
                BODY,
                paths={"media_dir": str(media_dir)},
                telegram=scenario_telegram(
                    server.url_for("/"), requests_per_second=10000.0, timeout_seconds=30.0
                ),
                video=video_settings(
                    timeout_seconds=30, concurrency=1, retry_backoff_seconds=1, **MEDIA_LEASE
                ),
                transcription=transcription_settings(threads=1, poll_seconds=0.2, **MEDIA_LEASE),
            )
            with start_processes(config, COMMANDS, tmp_path, machines) as processes:
                if machines is not None:  # each process is on a "machine" of its own
                    wait_for(
                        lambda: apart(processes),
                        lambda: "each process in a network namespace of its own",
                        tmp_path,
                    )
                held = kill_one_of_each(pg_db, processes, tmp_path)
                print(f"SIGKILLed holding (kind: account or media id): {held}")
                wait_for(
                    lambda: all_done(pg_db, len(carriers)),
                    lambda: f"all the work done: {progress(pg_db)}",
                    tmp_path,
                )
                survivors = [p for p in processes if p.popen.poll() is None]
                for process in survivors:
                    process.popen.terminate()
                codes = [process.popen.wait(timeout=120) for process in survivors]
        finally:
            server.clear()
            server.stop()
    logs = tails(tmp_path)
    assert len(survivors) == len(COMMANDS) - 4, logs
    assert codes == [0] * len(survivors), logs
    for path in tmp_path.glob("*.log"):
        assert "Traceback" not in path.read_text(errors="replace"), f"{path.name}\n{logs}"

    # every account collected once in its interval, every post stored once
    assert ok_runs(pg_db) == Counter(dict.fromkeys(CHANNELS, 1)), logs
    with transaction(pg_db.engine) as session:
        posts = session.scalar(select(func.count()).select_from(Post))
        distinct = session.scalar(
            select(func.count()).select_from(
                select(Post.account_id, Post.platform_post_id).distinct().subquery()
            )
        )
    assert posts == distinct == len(CHANNELS) + len(carriers)
    # each singleton job ran in one daemon only
    assert job_runs(pg_db) == {"rescan": ["ok"], "rescan_again": ["ok"]}

    # every media row downloaded once (one file each, as hashed) and transcribed once
    files = {p.relative_to(media_dir).as_posix() for p in media_dir.rglob("*") if p.is_file()}
    with transaction(pg_db.engine) as session:
        media = session.scalars(select(Media).order_by(Media.id)).all()
        assert len(media) == len(carriers)
        assert files == {row.local_path for row in media}, files
        for row in media:
            assert row.status == "done" and row.duplicate_of_id is None, row.id
            path = media_dir / (row.local_path or "")
            assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), row.id
        transcripts = dict(session.execute(select(Transcript.media_id, Transcript.text)).all())
        assert sorted(transcripts) == [row.id for row in media]
        voices = [transcripts[row.id] for row in media if row.kind == "voice"]
        assert len(voices) == VOICES and all("hospitals" in text.lower() for text in voices)
        # the rows the killed workers held mid-work were taken again once their leases expired
        for kind in ("download", "transcribe"):
            orphan = session.get(Media, held[kind])
            assert orphan is not None and orphan.status == "done" and orphan.id in transcripts
