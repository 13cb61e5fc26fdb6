"""The post page shows a photo (served from the media folder) with the text OCR read in it, the
hits in that text, and escapes it like any platform text."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from monitor.ocr.worker import run_ocr
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.images import require_ocr, text_image
from tests.support.web import live_server, sign_in

from .test_ocr_queue import downloaded_photo

pytestmark = pytest.mark.xdist_group("ocr")


def test_the_post_page_shows_the_photo_its_text_and_the_hit(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    require_ocr()
    db = sqlite_db
    image = tmp_path / "media" / "telegram" / "1_1.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(text_image("<b>Curfew</b> tonight"))
    media_id = downloaded_photo(db, image)
    config = make_config(
        tmp_path,
        db,
        paths={"media_dir": "media"},
        ocr={"requests_per_second": 1000.0},
        keywords={"orders": {"terms": ["curfew"], "search_in": "posts"}},
    )
    assert run_ocr(config, db.engine).read == 1
    with (
        live_server(config, db.engine) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        sign_in(server, client)
        page = client.get(f"/api/posts/{_post_of(db, media_id)}").json()
        html = client.get(f"/posts/{_post_of(db, media_id)}").text
        served = client.get(f"/media/{media_id}")
    (item,) = page["media"]
    assert (item["kind"], item["player"], item["mime_type"]) == ("photo", "image", None)
    assert item["image_text"]["languages"] == "khm+eng"
    assert "Curfew" in item["image_text"]["text"] and item["image_text"]["hit_terms"] == ["curfew"]
    assert [(h["source"], h["media_position"]) for h in page["hits"]] == [("image_text", 0)]
    assert f'<img class="photo" src="/media/{media_id}"' in html
    assert "in the text of image 1" in html
    read = item["image_text"]["text"]
    assert "<" in read and str(escape(read)) in html and read not in html  # escaped
    assert served.status_code == 200 and served.content == image.read_bytes()
    assert served.headers["content-type"] == "image/png"


def _post_of(db: TestDatabase, media_id: int) -> int:
    from tests.support.factories import media_rows

    return media_rows(db.engine, [media_id])[0].post_id
