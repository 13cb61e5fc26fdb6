"""Media claim latency and throughput with a large backlog, old and new query side by side.

    python -m bench.queue_claims [--rows 100000] [--claims 300] [--postgres URL]

Fills `media` with `--rows` pending rows (plus as many finished ones: a real backlog sits on
history), then times single claims with the claim of storage.queue and with the pre-0017
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
    with transaction(engine) as session:  # only the named columns: the schema may be 0014's
        actor_id = session.scalar(
            insert(Actor).values(name="bench", kind="person").returning(Actor.id)
        )
        account_id = session.scalar(
            insert(Account)
            .values(actor_id=actor_id, platform="tiktok", handle="b", cursor={})
            .returning(Account.id)
        )
        posts = [
            {"account_id": account_id, "platform_post_id": str(n), "published_at": now}
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
    """The claim before 0017: a clean-up UPDATE, then the OR query ordered by id."""
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


def bench(old: Engine, new: Engine, label: str, rows: int, claims: int) -> None:
    """`old`: a database at 0014 claimed the old way; `new`: at head, storage.queue.claim."""
    upgrade(old, "0014")
    fill(old, rows)
    upgrade(new)
    fill(new, rows)
    stage = download_stage()
    results = {
        "before (0014, OR query + clean-up)": time_claims(
            old, claims, lambda: legacy_claim(old, "bench-old")
        ),
        "after (0017, partial index)": time_claims(new, claims, lambda: claim(new, stage, "bench")),
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
        old = make_engine(f"sqlite:///{tmp}/old.sqlite3")
        new = make_engine(f"sqlite:///{tmp}/new.sqlite3")
        bench(old, new, "SQLite", args.rows, args.claims)
        old.dispose()
        new.dispose()
    if args.skip_postgres:
        return
    names = [f"bench_claims_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        old, new = (
            make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
            for name in names
        )
        bench(old, new, "PostgreSQL", args.rows, args.claims)
        old.dispose()
        new.dispose()
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
