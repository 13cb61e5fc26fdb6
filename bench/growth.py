"""`polmon growth` for one actor over years of hourly snapshots, on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from monitor.config import GrowthConfig
from monitor.growth import growth_report, report_json
from storage.engine import make_engine, transaction
from storage.migrations import upgrade
from storage.models import Account, Actor

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
ACTOR = "Bench Actor"
PLATFORMS = ("telegram", "tiktok", "facebook", "youtube")


def _accounts(engine: Engine, count: int) -> list[int]:
    with transaction(engine) as session:
        actor = Actor(name=ACTOR)
        session.add(actor)
        session.flush()
        rows = [
            Account(actor_id=actor.id, platform=PLATFORMS[i % 4], handle=f"acct{i}", cursor={})
            for i in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


Snapshot = tuple[int, datetime, int, bool, str]


def _snapshots(account_id: int, hours: int, seed: int) -> Iterator[Snapshot]:
    """Hourly captures going back `hours` from AS_OF: a random walk, 1% missing, some rounded."""
    rng = random.Random(seed)
    value = rng.randint(1_000, 2_000_000)
    start = AS_OF - timedelta(hours=hours)
    approximate = account_id % 4 == 1  # TikTok-like: rounded counts
    for hour in range(hours):
        value = max(0, value + rng.randint(-50, 80))
        if rng.random() < 0.01:
            continue
        yield (account_id, start + timedelta(hours=hour), value, approximate, "bench")


def load_sqlite(engine: Engine, ids: list[int], hours: int) -> None:
    sql = (
        "INSERT INTO audience_snapshots (account_id, captured_at, followers, is_approximate, "
        "source) VALUES (?, ?, ?, ?, ?)"
    )
    for account_id in ids:
        rows = [
            (a, when.strftime("%Y-%m-%d %H:%M:%S.%f"), f, int(ap), s)
            for a, when, f, ap, s in _snapshots(account_id, hours, account_id)
        ]
        with engine.begin() as conn:
            conn.exec_driver_sql(sql, rows)


def load_postgres(engine: Engine, ids: list[int], hours: int) -> None:
    copy_sql = (
        "COPY audience_snapshots (account_id, captured_at, followers, is_approximate, source) "
        "FROM STDIN"
    )
    for start in range(0, len(ids), 20):  # one COPY (one statement trigger) per 20 accounts
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
                for account_id in ids[start : start + 20]:
                    for row in _snapshots(account_id, hours, account_id):
                        copy.write_row(row)
            raw.commit()
        finally:
            raw.close()


def _timed(action: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _raw_daily(engine: Engine, since: datetime) -> int:
    """The daily series straight from audience_snapshots (what the rollup saves), for contrast."""
    if engine.dialect.name == "postgresql":
        sql = (
            "SELECT count(*) FROM (SELECT DISTINCT ON (s.account_id, "
            "(s.captured_at AT TIME ZONE 'UTC')::date) s.followers FROM audience_snapshots s "
            "JOIN accounts a ON a.id = s.account_id JOIN actors ac ON ac.id = a.actor_id "
            "WHERE ac.name = :actor AND s.captured_at >= :since ORDER BY s.account_id, "
            "(s.captured_at AT TIME ZONE 'UTC')::date, s.captured_at DESC) d"
        )
    else:
        sql = (
            "SELECT count(*) FROM (SELECT s.account_id, date(s.captured_at) AS day, "
            "row_number() OVER (PARTITION BY s.account_id, date(s.captured_at) "
            "ORDER BY s.captured_at DESC) AS rn FROM audience_snapshots s "
            "JOIN accounts a ON a.id = s.account_id JOIN actors ac ON ac.id = a.actor_id "
            "WHERE ac.name = :actor AND s.captured_at >= :since) d WHERE rn = 1"
        )
    with transaction(engine) as session:
        bound = since if engine.dialect.name == "postgresql" else since.strftime("%Y-%m-%d")
        return int(session.execute(text(sql), {"actor": ACTOR, "since": bound}).scalar_one())


def measure(engine: Engine, label: str, days: int) -> None:
    since = AS_OF - timedelta(days=days)
    with engine.connect() as conn:
        snapshots = conn.execute(text("SELECT count(*) FROM audience_snapshots")).scalar_one()
        daily = conn.execute(text("SELECT count(*) FROM audience_daily")).scalar_one()
    print(f"{label}: {snapshots:,} snapshots, {daily:,} audience_daily rows")

    def report(interval: str, series: bool) -> Callable[[], object]:
        def run() -> object:
            with transaction(engine) as session:
                result = growth_report(
                    session,
                    GrowthConfig(),
                    actor=ACTOR,
                    since=since,
                    as_of=AS_OF,
                    interval=interval,  # type: ignore[arg-type]
                    with_series=series,
                )
            return report_json(result) if series else result

        return run

    print(f"  table (summary, flags, engagement): {_timed(report('day', False)):.3f} s")
    for interval in ("day", "week", "month"):
        print(f"  json with {interval} series: {_timed(report(interval, True)):.3f} s")
    started = time.perf_counter()
    rows = _raw_daily(engine, since)
    print(
        f"  daily series from raw snapshots (no rollup), SQL only: "
        f"{time.perf_counter() - started:.2f} s for {rows:,} rows"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--sqlite", type=Path, default=Path("/tmp/polmon-bench-growth.sqlite3"))
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--schema", default="bench_growth")
    parser.add_argument("--only", choices=["sqlite", "postgres"], default=None)
    parser.add_argument("--reuse", action="store_true", help="measure already-loaded data")
    args = parser.parse_args()
    hours = args.days * 24
    if args.only in (None, "sqlite"):
        if not args.reuse:
            args.sqlite.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{args.sqlite}")
        if not args.reuse:
            upgrade(engine)
            started = time.perf_counter()
            load_sqlite(engine, _accounts(engine, args.accounts), hours)
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            print(f"sqlite load: {time.perf_counter() - started:.0f} s")
        measure(engine, "sqlite", args.days)
        engine.dispose()
    if args.only in (None, "postgres"):
        admin = create_engine(args.postgres)
        if not args.reuse:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {args.schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {args.schema}"))
        engine = make_engine(args.postgres, schema=args.schema)
        if not args.reuse:
            upgrade(engine)
            started = time.perf_counter()
            load_postgres(engine, _accounts(engine, args.accounts), hours)
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            print(f"postgres load: {time.perf_counter() - started:.0f} s")
        measure(engine, "postgres", args.days)
        engine.dispose()


if __name__ == "__main__":
    main()
