"""Posts ingested per second through storage.ingest into SQLite and PostgreSQL (no network)."""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from collectors.records import MediaItem, PostRecord
from storage.engine import make_engine, transaction
from storage.ingest import ingest_posts
from storage.migrations import upgrade
from storage.models import Account, Actor

BATCH = 200


def _records(count: int, start: datetime) -> list[PostRecord]:
    return [
        PostRecord(
            platform_post_id=str(i),
            published_at=start - timedelta(minutes=i),
            url=f"https://t.me/bench/{i}",
            kind="video" if i % 10 == 0 else "text",
            text=f"Post {i}: the prime minister spoke about Telegram and TikTok " * 3,
            text_html=f"<b>Post {i}</b>",
            views=1000 + i,
            reactions={"👍": i % 50, "🔥": i % 7},
            media=[MediaItem(kind="video", source_url=f"http://127.0.0.1/{i}.mp4")]
            if i % 10 == 0
            else [],
        )
        for i in range(count)
    ]


def run(url: str, schema: str | None, count: int) -> tuple[float, float]:
    engine = make_engine(url, schema=schema)
    upgrade(engine)
    with transaction(engine) as session:
        account = Account(actor=Actor(name="bench"), platform="telegram", handle="bench", cursor={})
        session.add(account)
        session.flush()
        account_id = account.id
    records = _records(count, datetime.now(UTC))
    rates = []
    for _pass in range(2):  # first: all new; second: all known (a re-read pass)
        started = time.perf_counter()
        for offset in range(0, count, BATCH):
            with transaction(engine) as session:
                ingest_posts(
                    session, account_id, records[offset : offset + BATCH], datetime.now(UTC)
                )
        rates.append(count / (time.perf_counter() - started))
    engine.dispose()
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        new, known = run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", None, args.posts)
        print(
            f"sqlite     {args.posts} posts: new {new:,.0f} posts/s, re-read {known:,.0f} posts/s"
        )
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        new, known = run(args.postgres, schema, args.posts)
        print(
            f"postgresql {args.posts} posts: new {new:,.0f} posts/s, re-read {known:,.0f} posts/s"
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
