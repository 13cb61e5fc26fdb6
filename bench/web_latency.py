"""p50/p95 latency of the overview and actor pages (and their API) under 10 concurrent clients.

The server is `polmon serve` in its own process, on one of:
  --demo DIR          the demo's database (built with `run_demo` into DIR when missing)
  --database URL      any database, e.g. bench.growth's 17-million-snapshot one:
                      sqlite:////tmp/polmon-bench-growth.sqlite3, or
                      postgresql+psycopg://postgres@127.0.0.1:5432/test with --schema bench_growth
  --config PATH       a polmon config
  --base-url URL      a server already running (nothing is started)
A server it starts gets a throw-away viewer (`polmon users add`), logged in through the real
login form, so every measured request pays for the session check as a user's does. For
--base-url, pass a logged-in session's cookie with --cookie NAME=VALUE.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_viewer(config: Path) -> tuple[str, str]:
    """A throw-away viewer made with `polmon users add` (password on stdin): (name, password)."""
    name, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "users", "add", name],
        input=password + "\n",
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return name, password


def log_in(base_url: str, name: str, password: str) -> str:
    """Log in through the real form; the session cookie as NAME=VALUE."""
    with httpx.Client(base_url=base_url) as client:
        form = client.get("/login")
        token = CSRF_FIELD.search(form.text)
        if token is None:
            raise SystemExit("the login page has no CSRF token")
        answer = client.post(
            "/login",
            data={"csrf_token": token.group(1), "name": name, "password": password},
            follow_redirects=False,
        )
        if answer.status_code != 303:
            raise SystemExit(f"login refused: {answer.status_code}")
        cookie = next(iter(client.cookies.jar))
        return f"{cookie.name}={cookie.value}"


@contextmanager
def served(config: Path, workers: int = 1) -> Iterator[str]:
    """`polmon serve --config config --workers N` on a free loopback port until the block ends."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "monitor", "--config", str(config), "serve"]
    where = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen([*command, *where], env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("polmon serve did not start")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)


def database_config(folder: Path, url: str, schema: str | None) -> Path:
    path = folder / "polmon.toml"
    lines = ['[paths]\ndata_dir = "data"\n', "[database]", f'url = "{url}"']
    if schema:
        lines.append(f'schema = "{schema}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def demo_config(folder: Path) -> Path:
    config = folder / "polmon.toml"
    if not config.exists():
        from monitor.demo.run import run_demo

        started = time.perf_counter()
        run_demo(folder)
        print(f"demo database built in {time.perf_counter() - started:.0f} s")
    return config


async def _measure(
    client: httpx.AsyncClient, path: str, clients: int, requests: int
) -> tuple[float, list[float], dict[int, int], float]:
    """The first (cold: nothing cached) request's time, then `requests` by `clients` at once."""
    started = time.perf_counter()
    await client.get(path)
    cold = time.perf_counter() - started
    for _ in range(2):  # warm up every connection (and so every server process) and plan
        await asyncio.gather(*(client.get(path) for _ in range(clients)))
    times: list[float] = []
    statuses: dict[int, int] = {}
    remaining = iter(range(requests))

    async def worker() -> None:
        for _ in remaining:
            started = time.perf_counter()
            response = await client.get(path)
            times.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return cold, times, statuses, time.perf_counter() - started


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def run(
    base_url: str, clients: int, requests: int, cookie: str | None, until: str | None
) -> None:
    cookies = dict([cookie.split("=", 1)]) if cookie else None
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=base_url, cookies=cookies, timeout=120, limits=limits
    ) as client:
        as_of = f"?until={until}" if until else ""
        started = time.perf_counter()
        first = await client.get(f"/api/overview{as_of}")
        first_overview = time.perf_counter() - started
        if first.status_code != 200:
            raise SystemExit(f"/api/overview answered {first.status_code}: log in (--cookie)")
        rows = first.json()
        if not rows:
            raise SystemExit("the database has no actors")
        actor = max(rows, key=lambda row: len(row["accounts"]))
        accounts = sum(len(row["accounts"]) for row in rows)
        print(
            f"{base_url}: {len(rows)} actors, {accounts} accounts; actor page: "
            f"{actor['actor']!r} ({len(actor['accounts'])} accounts); "
            f"{clients} concurrent clients, {requests} requests per path; the first "
            f"/api/overview (cold) took {first_overview * 1000:.0f} ms"
        )
        paths = [
            f"/{as_of}",
            f"/api/overview{as_of}",
            f"/actors/{actor['actor_id']}{as_of}",
            f"/api/actors/{actor['actor_id']}{as_of}",
            f"/api/actors/{actor['actor_id']}/growth",  # the 90 days to the latest capture
        ]
        print("| path | cold ms | p50 ms | p95 ms | max ms | req/s | statuses |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for path in paths:
            cold, times, statuses, elapsed = await _measure(client, path, clients, requests)
            print(
                f"| `{path}` | {cold * 1000:.0f} | {statistics.median(times) * 1000:.0f} "
                f"| {_percentile(times, 0.95) * 1000:.0f} | {max(times) * 1000:.0f} "
                f"| {len(times) / elapsed:.1f} | {statuses} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--demo", type=Path, help="the demo's output folder (built if missing)")
    where.add_argument("--database", help="a database URL")
    where.add_argument("--config", type=Path, help="a polmon config file")
    where.add_argument("--base-url", help="a running polmon serve")
    parser.add_argument("--schema", default=None, help="PostgreSQL schema for --database")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="polmon serve's processes")
    parser.add_argument("--requests", type=int, default=100, help="per path")
    parser.add_argument("--cookie", default=None, help="NAME=VALUE of a logged-in session")
    parser.add_argument(
        "--until",
        default=None,
        help="the pages' as-of date (bench.growth's data ends 2026-01-01; default: now)",
    )
    args = parser.parse_args()
    if args.base_url:
        asyncio.run(run(args.base_url, args.clients, args.requests, args.cookie, args.until))
        return
    with tempfile.TemporaryDirectory() as folder:
        if args.demo:
            config = demo_config(args.demo)
        elif args.database:
            config = database_config(Path(folder), args.database, args.schema)
        else:
            config = args.config
        user = add_viewer(config)
        try:
            with served(config, args.workers) as base_url:
                cookie = args.cookie or log_in(base_url, *user)
                asyncio.run(run(base_url, args.clients, args.requests, cookie, args.until))
        finally:
            polmon = [sys.executable, "-m", "monitor", "--config", str(config)]
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            subprocess.run([*polmon, "users", "remove", user[0]], check=True, env=env)


if __name__ == "__main__":
    main()
