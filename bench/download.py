"""Download-stage throughput against a local server, by `[video] concurrency` (and latency)."""

from __future__ import annotations

import argparse
import os
import struct
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from monitor.config import parse_config
from monitor.download import run_downloads
from storage.engine import make_engine, transaction
from storage.migrations import upgrade
from storage.models import Account, Actor, Media, Post
from tests.support.local_server import LocalServer

CLIP = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "media" / "clip_a.mp4"


def distinct_clip(n: int) -> bytes:
    """The fixture clip plus a `free` MP4 box of random bytes: valid, and a different sha256.

    (Its extracted audio is the same, so without --keep-video all but one are duplicates:
    each is still downloaded, probed, extracted and hashed.)
    """
    padding = os.urandom(64) + str(n).encode()
    return CLIP.read_bytes() + struct.pack(">I", len(padding) + 8) + b"free" + padding


def run(count: int, concurrency: int, latency: float, keep_video: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp, LocalServer(latency=latency) as server:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        upgrade(engine)
        with transaction(engine) as session:
            account = Account(actor=Actor(name="bench"), platform="tiktok", handle="b", cursor={})
            for n in range(count):
                url = server.add(f"/v/{n}.mp4", distinct_clip(n), "video/mp4")
                post = Post(
                    account=account, platform_post_id=str(n), published_at=datetime.now(UTC)
                )
                session.add(Media(post=post, kind="video", source_url=url))
        config = parse_config(
            {
                "paths": {"data_dir": tmp},
                "video": {
                    "sleep_seconds": 0,
                    "retries": 0,
                    "concurrency": concurrency,
                    "keep_video": keep_video,
                },
            },
            Path(tmp) / "polmon.toml",
        )
        started = time.perf_counter()
        report = run_downloads(config, engine)
        elapsed = time.perf_counter() - started
        engine.dispose()
        if report.downloaded + report.duplicates != count:  # same audio: stored once
            raise SystemExit(f"only {report.handled} of {count} stored: {report.failures}")
        return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=40, help="media rows per run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.2])
    parser.add_argument("--keep-video", action="store_true", help="no audio extraction")
    args = parser.parse_args()
    print("| server latency | concurrency | downloads/s |")
    print("| --- | --- | --- |")
    for latency in args.latency:
        for concurrency in args.concurrency:
            rate = run(args.count, concurrency, latency, args.keep_video)
            print(f"| {latency * 1000:.0f} ms | {concurrency} | {rate:.1f} |", flush=True)


if __name__ == "__main__":
    main()
