"""End to end with the media root in S3 (a real S3-compatible server on 127.0.0.1): the download
stage puts the file in the bucket, the transcription worker reads it back (tiny.en), the web
app serves it with byte ranges; nothing is left in the local staging folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import s3fs
from sqlalchemy import select

from monitor.download import run_downloads
from monitor.transcription import run_transcriptions
from storage.engine import transaction
from storage.models import KeywordHit
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config, video_settings
from tests.support.factories import Download, media_rows, media_to_download
from tests.support.local_server import LocalServer
from tests.support.s3 import S3Server, s3_server
from tests.support.transcription import SPEECH, transcription_settings
from tests.support.web import live_server, sign_in, web_client


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    with s3_server(monkeypatch) as server:
        yield server


def test_download_to_s3_then_transcribe_and_serve_from_it(
    db: TestDatabase, tmp_path: Path, s3: S3Server
) -> None:
    root = s3.new_root()
    with LocalServer() as site:
        [media_id] = media_to_download(
            db.engine,
            [
                Download(
                    "telegram",
                    "77",
                    site.add_file("/v/plain.wav", SPEECH / "plain.wav", "audio/wav"),
                    kind="voice",
                )
            ],
        )
        config = make_config(
            tmp_path,
            db,
            paths={"media_dir": "staging", "media_root": root, "media_root_options": s3.options},
            video=video_settings(timeout_seconds=5),
            transcription=transcription_settings(),
            keywords={"health": {"terms": ["hospitals"]}},
        )
        report = run_downloads(config, db.engine)
    assert report.downloaded == 1, report.failures
    [row] = media_rows(db.engine, [media_id])
    key = row.local_path or ""
    assert key.startswith("telegram/") and not key.startswith("/")
    bucket_file = f"{root.removeprefix('s3://')}/{key}"
    fs = s3fs.S3FileSystem(endpoint_url=s3.endpoint_url)
    stored = fs.cat_file(bucket_file)
    assert len(stored) == row.size_bytes
    assert not [p for p in (tmp_path / "staging").rglob("*") if p.is_file()]

    done = run_transcriptions(config, db.engine)
    assert (done.done, done.failed) == (1, 0)
    with transaction(db.engine) as session:
        terms = {hit.term for hit in session.scalars(select(KeywordHit))}
    assert terms == {"hospitals"}
    assert not [p for p in (tmp_path / "staging").rglob("*") if p.is_file()]  # copy removed

    with transaction(db.engine) as session:
        post = factories.post(session, factories.account(session, factories.actor(session, "B")))
        strays = [
            factories.media(session, post, position=n, status="done", local_path=key).id
            for n, key in enumerate(["telegram/gone.m4a", "../polmon/media/" + key])
        ]
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        for bad in strays:  # a key not in the bucket, a key climbing out of the root
            assert client.get(f"/media/{bad}").status_code == 404
        whole = client.get(f"/media/{media_id}")
        assert whole.status_code == 200 and whole.content == stored
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["content-type"].startswith("audio/")
        part = client.get(f"/media/{media_id}", headers={"range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == stored[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(stored)}"
        tail = client.get(f"/media/{media_id}", headers={"range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == stored[-10:]
        past = client.get(f"/media/{media_id}", headers={"range": f"bytes={len(stored)}-"})
        assert past.status_code == 416
        assert past.headers["content-range"] == f"bytes */{len(stored)}"
