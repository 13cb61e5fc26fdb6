"""The digest's health section counts media skipped (never transcribed) per reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from monitor.digest.data import ALL, Period
from monitor.digest.gather import gather
from monitor.digest.render import render
from monitor.media_fetch import NEEDS_TELETHON, NO_AUDIO
from storage.engine import transaction
from storage.models import Media
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.factories import Download, media_to_download


def test_skip_reasons_in_the_digest(db: TestDatabase, tmp_path: Path) -> None:
    ids = media_to_download(
        db.engine,
        [
            Download("telegram", "509", "https://t.me/durov/509"),
            Download("telegram", "510", "https://t.me/durov/510"),
            Download("telegram", "511", "https://cdn.example/a.mp4"),
            Download("telegram", "512", "https://cdn.example/b.mp4"),
        ],
    )
    with transaction(db.engine) as session:
        for media_id, reason in zip(
            ids, [NEEDS_TELETHON, NEEDS_TELETHON, NO_AUDIO, None], strict=True
        ):
            session.execute(
                update(Media)
                .where(Media.id == media_id)
                .values(status="skipped", skip_reason=reason)
            )
    config = make_config(tmp_path, db)
    now = datetime.now(UTC)
    with transaction(db.engine) as session:
        data = gather(session, config, Period(now - timedelta(days=1), now, "UTC"), ALL)
    unrecorded = "not recorded (skipped before polmon kept reasons)"
    assert data.skipped_media == {NEEDS_TELETHON: 2, NO_AUDIO: 1, unrecorded: 1}
    rendered = render(data)
    assert (
        f"Media skipped (not transcribed): 2 {NEEDS_TELETHON}, 1 {NO_AUDIO}, 1 {unrecorded}"
        in rendered.text
    )
    assert f"2 {NEEDS_TELETHON}" in rendered.html
