"""Media claim latency and throughput with a large backlog, old and new query side by side.

    python -m bench.queue_claims [--rows 100000] [--claims 300] [--postgres URL]

Fills `media` with `--rows` pending rows (plus as many finished ones: a real backlog sits on
history), then times single claims with the claim of storage.queue and with the pre-0015
query shape (one OR over ready and expired rows, and a clean-up UPDATE before each claim).
PostgreSQL: a scratch database created and dropped on the server of `--postgres`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, insert, text, update

from storage.engine import make_engine, transaction
from storage.migrations import upgrade
from storage.models import Account, Actor, Media, Post
from storage.queue import claim, download_stage, legacy_claim_query
from storage.queue_status import MediaStatus as S
from storage.types import utcnow


def fill(engine: Engine, rows: int) -> None:
    now = datetime.now(UTC)
    with transaction(engine) as session:
        account = Account(actor=Actor(name="bench"), platform="tiktok", handle="b", cursor={})
        session.add(account)
        session.flush()
        posts = [
            {"account_id": account.id, "platform_post_id": str(n), "published_at": now}
            for n in range(2 * rows)
        ]
        session.execute(insert(Post), posts)
        post_ids = [pid for (pid,) in session.execute(text("SELECT id FROM posts ORDER BY id"))]
        media = [
            {
                "post_id": pid,
                "position": 0,
                "kind": "video",
                "status": S.DONE if n < rows else S.PENDING,  # history first, backlog after
                "attempts": 0,
                "lease_expiries": 0,
            }
            for n, pid in enumerate(post_ids)
        ]
        for start in range(0, len(media), 20000):
            session.execute(insert(Media), media[start : start + 20000])
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def legacy_claim(engine: Engine, owner: str) -> list[int]:
    """The claim before 0015: a clean-up UPDATE, then the OR query ordered by id."""
    from datetime import timedelta

    stage, now = download_stage(), utcnow()
    with transaction(engine) as session:
        session.execute(
            update(Media)
            .where(
                Media.status == stage.working_status,
                Media.lease_expires_at < now,
                Media.lease_expiries + 1 >= stage.max_lease_expiries,
            )
            .values(status=S.FAILED)
        )
        candidates = legacy_claim_query(stage, now, 1)
        if engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        result = session.execute(
            update(Media)
            .where(Media.id.in_(candidates.scalar_subquery()))
            .values(
                status=stage.working_status,
                lease_owner=owner,
                lease_expires_at=now + timedelta(seconds=stage.lease_seconds),
            )
            .returning(Media.id)
            .execution_options(synchronize_session=False)
        )
        return list(result.scalars())


def time_claims(engine: Engine, claims: int, one: Callable[[], list[int]]) -> dict[str, float]:
    latencies = []
    started = time.perf_counter()
    for _ in range(claims):
        t0 = time.perf_counter()
        assert one()
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "claims_per_s": claims / elapsed,
    }


def bench(engine: Engine, label: str, rows: int, claims: int) -> None:
    upgrade(engine)
    fill(engine, rows)
    stage = download_stage()
    results = {
        "new": time_claims(engine, claims, lambda: claim(engine, stage, "bench")),
        "old": time_claims(engine, claims, lambda: legacy_claim(engine, "bench-old")),
    }
    for shape, r in results.items():
        print(
            f"| {label} | {rows:,} | {shape} | {r['median_ms']:.2f} | {r['p95_ms']:.2f} "
            f"| {r['claims_per_s']:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print("| engine | pending rows | claim | median ms | p95 ms | claims/s |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        bench(engine, "SQLite", args.rows, args.claims)
        engine.dispose()
    if args.skip_postgres:
        return
    name = f"bench_claims_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name)
        engine = make_engine(url.render_as_string(hide_password=False))
        bench(engine, "PostgreSQL", args.rows, args.claims)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
