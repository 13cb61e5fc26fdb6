"""Time the digest (queries, chart, rendering) on a database with a year of synthetic activity.

Usage: python -m bench.digest [--url sqlite:///PATH | postgresql+psycopg://…] [--days 365]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from monitor.config import PolmonConfig
from monitor.digest.data import ALL, period_ending
from monitor.digest.gather import gather
from monitor.digest.render import render
from storage.engine import make_engine, session_factory, transaction
from storage.migrations import upgrade
from storage.models import (
    Account,
    Actor,
    AudienceSnapshot,
    CollectionRun,
    JobRun,
    KeywordHit,
    Post,
    PostVersion,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def fill(engine: Engine, *, accounts: int, days: int, posts_per_day: int) -> dict[str, int]:
    """Accounts with posts, versions, hits, hourly snapshots and runs over `days` days."""
    rng = random.Random(7)
    counts = dict.fromkeys(("posts", "versions", "hits", "snapshots", "runs"), 0)
    with transaction(engine) as session:
        actor_rows = [Actor(name=f"actor {n}") for n in range(accounts // 2)]
        session.add_all(actor_rows)
        session.flush()
        account_rows = [
            Account(
                actor_id=actor_rows[n % len(actor_rows)].id, platform="telegram", handle=f"a{n}"
            )
            for n in range(accounts)
        ]
        session.add_all(account_rows)
        session.flush()
        account_ids = [row.id for row in account_rows]
    post_id = 0
    for day in range(days):
        start = NOW - timedelta(days=days - day)
        posts, versions, hits, snapshots, runs = [], [], [], [], []
        for account_id in account_ids:
            for n in range(posts_per_day):
                post_id += 1
                published = start + timedelta(minutes=rng.randrange(1440))
                posts.append(
                    {
                        "id": post_id,
                        "account_id": account_id,
                        "platform_post_id": str(post_id),
                        "published_at": published,
                        "first_seen_at": published + timedelta(minutes=20),
                        "last_seen_at": published + timedelta(minutes=20),
                        "text": f"post {post_id} about the arrest of a traitor" * 3,
                        "views": rng.randrange(100_000),
                        "kind": "text",
                    }
                )
                versions.append({"post_id": post_id, "text": "v1", "seen_at": published})
                if n == 0:
                    versions.append(
                        {
                            "post_id": post_id,
                            "text": "v2",
                            "seen_at": published + timedelta(hours=5),
                        }
                    )
                for term in ("arrest", "traitor")[: rng.randrange(3)]:
                    hits.append(
                        {
                            "group_name": "threats",
                            "term": term,
                            "source_key": f"post:{post_id}",
                            "source_kind": "post",
                            "post_id": post_id,
                            "snippet": "the arrest of a traitor",
                            "published_at": published,
                            "matched_at": published + timedelta(minutes=21),
                        }
                    )
            for hour in range(0, 24, 1):
                snapshots.append(
                    {
                        "account_id": account_id,
                        "captured_at": start + timedelta(hours=hour),
                        "followers": 10_000 + day * 10 + hour,
                    }
                )
            for hour in range(0, 24, 2):
                runs.append(
                    {
                        "account_id": account_id,
                        "started_at": start + timedelta(hours=hour),
                        "status": "failed" if rng.random() < 0.01 else "ok",
                    }
                )
        with transaction(engine) as session:
            for model, rows in (
                (Post, posts),
                (PostVersion, versions),
                (KeywordHit, hits),
                (AudienceSnapshot, snapshots),
                (CollectionRun, runs),
            ):
                session.execute(insert(model), rows)
            session.execute(
                insert(JobRun),
                [{"job_name": "collect", "started_at": start, "status": "ok"}] * 48,
            )
        counts["posts"] += len(posts)
        counts["versions"] += len(versions)
        counts["hits"] += len(hits)
        counts["snapshots"] += len(snapshots)
        counts["runs"] += len(runs)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--schema", help="PostgreSQL schema (created empty beforehand)")
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--posts-per-day", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="polmon-bench-")
    url = args.url or f"sqlite:///{folder}/bench.sqlite3"
    engine = make_engine(url, schema=args.schema)
    upgrade(engine)
    began = time.perf_counter()
    counts = fill(engine, accounts=args.accounts, days=args.days, posts_per_day=args.posts_per_day)
    print(f"filled in {time.perf_counter() - began:.1f}s: {counts}")
    config = PolmonConfig()
    period = period_ending(config, NOW)
    timings: dict[str, list[float]] = {"gather": [], "render": []}
    for _ in range(args.repeat):
        began = time.perf_counter()
        with session_factory(engine)() as session:
            data = gather(session, config, period, ALL, generated_at=NOW)
        timings["gather"].append(time.perf_counter() - began)
        began = time.perf_counter()
        render(data)
        timings["render"].append(time.perf_counter() - began)
    print(
        f"digest of one day ({data.new_posts} new posts, {data.keyword_hits} hits, "
        f"{len(data.edits)} edits, {len(data.audience)} accounts):"
    )
    for name, values in timings.items():
        values.sort()
        median, best = values[len(values) // 2] * 1000, values[0] * 1000
        print(f"  {name}: median {median:.0f} ms, best {best:.0f} ms")


if __name__ == "__main__":
    main()
