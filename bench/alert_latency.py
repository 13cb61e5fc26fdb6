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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
            post_id = (item.get("link") or "").rstrip("/").rsplit("/", 1)[-1]
            key = (str(item.get("account")), post_id, str(item.get("kind")))
            with self._lock:
                self.arrivals.setdefault(key, arrived)
        return status, answer


@dataclass
class Injected:
    handle: str
    post_id: int
    appeared: float  # time.monotonic() when the stand-in started serving it


def config_text(folder: Path, args: argparse.Namespace, database: str, schema: str | None) -> str:
    handles = [f"chan{n:02d}" for n in range(args.accounts)]
    fast = handles[: args.fast]
    secret = folder / "webhook-secret"
    secret.write_text(WEBHOOK_SECRET)
    secret.chmod(0o600)
    body = toml_table(["paths"], {"data_dir": str(folder / "data")})
    body += toml_table(["database"], {"url": database, **({"schema": schema} if schema else {})})
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
    body += (
        '[[alerts.rules]]\nname = "fast-accounts"\non = ["new_post", "keyword_hit"]\n'
        f'actors = [{actors}]\nchannels = ["bench-hook"]\n'
    )
    accounts = actors_toml(handles)
    for handle in fast:
        accounts = accounts.replace(
            f'handle = "{handle}"\n', f'handle = "{handle}"\ninterval_minutes = {args.interval}\n'
        )
    return body + accounts


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


def inject(site: TelegramSite, handle: str, post_id: int) -> Injected:
    channel = site.channels[handle]
    post = SitePost(
        post_id,
        datetime.now(UTC),
        text=f"Breaking: we will {KEYWORD} them all ({uuid.uuid4().hex[:6]})",
    )
    appeared = time.monotonic()
    channel.posts = {**channel.posts, post_id: post}  # one assignment: safe while serving
    return Injected(handle, post_id, appeared)


def run(args: argparse.Namespace, site: TelegramSite, hook: StampedReceiver, folder: Path) -> int:
    schema = f"bench_alerts_{uuid.uuid4().hex[:8]}" if args.postgres else None
    database = args.postgres or f"sqlite:///{folder}/bench.sqlite3"
    config = folder / "polmon.toml"
    config.write_text(config_text(folder, args, database, schema), encoding="utf-8")
    admin = create_engine(args.postgres) if args.postgres else None
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        engine = make_engine(database, schema=schema)
        upgrade(engine)
        engine.dispose()
        return measure(args, site, hook, config)
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def measure(
    args: argparse.Namespace, site: TelegramSite, hook: StampedReceiver, config: Path
) -> int:
    rng = random.Random(args.seed)
    duration = args.minutes * 60
    drain = args.interval * 60 + 60  # the last post still has an interval and a minute
    window = (args.warmup, max(args.warmup + 1, duration - drain))
    schedule = sorted(rng.uniform(*window) for _ in range(args.posts))
    fast = [f"chan{n:02d}" for n in range(args.fast)]
    next_id = {handle: 100 for handle in fast}
    injected: list[Injected] = []
    log_path = Path(args.log)
    load_before = os.getloadavg()
    print(f"polmon run for {args.minutes} min; {args.posts} posts at t = "
          + ", ".join(f"{t:.0f}" for t in schedule) + " s")  # fmt: skip
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            cwd=config.parent,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        started = time.monotonic()
        try:
            for at in schedule:
                time.sleep(max(0.0, started + at - time.monotonic()))
                handle = rng.choice(fast)
                next_id[handle] += 1
                injected.append(inject(site, handle, next_id[handle]))
            time.sleep(max(0.0, started + duration - time.monotonic()))
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    load_after = os.getloadavg()
    print(f"polmon run exited {exit_code}; log: {log_path}")
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}")
    print(f"webhook requests {len(hook.received)}, unverified {hook.unverified}")
    figures: dict[str, list[float]] = {"new_post": [], "keyword_hit": [], "first": []}
    for post in injected:
        times = {
            kind: hook.arrivals.get((post.handle, str(post.post_id), kind))
            for kind in ("new_post", "keyword_hit")
        }
        for kind, arrived in times.items():
            if arrived is not None:
                figures[kind].append(arrived - post.appeared)
        seen = [arrived for arrived in times.values() if arrived is not None]
        if seen:
            figures["first"].append(min(seen) - post.appeared)
    print(f"interval {args.interval} min, bundle_seconds {args.bundle_seconds}")
    for name, values in figures.items():
        print(summary(name, values, len(injected)))
    print("latencies (first item, s): " + ", ".join(f"{v:.1f}" for v in figures["first"]))
    return 0 if exit_code == 0 and len(figures["first"]) == len(injected) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=8.0, help="how long polmon run runs")
    parser.add_argument("--interval-minutes", dest="interval", type=float, default=2.0)
    parser.add_argument("--posts", type=int, default=12, help="new posts added during the run")
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--fast", type=int, default=5, help="accounts on the short interval")
    parser.add_argument("--bundle-seconds", type=float, default=0)
    parser.add_argument("--warmup", type=float, default=30, help="no post before this (s)")
    parser.add_argument("--dispatch-interval-seconds", type=float, help="polmon's default: 30")
    parser.add_argument("--due-check-seconds", type=float, help="polmon's default: 30")
    parser.add_argument("--requests-per-second", type=float, help="polmon's default: 1")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--postgres", nargs="?", const=POSTGRES, help=f"default URL: {POSTGRES}")
    parser.add_argument("--log", default="/tmp/polmon-bench-alerts.log", help="polmon run's log")
    args = parser.parse_args()
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
            status = run(args, site, hook, Path(folder))
            if status:
                print(Path(args.log).read_text()[-3000:])
    finally:
        server.stop()
    sys.exit(status)


if __name__ == "__main__":
    main()
