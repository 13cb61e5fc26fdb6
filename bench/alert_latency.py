"""Alert latency: a post appearing on a local t.me stand-in → the signed webhook received.

Everything runs on 127.0.0.1: a Telegram stand-in (tests/support/telegram_site.py) serving
`--accounts` public channels (one actor each), a Standard Webhooks receiver that verifies each
request's signature and stamps its arrival, and a real `polmon run` process. `--fast` of the
accounts have `interval_minutes = --interval-minutes`; the others are collected by an hourly
`collect` job (run at start). One rule, `on = ["new_post", "keyword_hit"]` for the fast
accounts' actors, sends to the webhook with `bundle_seconds = --bundle-seconds`; the dispatch
interval, the due-check period and the Telegram rate limit (1 request/s per host) are polmon's
defaults unless given.

At `--posts` random times within the run, a new post saying a tracked keyword is added to one
of the fast channels; its latency is the first webhook carrying it minus the moment it was
added. After `--minutes`, `polmon run` gets SIGTERM; p50/p95/max are printed per event kind.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pytest_httpserver import HTTPServer
from sqlalchemy import create_engine, text

from storage.engine import make_engine
from storage.migrations import upgrade
from tests.support.alert_receivers import WEBHOOK_SECRET, WebhookReceiver
from tests.support.config import actors_toml, toml_table
from tests.support.telegram_site import SitePost, TelegramSite, channel_with_posts

REPO = Path(__file__).resolve().parents[1]
KEYWORD = "arrest"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class StampedReceiver(WebhookReceiver):
    """The verifying receiver, also noting when each (account, post id, kind) first arrived."""

    arrivals: dict[tuple[str, str, str], float] = field(default_factory=dict)
    unverified: int = 0

    def _handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        arrived = time.monotonic()
        status, answer = super()._handle(headers, body)
        received = self.received[-1]
        if not received.verified:
            self.unverified += 1
            return status, answer
        for item in received.payload["data"]["items"]:
            link = (item.get("link") or "").split("?", 1)[0]
            post_id = link.rstrip("/").rsplit("/", 1)[-1]
            key = (str(item.get("account")), post_id, event_label(item))
            with self._lock:
                self.arrivals.setdefault(key, arrived)
        return status, answer


def event_label(item: dict[str, object]) -> str:
    """`new_post`, `keyword_hit`, or `keyword_hit:transcripts` for a term said in a video."""
    kind, source = str(item.get("kind")), item.get("source")
    return f"{kind}:transcripts" if source == "transcripts" else kind


@dataclass
class Injected:
    handle: str
    post_id: int
    appeared: float  # time.monotonic() when the stand-in started serving it
    appeared_at: datetime  # the same moment on the wall clock (to compare with the database)


@dataclass
class Measured:
    """One run's outcome: what was posted, polmon run's exit status and the load around it."""

    injected: list[Injected]
    exit_code: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


class Variant(Protocol):
    """What a bench variant adds to the text run: config, the posts it adds, its report."""

    events: tuple[str, ...]  # the rule's `on`

    @property
    def companions(self) -> tuple[str, ...]:
        """polmon commands run beside `polmon run` (`worker`)."""

    def extra_config(self, folder: Path) -> str: ...

    def new_post(self, post_id: int) -> SitePost: ...

    def report(self, run: Measured, hook: StampedReceiver, database: DatabaseAt) -> bool: ...


@dataclass(frozen=True)
class DatabaseAt:
    url: str
    schema: str | None


class TextPosts:
    """The text path: a post saying the tracked keyword."""

    events: tuple[str, ...] = ("new_post", "keyword_hit")
    companions: tuple[str, ...] = ()  # polmon run alone

    def extra_config(self, folder: Path) -> str:
        return ""

    def new_post(self, post_id: int) -> SitePost:
        text = f"Breaking: we will {KEYWORD} them all ({uuid.uuid4().hex[:6]})"
        return SitePost(post_id, datetime.now(UTC), text=text)

    def report(self, run: Measured, hook: StampedReceiver, database: DatabaseAt) -> bool:
        figures = latencies(run.injected, hook, ("new_post", "keyword_hit"))
        for name, values in figures.items():
            print(summary(name, values, len(run.injected)))
        print("latencies (first item, s): " + ", ".join(f"{v:.1f}" for v in figures["first"]))
        return len(figures["first"]) == len(run.injected)


def config_text(
    folder: Path, args: argparse.Namespace, database: DatabaseAt, variant: Variant
) -> str:
    handles = [f"chan{n:02d}" for n in range(args.accounts)]
    fast = handles[: args.fast]
    secret = folder / "webhook-secret"
    secret.write_text(WEBHOOK_SECRET)
    secret.chmod(0o600)
    body = toml_table(["paths"], {"data_dir": str(folder / "data")})
    schema = {"schema": database.schema} if database.schema else {}
    body += toml_table(["database"], {"url": database.url, **schema})
    telegram: dict[str, object] = {"backend": "web", "base_url": args.base_url}
    if args.requests_per_second:
        telegram["requests_per_second"] = args.requests_per_second
    body += toml_table(["telegram"], telegram)
    schedule: dict[str, object] = {}
    if args.due_check_seconds:
        schedule["due_check_seconds"] = args.due_check_seconds
    body += toml_table(["schedule"], schedule)
    body += toml_table(["schedule", "jobs", "hourly"], {"task": "collect", "interval_minutes": 60})
    body += toml_table(["keywords", "threats"], {"terms": [KEYWORD]})
    alerts: dict[str, object] = {"bundle_seconds": args.bundle_seconds}
    if args.dispatch_interval_seconds:
        alerts["dispatch_interval_seconds"] = args.dispatch_interval_seconds
    body += toml_table(["alerts"], alerts)
    body += "[[alerts.channels]]\n" + "".join(
        f"{key} = {value}\n"
        for key, value in (
            ("name", '"bench-hook"'),
            ("kind", '"webhook"'),
            ("url", f'"{args.hook_url}"'),
            ("secret_file", f'"{secret}"'),
        )
    )
    actors = ", ".join(f'"Owner of {handle}"' for handle in fast)
    events = ", ".join(f'"{kind}"' for kind in variant.events)
    body += (
        f'[[alerts.rules]]\nname = "fast-accounts"\non = [{events}]\n'
        f'actors = [{actors}]\nchannels = ["bench-hook"]\n'
    )
    accounts = actors_toml(handles)
    for handle in fast:
        accounts = accounts.replace(
            f'handle = "{handle}"\n', f'handle = "{handle}"\ninterval_minutes = {args.interval}\n'
        )
    return body + variant.extra_config(folder) + accounts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(name: str, values: list[float], expected: int) -> str:
    if not values:
        return f"{name:<12} received 0/{expected}"
    return (
        f"{name:<12} received {len(values)}/{expected}  p50 {statistics.median(values):6.1f} s  "
        f"p95 {percentile(values, 0.95):6.1f} s  max {max(values):6.1f} s"
    )


def latencies(
    injected: list[Injected], hook: StampedReceiver, kinds: tuple[str, ...]
) -> dict[str, list[float]]:
    """Seconds from each post appearing to the first webhook carrying it, per event label,
    and (`first`) to the first of them."""
    figures: dict[str, list[float]] = {kind: [] for kind in (*kinds, "first")}
    for post in injected:
        times = {kind: hook.arrivals.get((post.handle, str(post.post_id), kind)) for kind in kinds}
        for kind, arrived in times.items():
            if arrived is not None:
                figures[kind].append(arrived - post.appeared)
        seen = [arrived for arrived in times.values() if arrived is not None]
        if seen:
            figures["first"].append(min(seen) - post.appeared)
    return figures


def inject(site: TelegramSite, handle: str, post: SitePost) -> Injected:
    channel = site.channels[handle]
    appeared, appeared_at = time.monotonic(), datetime.now(UTC)
    channel.posts = {**channel.posts, post.id: post}  # one assignment: safe while serving
    return Injected(handle, post.id, appeared, appeared_at)


def run(
    args: argparse.Namespace,
    site: TelegramSite,
    hook: StampedReceiver,
    folder: Path,
    variant: Variant,
) -> int:
    schema = f"bench_alerts_{uuid.uuid4().hex[:8]}" if args.postgres else None
    database = DatabaseAt(args.postgres or f"sqlite:///{folder}/bench.sqlite3", schema)
    config = folder / "polmon.toml"
    config.write_text(config_text(folder, args, database, variant), encoding="utf-8")
    admin = create_engine(args.postgres) if args.postgres else None
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        engine = make_engine(database.url, schema=schema)
        upgrade(engine)
        engine.dispose()
        measured = measure(args, site, config, variant)
        print(f"polmon run exited {measured.exit_code}; log: {args.log}")
        print(f"load average (1, 5, 15 min): before {measured.load_before}, "
              f"after {measured.load_after}")  # fmt: skip
        print(f"webhook requests {len(hook.received)}, unverified {hook.unverified}")
        print(f"interval {args.interval} min, bundle_seconds {args.bundle_seconds}")
        complete = variant.report(measured, hook, database)
        return 0 if measured.exit_code == 0 and complete else 1
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def measure(
    args: argparse.Namespace,
    site: TelegramSite,
    config: Path,
    variant: Variant,
) -> Measured:
    rng = random.Random(args.seed)
    duration = args.minutes * 60
    drain = args.interval * 60 + args.drain_seconds  # the last post still has an interval
    window = (args.warmup, max(args.warmup + 1, duration - drain))
    schedule = sorted(rng.uniform(*window) for _ in range(args.posts))
    fast = [f"chan{n:02d}" for n in range(args.fast)]
    next_id = {handle: 100 for handle in fast}
    injected: list[Injected] = []
    load_before = os.getloadavg()
    print(f"polmon run for {args.minutes} min; {args.posts} posts at t = "
          + ", ".join(f"{t:.0f}" for t in schedule) + " s")  # fmt: skip
    with ExitStack() as stack:
        processes = [
            stack.enter_context(_polmon(config, command, log_path(args, command)))
            for command in ("run", *variant.companions)
        ]
        started = time.monotonic()
        for at in schedule:
            time.sleep(max(0.0, started + at - time.monotonic()))
            handle = rng.choice(fast)
            next_id[handle] += 1
            injected.append(inject(site, handle, variant.new_post(next_id[handle])))
        time.sleep(max(0.0, started + duration - time.monotonic()))
        for process in processes:
            process.send_signal(signal.SIGTERM)
        exit_code = max(abs(process.wait(timeout=120)) for process in processes)
    return Measured(injected, exit_code, load_before, os.getloadavg())


def log_path(args: argparse.Namespace, command: str) -> Path:
    """polmon run's log is `--log`; another command's is `--log` with `.<command>` added."""
    return Path(args.log if command == "run" else f"{args.log}.{command}")


@contextmanager
def _polmon(config: Path, command: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`polmon <command>` as a process writing to `log`; killed if still running at the end."""
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), command],
            cwd=config.parent,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def arguments(description: str | None, **defaults: object) -> argparse.ArgumentParser:
    """The options every variant takes; `defaults` overrides some of their defaults."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--minutes", type=float, default=8.0, help="how long polmon run runs")
    parser.add_argument("--interval-minutes", dest="interval", type=float, default=2.0)
    parser.add_argument("--posts", type=int, default=12, help="new posts added during the run")
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--fast", type=int, default=5, help="accounts on the short interval")
    parser.add_argument("--bundle-seconds", type=float, default=0)
    parser.add_argument("--warmup", type=float, default=30, help="no post before this (s)")
    parser.add_argument(
        "--drain-seconds", type=float, default=60, help="after the last post's interval"
    )
    parser.add_argument("--dispatch-interval-seconds", type=float, help="polmon's default: 30")
    parser.add_argument("--due-check-seconds", type=float, help="polmon's default: 30")
    parser.add_argument("--requests-per-second", type=float, help="polmon's default: 1")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--postgres", nargs="?", const=POSTGRES, help=f"default URL: {POSTGRES}")
    parser.add_argument("--log", default="/tmp/polmon-bench-alerts.log", help="polmon run's log")
    parser.set_defaults(**defaults)
    return parser


def bench(args: argparse.Namespace, variant: Variant) -> None:
    """Serve the channels and the receiver, run the measurement, exit with its status."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    site = TelegramSite()
    for n in range(args.accounts):
        site.add(channel_with_posts(f"chan{n:02d}", 3))
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    server.start()
    try:
        hook = StampedReceiver()
        with hook, tempfile.TemporaryDirectory() as folder:
            args.base_url = server.url_for("").rstrip("/")
            args.hook_url = hook.url
            status = run(args, site, hook, Path(folder), variant)
            if status:
                print(Path(args.log).read_text()[-3000:])
    finally:
        server.stop()
    sys.exit(status)


def main() -> None:
    bench(arguments(__doc__).parse_args(), TextPosts())


if __name__ == "__main__":
    main()
