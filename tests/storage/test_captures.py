"""Captures on SQLite and PostgreSQL: one row per response, one file per sha256, never
rewritten; versions linked to the capture they came from; a retried batch adds nothing."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from collectors.records import PostRecord, RawCapture
from storage.captures import keep_captures, store_captures
from storage.engine import transaction
from storage.evidence_store import EvidenceStore
from storage.ingest import ingest_posts
from storage.models import Capture, PostVersion
from tests.conftest import TestDatabase
from tests.support import factories

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
PAGE = b"<html>" + "ការគំរាមកំហែង".encode() * 200 + b"</html>"


def page(body: bytes = PAGE, at: datetime = T0) -> RawCapture:
    return RawCapture(
        url="https://t.me/s/pm",
        fetched_at=at,
        content=body,
        status=200,
        headers=(("content-type", "text/html"), ("x-twice", "a"), ("x-twice", "b")),
        content_type="text/html",
    )


def records(capture: RawCapture, *ids: str, text: str = "hello") -> list[PostRecord]:
    return [
        PostRecord(platform_post_id=i, published_at=T0 + timedelta(minutes=int(i)),
                   text=f"{text} {i}", capture=capture)
        for i in ids
    ]  # fmt: skip


def count(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        return session.scalar(select(func.count()).select_from(Capture)) or 0


def test_a_capture_is_stored_once_compressed_and_content_addressed(
    db: TestDatabase, tmp_path: Path
) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    with transaction(db.engine) as session:
        account_id = factories.account(session, factories.actor(session, "PM")).id
        ids = store_captures(session, store, account_id, [page(), page()])
    assert count(db) == 1 and len(ids) == 1
    sha = hashlib.sha256(PAGE).hexdigest()
    path = tmp_path / "evidence" / "captures" / sha[:2] / f"{sha[2:]}.gz"
    assert gzip.decompress(path.read_bytes()) == PAGE
    assert path.stat().st_size < len(PAGE) / 5
    with transaction(db.engine) as session:
        row = session.scalars(select(Capture)).one()
        assert (row.sha256, row.size_bytes, row.http_status) == (sha, len(PAGE), 200)
        assert row.headers == {
            "items": [["content-type", "text/html"], ["x-twice", "a"], ["x-twice", "b"]]
        }
        assert row.stored_bytes == path.stat().st_size and row.fetched_at == T0

    # The same response again (a retried batch): nothing new. The same bytes later: a new
    # row (a new sighting), the same file, untouched.
    mtime = path.stat().st_mtime_ns
    with transaction(db.engine) as session:
        store_captures(session, store, account_id, [page()])
        store_captures(session, store, account_id, [page(at=T0 + timedelta(hours=1))])
    assert count(db) == 2
    assert path.stat().st_mtime_ns == mtime
    assert len(list((tmp_path / "evidence").rglob("*.gz"))) == 1


def test_versions_point_at_their_capture_and_a_repeat_batch_adds_nothing(
    db: TestDatabase, tmp_path: Path
) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    with transaction(db.engine) as session:
        account_id = factories.account(session, factories.actor(session, "PM")).id
    first = page()
    batch = records(first, "1", "2", "3")
    for _ in range(2):
        with transaction(db.engine) as session:
            result = ingest_posts(session, account_id, batch, T0)
            keep_captures(session, store, account_id, batch, result, "all")
    assert count(db) == 1
    with transaction(db.engine) as session:
        linked = session.execute(select(PostVersion.capture_id)).scalars().all()
        capture_id = session.scalars(select(Capture.id)).one()
    assert linked == [capture_id] * 3

    edited = page(PAGE + b"<!-- edit -->", T0 + timedelta(hours=1))
    later = records(edited, "1", "2", "3")
    later[1].text = "hello 2, corrected"
    with transaction(db.engine) as session:
        result = ingest_posts(session, account_id, later, T0 + timedelta(hours=1))
        keep_captures(session, store, account_id, later, result, "hits")
    with transaction(db.engine) as session:
        rows = session.execute(
            select(PostVersion.capture_id, Capture.sha256)
            .join(Capture, Capture.id == PostVersion.capture_id)
            .order_by(PostVersion.id)
        ).all()
    assert [sha for _id, sha in rows][-1] == edited.sha256
    assert count(db) == 2


def test_none_and_a_record_without_capture_store_nothing(db: TestDatabase, tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    with transaction(db.engine) as session:
        account_id = factories.account(session, factories.actor(session, "PM")).id
        batch = records(page(), "1")
        result = ingest_posts(session, account_id, batch, T0)
        assert keep_captures(session, store, account_id, batch, result, "none").rows == 0
        bare = [PostRecord(platform_post_id="9", published_at=T0, text="x")]
        result = ingest_posts(session, account_id, bare, T0)
        assert keep_captures(session, store, account_id, bare, result, "all").rows == 0
    assert count(db) == 0 and not (tmp_path / "evidence").exists()
