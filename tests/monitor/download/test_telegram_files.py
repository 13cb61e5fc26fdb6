"""Telegram files that have only their post's link: through Telethon (the stand-in client serving
real bytes), or skipped with a reason that `polmon status` and the digest count."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from sqlalchemy import update

from collectors.telegram.telethon_backend import TelethonBackend
from collectors.telegram.telethon_media import TelethonMedia
from monitor.download import run_downloads
from monitor.download.telegram import configured_telethon
from monitor.media_fetch import NEEDS_TELETHON
from storage.engine import transaction
from storage.models import Account
from storage.queue import download_stage, retry_finished
from tests.conftest import FIXTURES, TestDatabase, invoke
from tests.support.config import make_config, video_settings
from tests.support.factories import Download, media_rows, media_to_download
from tests.support.telethon_history import DUROV, FULL, history
from tests.support.telethon_standin import StandInClient

MEDIA = FIXTURES / "media"
MEDIA_DIR = {"media_dir": "media"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def standin() -> StandInClient:
    client = StandInClient(DUROV, FULL, history())
    client.files = {509: MEDIA / "clip_a.mp4", 507: MEDIA / "voice.ogg"}
    return client


def telethon_from(client: StandInClient) -> TelethonMedia:
    return TelethonMedia(TelethonBackend(lambda: client))


def queue_links(db: TestDatabase) -> list[int]:
    """A large video the web showed only as a link, a voice note from Telethon (its post link),
    and a web video with a direct file URL (not Telegram's business here)."""
    return media_to_download(
        db.engine,
        [
            Download("telegram", "509", "https://t.me/durov/509"),
            Download("telegram", "507", "https://t.me/durov/507", kind="voice"),
        ],
    )


def test_without_telethon_link_only_files_are_skipped_with_the_reason(
    db: TestDatabase, tmp_path: Path
) -> None:
    ids = queue_links(db)
    config = make_config(tmp_path, db, paths=MEDIA_DIR, video=video_settings())
    report = run_downloads(config, db.engine)
    assert (report.downloaded, report.skipped, report.failed) == (0, 2, 0)
    for row in media_rows(db.engine, ids):
        assert row.status == "skipped" and row.skip_reason == NEEDS_TELETHON
        assert row.local_path is None and "polmon telegram login" in (row.last_error or "")

    result = invoke(tmp_path / "polmon.toml", "status", "--section", "skipped")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if NEEDS_TELETHON in line]
    assert re.findall(r"\d+", line) == ["2"]
    result = invoke(tmp_path / "polmon.toml", "status")  # the whole report has it too
    assert "media skipped" in result.output and NEEDS_TELETHON in result.output
    result = invoke(tmp_path / "polmon.toml", "status", "--format", "json")
    assert json.loads(result.output)["media_skipped"] == {NEEDS_TELETHON: 2}

    # once Telethon is set up, the skipped rows go back to the queue and are fetched
    assert retry_finished(db.engine, download_stage(), "skipped") == 2
    assert [row.skip_reason for row in media_rows(db.engine, ids)] == [None, None]
    client = standin()
    report = run_downloads(config, db.engine, telethon=lambda: telethon_from(client))
    assert (report.downloaded, report.skipped, report.failed) == (2, 0, 0)


def test_telethon_downloads_the_file_with_hash_size_and_duration(
    db: TestDatabase, tmp_path: Path
) -> None:
    ids = queue_links(db)
    with transaction(db.engine) as session:  # the channel id, as a first pass stores it
        session.execute(update(Account).values(platform_id=str(DUROV.id)))
    client = standin()
    config = make_config(
        tmp_path, db, paths=MEDIA_DIR, video=video_settings(keep_video=True, concurrency=2)
    )
    report = run_downloads(config, db.engine, telethon=lambda: telethon_from(client))
    assert (report.downloaded, report.skipped, report.failed) == (2, 0, 0)
    video, voice = media_rows(db.engine, ids)
    assert video.local_path == f"telegram/509_{ids[0]}.mp4"
    assert video.sha256 == sha256(MEDIA / "clip_a.mp4")  # the bytes Telegram served, kept
    assert video.size_bytes == (MEDIA / "clip_a.mp4").stat().st_size
    assert voice.sha256 == sha256(MEDIA / "voice.ogg") and voice.mime_type == "audio/ogg"
    for row in (video, voice):
        assert row.status == "downloaded" and row.skip_reason is None
        assert row.duration_seconds and row.duration_seconds > 0
    assert sorted(client.downloads) == [507, 509]
    # found by the stored id (the session's cache), not by resolving the username
    assert not [r for r in client.requests if type(r).__name__ == "ResolveUsernameRequest"]


def test_a_deleted_message_fails_for_good_and_a_large_one_is_skipped(
    db: TestDatabase, tmp_path: Path
) -> None:
    ids = media_to_download(
        db.engine,
        [
            Download("telegram", "9999", "https://t.me/durov/9999"),
            Download("telegram", "509", "https://t.me/durov/509"),
        ],
    )
    client = standin()
    config = make_config(tmp_path, db, paths=MEDIA_DIR, video=video_settings(max_filesize_mb=5))
    report = run_downloads(config, db.engine, telethon=lambda: telethon_from(client))
    assert (report.downloaded, report.skipped, report.failed) == (0, 1, 1)
    gone, large = media_rows(db.engine, ids)
    assert gone.status == "failed" and "gone" in (gone.last_error or "")
    assert large.status == "skipped" and large.skip_reason == "over [video] max_filesize_mb"
    # 509 announces 10 MB: stopped at the first block, the part removed
    assert not list((tmp_path / "media" / "telegram").glob("509_*"))


def test_the_configured_factory_follows_the_backend_choice(
    tmp_path: Path, db: TestDatabase
) -> None:
    web = make_config(tmp_path, db, telegram={"backend": "web"})
    assert configured_telethon(web)() is None
    session = tmp_path / "telegram.session"
    session.write_bytes(b"")
    (tmp_path / "hash").write_text("0123456789abcdef")
    telethon = make_config(
        tmp_path,
        db,
        telegram={
            "backend": "auto",
            "api_id": 12345,
            "api_hash_file": str(tmp_path / "hash"),
            "session_file": str(session),
        },
    )
    built = configured_telethon(telethon)()
    assert isinstance(built, TelethonMedia)
    # on its own copy of the session, owner-only, removed when done
    copy = tmp_path / "telegram-downloads.session"
    assert copy.is_file() and copy.stat().st_mode & 0o777 == 0o600
    built.close()  # never connected: nothing to disconnect
    assert not copy.exists() and session.is_file()
