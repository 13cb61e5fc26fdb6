"""The download stage against a real local server: files, hashes, dedupe, limits, failures."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from monitor.download import run_downloads
from storage.engine import transaction
from storage.models import Media
from storage.queue import claim, transcribe_stage
from tests.conftest import FIXTURES, TestDatabase
from tests.support.config import make_config, video_settings
from tests.support.factories import Download, media_rows, media_to_download
from tests.support.local_server import LocalServer
from tests.support.tiktok_site import NEWEST, TikTokSite, videos
from tests.support.video_sites import serve_video

MEDIA = FIXTURES / "media"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


# The download stage's own settings; the files go to tmp_path/media.
MEDIA_DIR = {"media_dir": "media"}
# Read timeouts: downloads that must succeed get room for a loaded machine (eight test workers
# on two cores starve a process for over a second); the stalled server is given up on sooner.
OK_TIMEOUT = 30
STALL_TIMEOUT = 3


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_downloads_keep_audio_named_by_ids_with_hash_size_and_duration(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    ids = media_to_download(
        db.engine,
        [
            Download(
                "tiktok", "7412345678901234567", server.add_file("/v/a.mp4", MEDIA / "clip_a.mp4")
            ),
            Download("youtube", "dQ7bM2xk3aA", server.add_file("/v/b.mp4", MEDIA / "clip_b.mp4")),
            Download(
                "telegram",
                "4411",
                server.add_file("/v/n.ogg", MEDIA / "voice.ogg", "audio/ogg"),
                kind="voice",
            ),
        ],
    )
    config = make_config(
        tmp_path,
        db,
        paths=MEDIA_DIR,
        video=video_settings(timeout_seconds=OK_TIMEOUT, concurrency=2),
    )
    report = run_downloads(config, db.engine)
    assert (report.downloaded, report.failed, report.skipped) == (3, 0, 0)
    tiktok, youtube, voice = media_rows(db.engine, ids)
    media_dir = tmp_path / "media"
    # keys relative to the media root, never absolute paths
    assert tiktok.local_path == f"tiktok/7412345678901234567_{ids[0]}.m4a"
    assert youtube.local_path == f"youtube/dQ7bM2xk3aA_{ids[1]}.m4a"
    assert voice.local_path == f"telegram/4411_{ids[2]}.ogg"
    for row, seconds in ((tiktok, 3.0), (youtube, 2.0), (voice, 2.0)):
        path = media_dir / (row.local_path or "")
        assert row.status == "downloaded" and row.downloaded_at is not None
        assert row.sha256 == sha256(path) and row.size_bytes == path.stat().st_size
        assert row.duration_seconds == pytest.approx(seconds, abs=0.1)
        assert row.attempts == 0 and row.lease_owner is None and row.last_error is None
    # the audio track alone is smaller than the served video
    assert (tiktok.size_bytes or 0) < (MEDIA / "clip_a.mp4").stat().st_size
    assert (tiktok.mime_type, voice.mime_type) == ("audio/mp4", "audio/ogg")
    assert sorted(p.name for p in media_dir.rglob("*") if p.is_file()) == sorted(
        Path(r.local_path or "").name for r in (tiktok, youtube, voice)
    )


def test_keep_video_stores_the_served_bytes(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    [media_id] = media_to_download(
        db.engine,
        [Download("facebook", "1047291853298412", server.add_file("/a.mp4", MEDIA / "clip_a.mp4"))],
    )
    run_downloads(
        make_config(
            tmp_path,
            db,
            paths=MEDIA_DIR,
            video=video_settings(timeout_seconds=OK_TIMEOUT, concurrency=2, keep_video=True),
        ),
        db.engine,
    )
    [row] = media_rows(db.engine, [media_id])
    assert Path(row.local_path or "").suffix == ".mp4"
    assert row.sha256 == sha256(MEDIA / "clip_a.mp4")
    assert row.mime_type == "video/mp4"


def test_identical_content_is_stored_once_and_transcribed_once(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    ids = media_to_download(
        db.engine,
        [
            Download(
                "tiktok", "7412345678901234567", server.add_file("/tt.mp4", MEDIA / "clip_a.mp4")
            ),
            Download(
                "facebook", "1047291853298412", server.add_file("/fb.mp4", MEDIA / "clip_a.mp4")
            ),
            Download("youtube", "dQ7bM2xk3aA", server.add_file("/yt.mp4", MEDIA / "clip_b.mp4")),
        ],
    )
    report = run_downloads(
        make_config(
            tmp_path,
            db,
            paths=MEDIA_DIR,
            video=video_settings(timeout_seconds=OK_TIMEOUT, concurrency=2),
        ),
        db.engine,
    )
    assert (report.downloaded, report.duplicates) == (2, 1)
    first, second, other = media_rows(db.engine, ids)
    original, copy = (first, second) if second.duplicate_of_id else (second, first)
    assert copy.duplicate_of_id == original.id and original.duplicate_of_id is None
    assert (original.status, copy.status) == ("downloaded", "done")
    assert copy.local_path == original.local_path and copy.sha256 == original.sha256
    files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert len(files) == 2  # one file for the cross-posted video, one for the other
    assert sorted(claim(db.engine, transcribe_stage(), "transcriber", limit=10)) == sorted(
        [original.id, other.id]
    )


def test_a_hostile_title_or_id_never_chooses_the_path(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    clip = server.add_file("/clip.mp4", MEDIA / "clip_b.mp4")
    page = (
        '<html><head><meta property="og:title" content="../../../../tmp/pwned/x">'
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":'
        '"VideoObject","name":"../../../../tmp/pwned/x","uploadDate":"2024-09-01",'
        f'"contentUrl":"{clip}"}}</script></head><body></body></html>'
    )
    hostile = Download(
        "tiktok",
        "../../evil/../x y",
        server.add("/..%2F..%2Fpwned", page),
        title="../../../etc/passwd",
    )
    [media_id] = media_to_download(db.engine, [hostile])
    report = run_downloads(
        make_config(
            tmp_path,
            db,
            paths=MEDIA_DIR,
            video=video_settings(timeout_seconds=OK_TIMEOUT, concurrency=2),
        ),
        db.engine,
    )
    assert report.downloaded == 1, report.failures
    [row] = media_rows(db.engine, [media_id])
    assert row.local_path == f"tiktok/evil_x_y_{media_id}.m4a"
    files = {
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*")
        if p.is_file() and not p.name.startswith(("polmon-test.sqlite3", "polmon.toml"))
    }
    assert files == {f"media/tiktok/evil_x_y_{media_id}.m4a"}
    assert server.hits["/..%2F..%2Fpwned"] >= 1 and server.hits["/clip.mp4"] >= 1
    assert not Path("/tmp/pwned").exists()


def test_each_failure_leaves_a_clear_status_and_the_others_proceed(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    ids = media_to_download(
        db.engine,
        [
            Download("tiktok", "1", server.add_file("/ok.mp4", MEDIA / "clip_b.mp4")),
            Download("tiktok", "2", server.url("/missing.mp4")),
            Download("tiktok", "3", server.add_file("/long.mp4", MEDIA / "clip_a.mp4")),
            Download(
                "tiktok", "4", server.add_file("/cut.mp4", MEDIA / "clip_b.mp4", mode="truncate")
            ),
            Download(
                "tiktok", "5", server.add_file("/stall.mp4", MEDIA / "clip_b.mp4", mode="stall")
            ),
            Download("tiktok", "6", server.add_file("/silent.mp4", MEDIA / "silent.mp4")),
            Download("tiktok", "7", server.add("/big.mp4", os.urandom(1_300_000), "video/mp4")),
            # a page saying the video lasts 3 s: skipped before its file is downloaded
            Download("facebook", "8", serve_video(server, "/reel/8", "8", "2024-09-01T00:00:00Z")),
        ],
    )
    config = make_config(
        tmp_path,
        db,
        paths=MEDIA_DIR,
        video=video_settings(
            timeout_seconds=STALL_TIMEOUT,
            concurrency=2,
            max_duration_seconds=2,
            max_filesize_mb=1,
            max_attempts=2,
        ),
    )
    report = run_downloads(config, db.engine)
    ok, missing, long, cut, stall, silent, big, announced = media_rows(db.engine, ids)
    assert ok.status == "downloaded"
    assert missing.status == "failed" and "unavailable (HTTP 404)" in (missing.last_error or "")
    assert long.status == "skipped" and "max_duration_seconds = 2" in (long.last_error or "")
    assert silent.status == "skipped" and "no audio track" in (silent.last_error or "")
    assert big.status == "skipped" and "max_filesize_mb = 1" in (big.last_error or "")
    assert announced.status == "skipped" and "duration 3 s" in (announced.last_error or "")
    assert server.hits["/media/8.mp4"] == 1  # yt-dlp's look at the file type, no download
    now = datetime.now(UTC)
    for row in (cut, stall):  # sizes say so: fewer bytes came than the server announced
        assert row.status == "pending" and "download cut short: got " in (row.last_error or "")
        assert row.next_attempt_at is not None and row.next_attempt_at > now
        assert row.attempts == 1
    assert (report.downloaded, report.failed, report.skipped, report.retrying) == (1, 1, 4, 2)
    leftovers = {p.name for p in (tmp_path / "media").rglob("*") if p.is_file()}
    assert leftovers == {Path(ok.local_path or "").name}
    # the retry comes after the backoff; the last allowed attempt fails for good
    with transaction(db.engine) as session:
        session.execute(
            update(Media).where(Media.id.in_([cut.id, stall.id])).values(next_attempt_at=now)
        )
    again = run_downloads(config, db.engine)
    assert again.failed == 2
    cut, stall = media_rows(db.engine, [cut.id, stall.id])
    assert (cut.status, stall.status) == ("failed", "failed")
    assert all("cut short" in (row.last_error or "") for row in (cut, stall))


def test_limit_leaves_the_rest_pending(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    url = server.add_file("/b.mp4", MEDIA / "clip_b.mp4")
    ids = media_to_download(db.engine, [Download("youtube", f"v{n}", url) for n in range(3)])
    report = run_downloads(
        make_config(
            tmp_path,
            db,
            paths=MEDIA_DIR,
            video=video_settings(timeout_seconds=OK_TIMEOUT, concurrency=3),
        ),
        db.engine,
        limit=1,
        progress=True,
    )
    assert report.handled == 1
    assert sorted(r.status for r in media_rows(db.engine, ids)) == [
        "downloaded",
        "pending",
        "pending",
    ]


def test_tiktok_download_keeps_the_videos_own_sound_not_the_music(
    db: TestDatabase, tmp_path: Path, server: LocalServer
) -> None:
    """yt-dlp's TikTok extractor lists the background music as the only audio-only format."""
    site = TikTokSite(videos(1, NEWEST))
    site.install(server)
    video_id = site.items[0].video_id
    page = f"https://www.tiktok.com/@hunmanet/video/{video_id}"
    [media_id] = media_to_download(db.engine, [Download("tiktok", video_id, page)])
    config = make_config(
        tmp_path,
        db,
        paths=MEDIA_DIR,
        video=video_settings(
            timeout_seconds=OK_TIMEOUT,
            concurrency=2,
            proxy=server.base_url,
            verify_certificates=False,
        ),
    )
    report = run_downloads(config, db.engine)
    assert report.downloaded == 1, report.failures
    [row] = media_rows(db.engine, [media_id])
    assert server.hits[f"/video/tos/{video_id}.mp4"] == 1  # the muxed video (3 s of speech)
    assert server.hits[f"/obj/music/{video_id}.m4a"] == 0  # the music (2 s) never fetched
    assert row.duration_seconds == pytest.approx(3.0, abs=0.1)
    assert Path(row.local_path or "").name == f"{video_id}_{media_id}.m4a"
