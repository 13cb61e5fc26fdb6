"""The digest lists a hit in the text read in a photo with a link to its post, and embeds no
image from elsewhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from monitor.digest.data import ALL, Period
from monitor.digest.gather import gather
from monitor.digest.render import render
from monitor.ocr.worker import run_ocr
from storage.engine import session_factory, transaction
from storage.models import Post
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.images import require_ocr, text_image

from .test_ocr_queue import downloaded_photo

pytestmark = pytest.mark.xdist_group("ocr")
NOW = datetime(2025, 5, 2, tzinfo=UTC)


def test_an_image_text_hit_is_listed_with_a_link_to_its_post(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    require_ocr()
    db = sqlite_db
    image = tmp_path / "decree.png"
    image.write_bytes(text_image("Curfew from tonight"))
    downloaded_photo(db, image)
    with transaction(db.engine) as session:  # published inside the digest's period
        session.execute(update(Post).values(published_at=NOW - timedelta(hours=2)))
    config = make_config(
        tmp_path,
        db,
        ocr={"requests_per_second": 1000.0},
        keywords={"orders": {"terms": ["curfew"], "search_in": "posts"}},
    )
    assert run_ocr(config, db.engine).hits == 1
    with session_factory(db.engine)() as session:
        period = Period(NOW - timedelta(days=1), NOW, "UTC")
        data = gather(session, config, period, ALL, generated_at=NOW)
    ((hit,),) = [group.hits for group in data.hit_groups]
    assert (hit.source_kind, hit.terms) == ("image_text", ("curfew",))
    assert hit.link is not None and hit.link.startswith("https://t.me/gov/")
    rendered = render(data, inline=False)
    assert re.search(r"<mark[^>]*>Curfew</mark> from tonight", rendered.html)
    assert f'href="{hit.link}"' in rendered.html and "image_text" in rendered.html
    assert not re.search(r"<img[^>]+src=\"https?:", rendered.html)  # nothing remote embedded
    assert hit.link in rendered.text
