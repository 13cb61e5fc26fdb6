"""Photos are fetched with one GET: a post's page stands for its og:image, a page without one
and a missing photo fail for good, an oversized one is skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.download import run_downloads
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config
from tests.support.images import photo_without_text
from tests.support.local_server import LocalServer

pytestmark = pytest.mark.xdist_group("ocr")


def test_photo_urls_pages_and_failures(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    picture = photo_without_text()
    server.add("/cdn/photo.jpg", picture, "image/jpeg")
    page = server.add(
        "/gov/5",
        '<html><head><meta property="og:image" content="/cdn/photo.jpg"></head></html>',
    )
    no_image = server.add("/gov/6", "<html><head><title>gov</title></head></html>")
    large = server.add("/cdn/large.jpg", b"\xff\xd8" + b"0" * 300_000, "image/jpeg")
    ids = factories.media_to_download(
        db.engine,
        [
            factories.Download("telegram", "5", page, kind="photo"),
            factories.Download("telegram", "6", no_image, kind="photo"),
            factories.Download("telegram", "7", server.url("/gone.jpg"), kind="photo"),
            factories.Download("telegram", "8", large, kind="photo"),
        ],
    )
    config = make_config(
        tmp_path,
        db,
        paths={"media_dir": "media"},
        ocr={"requests_per_second": 1000.0, "max_image_mb": 0.25},
    )
    report = run_downloads(config, db.engine)
    assert (report.downloaded, report.failed, report.skipped) == (1, 2, 1)
    via_page, html, gone, oversized = factories.media_rows(db.engine, ids)
    assert (via_page.status, via_page.mime_type) == ("downloaded", "image/jpeg")
    assert (config.media_dir / (via_page.local_path or "")).read_bytes() == picture
    assert via_page.local_path == f"telegram/5_{ids[0]}.jpg"
    assert (html.status, html.attempts) == ("failed", 1)
    assert html.last_error == f"photo {no_image}: the server sent text/html, not an image"
    assert (gone.status, gone.last_error) == (
        "failed",
        f"photo {server.url('/gone.jpg')}: HTTP 404",
    )
    assert (oversized.status, oversized.last_error) == (
        "skipped",
        "photo larger than [ocr] max_image_mb = 0.25",
    )
