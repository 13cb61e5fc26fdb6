"""The scale test's world: 500 channels and their media on a t.me stand-in, the polmon processes
(each in a network namespace of its own where possible), and who holds which lease."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, select
from werkzeug import Request, Response

from storage.engine import transaction
from storage.models import Account, Media
from tests.conftest import FIXTURES
from tests.support.netns import Namespaces
from tests.support.processes import PolmonProcess, start_polmon
from tests.support.telegram_site import (
    NOW,
    SiteMedia,
    SitePost,
    TelegramSite,
    channel_with_posts,
)

SPEECH = FIXTURES / "speech" / "plain.wav"  # "…the new budget for schools and hospitals."
VIDEOS = [FIXTURES / "media" / "clip_a.mp4", FIXTURES / "media" / "clip_b.mp4"]


def speech_variants(count: int) -> list[bytes]:
    """`count` copies of the speech clip, each with one sample's lowest bit flipped: the same
    words, a different sha256 (identical files would be stored and transcribed once)."""
    raw = SPEECH.read_bytes()
    samples = raw.index(b"data") + 8
    variants = []
    for n in range(count):
        copy = bytearray(raw)
        copy[samples + 2 * n] ^= 1
        variants.append(bytes(copy))
    return variants


@dataclass
class MediaFiles:
    """Files served at /media/<name>, with byte ranges (yt-dlp may ask for them)."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def handle(self, request: Request) -> Response:
        name = request.path.removeprefix("/media/")
        if name not in self.files:
            return Response("not found", status=404)
        body, mimetype = self.files[name]
        response = Response(body, mimetype=mimetype)
        return response.make_conditional(request, accept_ranges=True, complete_length=len(body))


def build_site(server: HTTPServer, channels: list[str], voices: int) -> list[str]:
    """Every channel with one text post; `voices` of them (spread over the list) also carry a
    voice note of speech, and two more a short video. Returns the channels with media."""
    site, media = TelegramSite(), MediaFiles()
    server.expect_request(re.compile(r"/media/.*")).respond_with_handler(media.handle)
    server.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    for name in channels:
        site.add(channel_with_posts(name, 1))
    step = len(channels) // (voices + len(VIDEOS))
    carriers = channels[step // 2 :: step][: voices + len(VIDEOS)]
    files: list[tuple[str, bytes, str, str]] = [
        (f"voice{n}.wav", body, "audio/wav", "voice")
        for n, body in enumerate(speech_variants(voices))
    ] + [(path.name, path.read_bytes(), "video/mp4", "video") for path in VIDEOS]
    for channel, (file_name, body, mimetype, kind) in zip(carriers, files, strict=True):
        media.files[file_name] = (body, mimetype)
        url = server.url_for(f"/media/{file_name}")
        site.channels[channel].add(
            SitePost(
                2,
                NOW - timedelta(minutes=30),
                text=f"a {kind} on @{channel}",
                media=[SiteMedia(kind, url, "0:04")],
            )
        )
    return carriers


@dataclass
class Process:
    kind: str  # daemon, collect, download, transcribe
    popen: PolmonProcess
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid


@contextmanager
def start_processes(
    config: Path,
    commands: list[tuple[str, list[str]]],
    logs: Path,
    machines: Namespaces | None,
) -> Iterator[list[Process]]:
    """One `python -m monitor` per (kind, arguments), namespace n for the n-th when
    `machines` is given; every one still running is killed afterwards."""
    processes: list[Process] = []
    try:
        for n, (kind, arguments) in enumerate(commands):
            log = logs / f"{kind}{n}.log"
            with log.open("wb") as out:
                process = start_polmon(
                    ["--config", str(config), *arguments],
                    cwd=logs,
                    stdout=out,
                    stderr=out,
                    netns=None if machines is None else machines.names[n],
                )
            processes.append(Process(kind, process, log))
        yield processes
    finally:
        for process in processes:
            if process.popen.poll() is None:
                process.popen.kill()
                process.popen.wait()


def owner_pid(owner: str | None) -> int | None:
    """The pid in a lease owner (`name@host:pid:suffix`)."""
    return None if owner is None else int(owner.split(":")[1])


def held_rows(engine: Engine, kind: str) -> dict[int, int]:
    """Row id -> holder pid of the leases held now on `kind`'s work (accounts for the
    collectors, media in the stage's working status for the media workers)."""
    with transaction(engine) as session:
        if kind in ("daemon", "collect"):
            rows = session.execute(
                select(Account.id, Account.lease_owner).where(Account.lease_owner.is_not(None))
            ).all()
        else:
            working = "downloading" if kind == "download" else "transcribing"
            rows = session.execute(
                select(Media.id, Media.lease_owner).where(
                    Media.status == working, Media.lease_owner.is_not(None)
                )
            ).all()
    return {row_id: pid for row_id, owner in rows if (pid := owner_pid(owner)) is not None}


def kill_holding(engine: Engine, processes: list[Process], kind: str) -> tuple[int, int] | None:
    """SIGKILL a process of `kind` that holds a lease on a row, mid-work: it is stopped
    (SIGSTOP) first, and killed only if it still holds that row; returns (pid, row) or None."""
    pids = {p.pid: p for p in processes if p.kind == kind and p.popen.poll() is None}
    for row, pid in held_rows(engine, kind).items():
        if pid not in pids:
            continue
        pids[pid].popen.send_signal(signal.SIGSTOP)
        if held_rows(engine, kind).get(row) == pid:  # not finished in between: mid-work
            pids[pid].popen.send_signal(signal.SIGKILL)
            pids[pid].popen.wait()
            return pid, row
        pids[pid].popen.send_signal(signal.SIGCONT)
    return None
