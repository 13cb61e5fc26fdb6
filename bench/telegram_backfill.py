"""A Telegram backfill served locally: posts per second through `run_collect` on each engine."""

from __future__ import annotations

import argparse
import logging
import re
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import create_engine, text

from monitor.config import load_config
from monitor.pipeline import run_collect
from storage.engine import make_engine
from storage.migrations import upgrade
from tests.support.telegram_site import SiteChannel, SiteMedia, SitePost, TelegramSite


def _site(posts: int) -> TelegramSite:
    site = TelegramSite(page_size=20)
    channel = site.add(SiteChannel("bench", "Bench channel", 777, 850_000))
    start = datetime.now(UTC) - timedelta(minutes=1)
    for i in range(1, posts + 1):
        media = [SiteMedia("video", duration="0:42")] if i % 10 == 0 else []
        channel.add(
            SitePost(
                i,
                start - timedelta(minutes=posts - i),
                f"Post {i}: a statement about Telegram, TikTok and the opposition.",
                views=1000 + i,
                media=media,
            )
        )
    return site


def run(base_url: str, database: str, schema: str | None, posts: int, folder: Path) -> float:
    config_path = folder / f"bench-{uuid.uuid4().hex[:6]}.toml"
    config_path.write_text(
        f'[paths]\ndata_dir = "{folder}"\n[database]\nurl = "{database}"\n'
        + (f'schema = "{schema}"\n' if schema else "")
        + f'[telegram]\nbackend = "web"\nbase_url = "{base_url}"\nrequests_per_second = 10000\n'
        f"backfill_days = 3650\nmax_posts_per_account = {posts + 1}\n"
        '[[actors]]\nname = "Bench"\n[[actors.accounts]]\nplatform = "telegram"\n'
        'handle = "bench"\n',
        encoding="utf-8",
    )
    config = load_config(config_path)
    engine = make_engine(config.database_url, schema=schema)
    upgrade(engine)
    started = time.perf_counter()
    report = run_collect(config, engine)
    elapsed = time.perf_counter() - started
    assert report.totals()["new"] == posts, report.accounts
    engine.dispose()
    return posts / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    site = _site(args.posts)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    server.start()
    try:
        base_url = server.url_for("").rstrip("/")
        with tempfile.TemporaryDirectory() as folder:
            rate = run(
                base_url, f"sqlite:///{folder}/bench.sqlite3", None, args.posts, Path(folder)
            )
            print(f"sqlite     backfill of {args.posts} posts over HTTP: {rate:,.0f} posts/s")
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                rate = run(base_url, args.postgres, schema, args.posts, Path(folder))
                print(f"postgresql backfill of {args.posts} posts over HTTP: {rate:,.0f} posts/s")
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
