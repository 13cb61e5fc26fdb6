"""`polmon keywords rescan` over a large post history (SQLite; PostgreSQL with --postgres)."""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from bench.matching import _khmer_word, _vocabulary
from monitor.config import PolmonConfig
from monitor.keywords import rescan_keywords
from storage.engine import make_engine, transaction
from storage.migrations import upgrade
from storage.models import Account, Actor

START = datetime(2024, 1, 1, tzinfo=UTC)
_COLUMNS = (
    "INSERT INTO posts (account_id, platform_post_id, url, published_at, kind, text, "
    "views_approximate, first_seen_at, last_seen_at) "
)
INSERT_SQLITE = _COLUMNS + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_POSTGRES = _COLUMNS + "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"


def load_posts(engine: Engine, count: int, vocabulary: list[str]) -> None:
    """`count` posts of ~40 words (a quarter with Khmer), 10 accounts, inserted in bulk."""
    with transaction(engine) as session:
        actor = Actor(name="bench")
        session.add(actor)
        session.flush()
        accounts = [
            Account(actor_id=actor.id, platform="telegram", handle=f"bench{i}", cursor={})
            for i in range(10)
        ]
        session.add_all(accounts)
        session.flush()
        account_ids = [a.id for a in accounts]
    rng = random.Random(11)
    sqlite = engine.dialect.name == "sqlite"
    sql = INSERT_SQLITE if sqlite else INSERT_POSTGRES
    for offset in range(0, count, 10_000):
        rows: list[tuple[Any, ...]] = []
        for i in range(offset, min(count, offset + 10_000)):
            body = " ".join(rng.choice(vocabulary) for _ in range(40))
            if i % 4 == 0:
                body += " " + "\u200b".join(_khmer_word(rng) for _ in range(10))
            when: Any = START + timedelta(minutes=i)
            if sqlite:
                when = when.strftime("%Y-%m-%d %H:%M:%S.%f")
            rows.append(
                (
                    account_ids[i % 10],
                    str(i),
                    f"https://t.me/b/{i}",
                    when,
                    "text",
                    body,
                    False,
                    when,
                    when,
                )
            )
        with engine.begin() as conn:
            conn.exec_driver_sql(sql, rows)


def config(terms: list[str], extra: list[str] | None = None) -> PolmonConfig:
    groups = {
        "threats": {"terms": terms[: len(terms) // 2]},
        "parties": {"terms": terms[len(terms) // 2 :] + (extra or []), "whole_word": "auto"},
    }
    return PolmonConfig.model_validate({"keywords": groups})


def measure(engine: Engine, label: str, count: int, term_count: int) -> None:
    rng = random.Random(5)
    vocabulary = _vocabulary(rng, 100_000)
    started = time.perf_counter()
    load_posts(engine, count, vocabulary)
    print(
        f"{label}: loaded {count:,} posts in {time.perf_counter() - started:.0f} s "
        "(search-index triggers included)"
    )
    terms = sorted({rng.choice(vocabulary) for _ in range(term_count)})
    for name, cfg, force in (
        ("first rescan", config(terms), True),
        ("second rescan (idempotent)", config(terms), True),
        ("one group changed (--if-changed)", config(terms, ["addedterm"]), False),
    ):
        started = time.perf_counter()
        report = rescan_keywords(cfg, engine, force=force)
        seconds = time.perf_counter() - started
        print(
            f"  {name}: {seconds:.1f} s, {report.posts / seconds:,.0f} posts/s, "
            f"+{report.hits.added:,} ~{report.hits.updated:,} -{report.hits.removed:,} hits"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--terms", type=int, default=200)
    parser.add_argument("--sqlite", type=Path, default=Path("/tmp/polmon-bench-rescan.sqlite3"))
    parser.add_argument("--postgres", default=None, help="also run on this PostgreSQL URL")
    args = parser.parse_args()
    args.sqlite.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{args.sqlite}")
    upgrade(engine)
    measure(engine, "sqlite", args.posts, args.terms)
    engine.dispose()
    if args.postgres:
        schema = "bench_rescan"
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine = make_engine(args.postgres, schema=schema)
        upgrade(engine)
        try:
            measure(engine, "postgres", args.posts, args.terms)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
