"""Collect workers side by side: accounts per minute with 1, 2 and 4 `polmon worker --stage
collect` processes on PostgreSQL, against a slow local t.me, rate limit lifted and on.

    python bench/scale.py [--accounts 48] [--delay 0.2] [--rate 4] [--workers 1,2,4]
                          [--postgres URL]

Each scenario gets a scratch database (created and dropped on the server of `--postgres`) and
its own config: `--accounts` Telegram channels, each with interval_minutes = 60 so each is due
once. A threaded stand-in for t.me on 127.0.0.1 (tests/support/telegram_site.py's pages)
answers every request after `--delay` seconds and records when each arrived. The clock runs
from starting the workers until every account has one ok collection_run; the "span" column is
the database's first run start to last run end (without the workers' start-up).
"Lifted": [telegram] requests_per_second = 10000; "limited": `--rate`, with [http]
shared_budget = true, so the workers share one budget through `rate_budgets`. The stand-in's
arrivals give the achieved request rate, the smallest gap between two requests and how many
gaps were under 95% of 1 / requests_per_second (the budget spaces slot starts; a request sent
late behind its slot, then one on time, arrive closer than the interval).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug import Request
from werkzeug.serving import BaseWSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.engine import make_engine  # noqa: E402
from storage.migrations import upgrade  # noqa: E402
from tests.support.telegram_site import SiteChannel, SitePost, TelegramSite  # noqa: E402


class SlowSite:
    """The t.me stand-in as a WSGI app: each answer comes `delay` seconds after the request
    arrived (the arrival is recorded first, by TelegramSite)."""

    def __init__(self, site: TelegramSite, delay: float) -> None:
        self.site, self.delay = site, delay

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self.site.handle(Request(environ))
        time.sleep(self.delay)
        return response(environ, start_response)


def build_site(accounts: int) -> TelegramSite:
    site = TelegramSite(page_size=20)
    now = datetime.now(UTC)
    for n in range(accounts):
        channel = site.add(SiteChannel(f"bench{n}", f"Bench {n}", 1000 + n, 10_000 + n))
        channel.add(
            *(
                SitePost(i, now - timedelta(hours=4 - i), f"Post {i} of channel {n}.")
                for i in range(1, 4)
            )
        )
    return site


def write_config(folder: Path, database: str, base_url: str, accounts: int, rate: float) -> Path:
    lines = [
        f'[paths]\ndata_dir = "{folder}"\n[database]\nurl = "{database}"\n',
        "[schedule]\ndue_check_seconds = 0.5\n",
        "[http]\nshared_budget = true\n",
        f'[telegram]\nbackend = "web"\nbase_url = "{base_url}"\n',
        f"requests_per_second = {rate}\nmax_retries = 0\n",
        '[[actors]]\nname = "Bench"\ninterval_minutes = 60\n',
    ]
    lines += [
        f'[[actors.accounts]]\nplatform = "telegram"\nhandle = "bench{n}"\n'
        for n in range(accounts)
    ]
    path = folder / f"scale-{uuid.uuid4().hex[:6]}.toml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@dataclass
class Result:
    mode: str
    workers: int
    wall: float
    span: float
    requests: int
    rate: float  # requests per second at the stand-in, first to last arrival
    min_gap: float  # seconds
    short_gaps: int  # gaps under 95% of 1 / requests_per_second

    @property
    def per_minute(self) -> float:
        return 60 * ACCOUNTS / self.span

    @property
    def wall_per_minute(self) -> float:
        return 60 * ACCOUNTS / self.wall


ACCOUNTS = 48


def run_scenario(
    postgres: str, site: TelegramSite, base_url: str, workers: int, rate: float, mode: str
) -> Result:
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    name = f"bench_scale_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = make_url(postgres).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(database)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        upgrade(engine)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            config = write_config(folder, database, base_url, ACCOUNTS, rate)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            command = [sys.executable, "-c", "from monitor.cli import main; main()"]
            command += ["--config", str(config), "worker", "--stage", "collect"]
            with site._lock:
                site.arrivals.clear()
                site.requests.clear()
            log = (folder / "workers.log").open("wb")
            started = time.monotonic()
            for _ in range(workers):
                processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log))
            done = 0
            while done < ACCOUNTS:
                time.sleep(0.1)
                with engine.connect() as conn:
                    done = conn.scalar(
                        text(
                            "SELECT count(DISTINCT account_id) FROM collection_runs "
                            "WHERE status = 'ok'"
                        )
                    )
                if any(p.poll() is not None for p in processes) or time.monotonic() - started > 900:
                    log.close()
                    sys.exit("a worker stopped early:\n" + (folder / "workers.log").read_text())
            wall = time.monotonic() - started
            with engine.connect() as conn:
                span = conn.execute(
                    text(
                        "SELECT extract(epoch FROM max(finished_at) - min(started_at)) "
                        "FROM collection_runs"
                    )
                ).scalar_one()
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
            log.close()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    with site._lock:
        arrivals = sorted(site.arrivals)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    achieved = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
    short = sum(1 for gap in gaps if gap < 0.95 / rate)
    smallest = min(gaps, default=0.0)
    return Result(mode, workers, wall, float(span), len(arrivals), achieved, smallest, short)


def serve(site: TelegramSite, delay: float) -> BaseWSGIServer:
    server = make_server("127.0.0.1", 0, SlowSite(site, delay), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    global ACCOUNTS
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=48, help="Telegram channels to collect")
    parser.add_argument("--delay", type=float, default=0.2, help="the stand-in's answer delay (s)")
    parser.add_argument("--rate", type=float, default=4.0, help="limited: requests_per_second")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    ACCOUNTS = args.accounts
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    counts = [int(n) for n in args.workers.split(",")]
    site = build_site(args.accounts)
    server = serve(site, args.delay)
    base_url = f"http://127.0.0.1:{server.server_port}"
    results: list[Result] = []
    try:
        for mode, rate in (("lifted", 10000.0), (f"limited {args.rate:g}/s", args.rate)):
            for workers in counts:
                result = run_scenario(args.postgres, site, base_url, workers, rate, mode)
                results.append(result)
                print(f"done: {mode}, {workers} worker(s), {result.span:.1f} s", flush=True)
    finally:
        server.shutdown()
    delay_ms, cpus = args.delay * 1000, os.cpu_count()
    print(f"\n{args.accounts} accounts, answers after {delay_ms:.0f} ms, {cpus} CPUs")
    print(
        "| mode | workers | wall s | span s | accounts/min (span) | × one | requests "
        "| achieved req/s | smallest gap ms | gaps < 95% of interval |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base: dict[str, float] = {}
    for r in results:
        base.setdefault(r.mode, r.per_minute)
        print(
            f"| {r.mode} | {r.workers} | {r.wall:.1f} | {r.span:.1f} | {r.per_minute:.0f} "
            f"| {r.per_minute / base[r.mode]:.2f} | {r.requests} | {r.rate:.2f} "
            f"| {r.min_gap * 1000:.0f} | {r.short_gaps if r.mode != 'lifted' else '–'} |"
        )


if __name__ == "__main__":
    main()
