"""`polmon evidence export` on both engines: a post's versions with their captures, its media
file and transcript, stamped by a real local TSA; verify passes; a file altered on disk stops
the export; the selections and their errors."""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import s3fs
from sqlalchemy import update

from collectors.records import RawCapture
from storage.captures import store_captures
from storage.engine import transaction
from storage.evidence_store import EvidenceStore
from storage.models import Media, PostVersion
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config, write_config
from tests.support.s3 import s3_server
from tests.support.tsa import local_tsa
from tests.support.wacz_check import check_wacz

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
AUDIO = b"ID3" + bytes(range(256)) * 64
PAGE = RawCapture(
    "https://t.me/s/pm",
    T0,
    b"<html>the speech</html>",
    status=200,
    headers=(("content-encoding", "gzip"), ("content-type", "text/html")),
    content_type="text/html",
)


def seed(db: TestDatabase, tmp_path: Path) -> int:
    """A post with a version read from a page, a downloaded audio with a transcript, a hit."""
    config = make_config(tmp_path, db)
    config.media_dir.mkdir(parents=True)
    (config.media_dir / "a.m4a").write_bytes(AUDIO)
    with transaction(db.engine) as session:
        account = factories.account(session, factories.actor(session, "PM"), handle="pm")
        post = factories.post(session, account, "the speech", post_id="7")
        version = factories.version(session, post, "the speech", T0)
        ids = store_captures(session, EvidenceStore(config.evidence_root), account.id, [PAGE])
        version_link = update(PostVersion).where(PostVersion.id == version.id)
        session.execute(version_link.values(capture_id=next(iter(ids.values()))))
        spoken = factories.transcript(session, post, [(0.0, "we will arrest"), (5.0, "them")])
        session.execute(
            update(Media).where(Media.id == spoken.media_id).values(
                local_path="a.m4a", sha256=hashlib.sha256(AUDIO).hexdigest(),
                size_bytes=len(AUDIO), mime_type="audio/mp4",
            )
        )  # fmt: skip
        factories.hit(session, post, "threats", "arrest")
        return post.id


def manifest_of(path: Path) -> dict:  # type: ignore[type-arg]
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("evidence/manifest.json"))  # type: ignore[no-any-return]


def test_a_stamped_post_exports_with_its_capture_media_and_transcript(
    db: TestDatabase, tmp_path: Path
) -> None:
    post_id = seed(db, tmp_path)
    with local_tsa(tmp_path / "tsa") as tsa:
        path = write_config(
            tmp_path, db, evidence={"tsa_url": tsa.url, "tsa_ca_file": str(tsa.ca_file)}
        )
        assert invoke(path, "evidence", "stamp").exit_code == 0
    out = tmp_path / "post.wacz"
    result = invoke(path, "evidence", "export", str(post_id), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 post(s), 3 file(s), 2 timestamped" in result.stdout
    payloads = check_wacz(out)
    manifest = manifest_of(out)
    by_kind = {f["kind"]: f for f in manifest["files"]}
    assert payloads[by_kind["capture"]["warc_record_id"]] == PAGE.content
    assert payloads[by_kind["media"]["warc_record_id"]] == AUDIO
    transcript = json.loads(payloads[by_kind["transcript"]["warc_record_id"]])
    assert [s["text"] for s in transcript["segments"]] == ["we will arrest", "them"]
    assert by_kind["transcript"]["stamp"] is None  # derived text: not timestamped
    assert manifest["posts"][0]["versions"][0]["capture_id"] == by_kind["capture"]["id"]
    verified = invoke(None, "evidence", "verify", str(out))  # the bundled CA
    assert verified.exit_code == 0, verified.output
    assert "OK trusted CA: evidence/tsa-ca.pem (bundled" in verified.output
    assert "OK transcripts/" in verified.output and "not timestamped" in verified.output

    # --hits and --account select the same post.
    for selection in (["--hits", "THREATS"], ["--account", "pm"]):
        again = tmp_path / "again.wacz"
        result = invoke(path, "evidence", "export", *selection, "--out", str(again))
        assert result.exit_code == 0, result.output
        assert [p["post_id"] for p in manifest_of(again)["posts"]] == [post_id]


def test_a_capture_altered_on_disk_stops_the_export(db: TestDatabase, tmp_path: Path) -> None:
    post_id = seed(db, tmp_path)
    path = write_config(tmp_path, db)
    stored = make_config(tmp_path, db).evidence_root / EvidenceStore.key_for(PAGE.sha256)
    stored.chmod(0o644)
    stored.write_bytes(gzip.compress(b"<html>another speech</html>"))
    out = tmp_path / "post.wacz"
    result = invoke(path, "evidence", "export", str(post_id), "--out", str(out))
    assert result.exit_code == 1
    assert "captures/1: the stored file's sha256" in result.output
    assert "altered on disk" in result.output
    assert not out.exists()


def test_selections_are_checked(db: TestDatabase, tmp_path: Path) -> None:
    seed(db, tmp_path)
    path = write_config(tmp_path, db)
    out = str(tmp_path / "x.wacz")
    both = invoke(path, "evidence", "export", "1", "--account", "pm", "--out", out)
    assert both.exit_code == 2 and "exactly one of POST_ID" in both.output
    missing = invoke(path, "evidence", "export", "999", "--out", out)
    assert missing.exit_code != 0 and "no post matches" in missing.output
    unknown = invoke(path, "evidence", "export", "--hits", "nope", "--out", out)
    assert unknown.exit_code != 0 and "no keyword group named 'nope'" in unknown.output


def test_the_media_file_is_read_from_an_s3_media_root(
    db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_id = seed(db, tmp_path)
    with s3_server(monkeypatch) as s3:
        root = s3.new_root()
        s3fs.S3FileSystem(endpoint_url=s3.endpoint_url).pipe_file(
            f"{root.removeprefix('s3://')}/a.m4a", AUDIO
        )
        (make_config(tmp_path, db).media_dir / "a.m4a").unlink()  # only the bucket has it
        path = write_config(
            tmp_path, db, paths={"media_root": root, "media_root_options": s3.options}
        )
        out = tmp_path / "post.wacz"
        result = invoke(path, "evidence", "export", str(post_id), "--out", str(out))
    assert result.exit_code == 0, result.output
    by_kind = {f["kind"]: f for f in manifest_of(out)["files"]}
    assert check_wacz(out)[by_kind["media"]["warc_record_id"]] == AUDIO
