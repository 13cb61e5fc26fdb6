"""Evidence storage cost: bytes per post captured, text posts (t.me/s pages) and video posts
(yt-dlp info JSON), files under the evidence root plus the `captures` rows, SQLite and
PostgreSQL."""

from __future__ import annotations

import argparse
import copy
import json
import secrets
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from collectors.records import RawCapture
from collectors.telegram.web import parse_channel_page
from storage.captures import store_captures
from storage.engine import make_engine, transaction
from storage.evidence_store import EvidenceStore
from storage.migrations import upgrade
from storage.models import Account, Actor

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "telegram-web"
YTDLP = ROOT / "tests" / "fixtures" / "ytdlp"
HEADERS = tuple(
    (name, "x" * 40)
    for name in (
        "server",
        "date",
        "content-type",
        "cache-control",
        "set-cookie",
        "strict-transport-security",
    )
)


def full_youtube_info() -> dict[str, object]:
    """The fixture grown to a real watch page's shape: ~80 formats with signed stream URLs and
    ~150 automatic-caption languages in 7 formats each (random signatures, as real ones are)."""
    info = json.loads((YTDLP / "youtube_video.json").read_text())
    fmt = info["formats"][0]
    info["formats"] = [
        {**copy.deepcopy(fmt), "format_id": str(i), "url": f"{fmt['url']}&sig={_sig(180)}"}
        for i in range(80)
    ]
    base = "https://www.youtube.com/api/timedtext?v=x"
    info["automatic_captions"] = {
        f"l{i}": [
            {"ext": ext, "url": f"{base}&lang=l{i}&fmt={ext}&sig={_sig(120)}"}
            for ext in ("json3", "srv1", "srv2", "srv3", "ttml", "vtt", "srt")
        ]
        for i in range(150)
    }
    return info


def _sig(length: int) -> str:
    return secrets.token_urlsafe(length)[:length]


def samples() -> list[tuple[str, str, bytes, int]]:
    """(kind, name, bytes, posts in it) for each response measured."""
    found = []
    for page in sorted(REFERENCE.glob("*.html")):
        body = page.read_bytes()
        found.append(("text", page.stem, body, len(parse_channel_page(body).posts)))
    for name in ("youtube_video", "facebook_video", "facebook_reel"):
        found.append(("video", name, (YTDLP / f"{name}.json").read_bytes(), 1))
    full = json.dumps(full_youtube_info(), sort_keys=True).encode()
    found.append(("video (full YouTube info)", "youtube_full_info", full, 1))
    return found


def row_bytes(engine: Engine, folder: Path, rows: int, sqlite_file: Path | None) -> float:
    """Database bytes per `captures` row (table and its indexes), `rows` rows inserted."""
    upgrade(engine)
    store = EvidenceStore(folder / "rows")
    with transaction(engine) as session:
        account = Account(actor=Actor(name="bench"), platform="telegram", handle="b", cursor={})
        session.add(account)
        session.flush()
        account_id = account.id
    before = _size(engine, sqlite_file)
    now = datetime.now(UTC)
    with transaction(engine) as session:
        captures = [
            RawCapture(f"https://t.me/s/channel_name?before={i}", now + timedelta(seconds=i),
                       b"page %d" % i, status=200, headers=HEADERS, content_type="text/html")
            for i in range(rows)
        ]  # fmt: skip
        store_captures(session, store, account_id, captures)
    return (_size(engine, sqlite_file) - before) / rows


def _size(engine: Engine, sqlite_file: Path | None) -> int:
    if sqlite_file is not None:
        engine.dispose()
        return sqlite_file.stat().st_size
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_total_relation_size('captures')")) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = EvidenceStore(folder / "evidence")
        print("| kind | response | posts | bytes | gzip -9 | gzip bytes per post |")
        print("|---|---|---:|---:|---:|---:|")
        per_kind: dict[str, list[float]] = {}
        posts_per_response: dict[str, list[int]] = {}
        for kind, name, body, posts in samples():
            stored = store.put(body).stored_bytes
            per_kind.setdefault(kind, []).append(stored / max(posts, 1))
            posts_per_response.setdefault(kind, []).append(posts)
            print(f"| {kind} | {name} | {posts} | {len(body):,} | {stored:,} | "
                  f"{stored / max(posts, 1):,.0f} |")  # fmt: skip
        sqlite_file = folder / "bench.sqlite3"
        sqlite = row_bytes(make_engine(f"sqlite:///{sqlite_file}"), folder, args.rows, sqlite_file)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            pg_engine = make_engine(args.postgres, schema=schema)
            postgres = row_bytes(pg_engine, folder, args.rows, None)
            pg_engine.dispose()
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    print(
        f"\ncaptures row (with six headers): sqlite {sqlite:,.0f} B, postgresql {postgres:,.0f} B"
    )
    for kind, values in per_kind.items():
        files = sum(values) / len(values)
        shared = sum(posts_per_response[kind]) / len(posts_per_response[kind])
        for engine_name, row in (("sqlite", sqlite), ("postgresql", postgres)):
            total = files + row / shared
            print(
                f"{kind} posts, {engine_name}: {total:,.0f} bytes per post captured "
                f"(files {files:,.0f} + row {row / shared:,.0f})"
            )


if __name__ == "__main__":
    main()
