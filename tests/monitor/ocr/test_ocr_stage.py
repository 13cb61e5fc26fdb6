"""Photos through the queue for real: HTTP download, dedupe, Tesseract (Khmer and English),
image_texts, keyword hits in image text, full-text search, corrupt images failed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from collectors.records import MediaItem, PostRecord
from monitor.config import PolmonConfig
from monitor.download import run_downloads
from monitor.ocr.worker import run_ocr
from monitor.queries.search import search
from storage.engine import transaction
from storage.ingest import ingest_posts
from storage.models import AlertEvent, ImageText, KeywordHit, Media
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config
from tests.support.images import (
    KHMER_FONT,
    photo_without_text,
    require_ocr,
    text_image,
)
from tests.support.local_server import LocalServer

pytestmark = pytest.mark.xdist_group("ocr")

# The term as officials type it: a zero-width space between the words (U+200B), which must
# not keep it from matching the text Tesseract reads (which has none).
KHMER_TERM = "សេចក្តី\u200bប្រកាស"
# "statement", "news": typed with a zero-width space too, which draws nothing.
KHMER_TEXT = "សេចក្តី\u200bប្រកាស ព័ត៌មាន"
ENGLISH_TEXT = "Official decree:\nprotest banned"
KEYWORDS = {
    "decrees": {"terms": ["protest", KHMER_TERM], "search_in": "both"},
    "spoken": {"terms": ["protest"], "search_in": "transcripts"},
}
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def ocr_config(tmp_path: Path, db: TestDatabase, **ocr: object) -> PolmonConfig:
    return make_config(
        tmp_path,
        db,
        paths={"media_dir": "media"},
        ocr={"requests_per_second": 1000.0, **ocr},
        keywords=KEYWORDS,
    )


def test_an_album_is_downloaded_read_matched_and_searchable(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    require_ocr()
    english = server.add("/p/en.png", text_image(ENGLISH_TEXT), "image/png")
    khmer = server.add("/p/km.png", text_image(KHMER_TEXT, KHMER_FONT), "image/png")
    landscape = server.add("/p/view.jpg", photo_without_text(), "image/jpeg")
    repost = server.add("/p/en-copy.png", text_image(ENGLISH_TEXT), "image/png")
    album = PostRecord(
        "100",
        NOW,
        url="https://t.me/gov/100",
        kind="photo",
        media=[
            MediaItem("photo", english, position=0),
            MediaItem("photo", khmer, position=1),
            MediaItem("photo", landscape, position=2),
        ],
    )
    again = PostRecord("101", NOW, url="https://t.me/gov/101", media=[MediaItem("photo", repost)])
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Ministry"), "telegram", "gov")
        ingest_posts(session, owner.id, [album, again], NOW)
    config = ocr_config(tmp_path, db)

    downloaded = run_downloads(config, db.engine)
    assert (downloaded.downloaded, downloaded.duplicates, downloaded.failed) == (3, 1, 0)
    report = run_ocr(config, db.engine)
    assert (report.read, report.blank, report.failed, report.retrying) == (3, 1, 0, 0)

    with transaction(db.engine) as session:
        rows = list(session.scalars(select(Media).order_by(Media.id)))
        texts = {t.media_id: t for t in session.scalars(select(ImageText))}
        hits = list(session.scalars(select(KeywordHit).order_by(KeywordHit.id)))
    en, km, view, copy = rows
    assert [m.kind for m in rows] == ["photo"] * 4
    assert [m.status for m in rows] == ["done"] * 4
    assert all(m.sha256 and m.size_bytes for m in rows)
    assert (en.mime_type, view.mime_type) == ("image/png", "image/jpeg")
    # the repost is the same file: stored once, linked, never read twice
    assert copy.duplicate_of_id == en.id and copy.local_path == en.local_path
    assert copy.sha256 == en.sha256 and copy.id not in texts
    assert "protest banned" in texts[en.id].text and "Official decree" in texts[en.id].text
    assert "សេចក្តីប្រកាស" in texts[km.id].text.replace(" ", "")
    assert texts[view.id].text == "" and texts[view.id].confidence is None
    for reading in (texts[en.id], texts[km.id]):
        assert reading.languages == "khm+eng" and reading.engine.startswith("tesseract ")
        assert reading.confidence is not None and 0.5 < reading.confidence <= 1
        assert reading.lines and reading.width and reading.height
    # Hits: the English and the Khmer term (written with a zero-width space) in the album's
    # images; none in the landscape; a group that searches transcripts only finds nothing.
    found = {(h.group_name, h.term, h.source_key) for h in hits}
    assert found == {
        ("decrees", "protest", f"image:{en.id}"),
        ("decrees", KHMER_TERM, f"image:{km.id}"),
    }
    assert {(h.source_kind, h.post_id, h.link) for h in hits} == {
        ("image_text", en.post_id, "https://t.me/gov/100")
    }
    assert all(h.confidence is not None and h.confidence > 0.5 for h in hits)
    # Each new hit is an alert event, dated when it was read (not when the post was published,
    # which may lie before an alert rule's horizon).
    with transaction(db.engine) as session:
        events = list(session.scalars(select(AlertEvent).where(AlertEvent.kind == "keyword_hit")))
    assert len(events) == 2
    assert all(e.occurred_at == e.detected_at and e.occurred_at > NOW for e in events)
    assert {e.payload["source"] for e in events if e.payload} == {"posts"}

    with transaction(db.engine) as session:
        results = search(session, "banned")
        khmer_results = search(session, "ប្រកាស", where="images")
        assert search(session, "banned", where="posts") == []
    assert [(r.kind, r.post_id) for r in results] == [("image", en.post_id)]
    assert "«banned»" in results[0].snippet
    assert [(r.kind, r.post_id) for r in khmer_results] == [("image", km.post_id)]


def test_a_corrupt_image_fails_with_a_clear_error(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    require_ocr()
    whole = text_image("protest")
    broken = server.add("/p/broken.jpg", whole[: len(whole) // 3], "image/png")
    garbage = server.add("/p/garbage.jpg", b"\x00\x01 not an image at all", "image/jpeg")
    ids = factories.media_to_download(
        db.engine,
        [
            factories.Download("telegram", "7", broken, kind="photo"),
            factories.Download("telegram", "8", garbage, kind="photo"),
        ],
    )
    config = ocr_config(tmp_path, db)
    assert run_downloads(config, db.engine).downloaded == 2
    report = run_ocr(config, db.engine)
    assert (report.read, report.failed, report.retrying) == (0, 2, 0)
    truncated, unknown = factories.media_rows(db.engine, ids)
    assert (truncated.status, unknown.status) == ("failed", "failed")
    assert truncated.last_error == (
        "ocr: the image cannot be decoded (OSError: truncated or corrupt)"
    )
    assert unknown.last_error == "ocr: not an image Pillow can decode (corrupt or unknown format)"
    assert sorted(line.split(":")[0] for line in report.problems()) == [
        f"media {ids[0]}",
        f"media {ids[1]}",
    ]
    with transaction(db.engine) as session:
        assert session.scalars(select(ImageText)).all() == []
        assert session.scalars(select(KeywordHit)).all() == []
