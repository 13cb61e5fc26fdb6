"""The demo's deleted post, end to end: captures kept by the demo's passes, the screenshot
stage's rendering of its last-seen version (real Chromium), stamped by a real local TSA
(`openssl ts -reply`), exported as a WACZ an independent check accepts, verified; any byte
changed in a media file, the manifest or a token is named and fails the verify."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from sqlalchemy import select

from monitor.config import PolmonConfig, load_config
from monitor.evidence.export import export_evidence
from monitor.evidence.stamp import run_stamp
from monitor.evidence.verify import verify_wacz
from monitor.screenshots.worker import run_screenshots
from storage.engine import make_engine, transaction
from storage.models import Post
from tests.conftest import invoke
from tests.support.demo_build import demo_copy
from tests.support.tsa import LocalTsa, local_tsa, openssl_verify
from tests.support.wacz_check import check_wacz, flip_byte_in_record, rewrite, sha256

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_evidence")]


@dataclass
class Stamped:
    config: PolmonConfig
    config_path: Path
    tsa: LocalTsa
    deleted_post: int
    folder: Path


@pytest.fixture(scope="module")
def stamped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stamped]:
    folder = tmp_path_factory.mktemp("demo_evidence")
    config_path = demo_copy(folder / "demo", tmp_path_factory)
    with local_tsa(folder / "tsa") as tsa:
        text = config_path.read_text(encoding="utf-8")
        text += f'\n[evidence]\ntsa_url = "{tsa.url}"\ntsa_ca_file = "{tsa.ca_file}"\n'
        config_path.write_text(text, encoding="utf-8")
        config = load_config(config_path)
        engine = make_engine(config.database_url)
        # The deleted post's page is gone: the stage renders its last-seen version.
        shots = run_screenshots(config, engine)
        assert shots.rendered == 1, shots
        report = run_stamp(config, engine)
        assert report.problems() == [] and report.stamped == 1
        # Two pages of the channel, three audio files, the deleted post's rendering.
        assert report.leaves == 2 + 3 + 1
        with transaction(engine) as session:
            deleted = session.scalars(select(Post.id).where(Post.deleted_at.is_not(None))).one()
        engine.dispose()
        yield Stamped(config, config_path, tsa, deleted, folder)


def export(stamped: Stamped, name: str, post_id: int | None = None) -> Path:
    out = stamped.folder / name
    engine = make_engine(stamped.config.database_url)
    export_evidence(stamped.config, engine, [post_id or stamped.deleted_post], out)
    engine.dispose()
    return out


def manifest_of(path: Path) -> dict:  # type: ignore[type-arg]
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("evidence/manifest.json"))  # type: ignore[no-any-return]


def test_the_deleted_post_exports_to_a_wacz_an_independent_check_accepts(
    stamped: Stamped,
) -> None:
    path = export(stamped, "deleted.wacz")
    payloads = check_wacz(path)
    manifest = manifest_of(path)
    (post,) = manifest["posts"]
    assert post["deleted_at"] is not None and post["platform_post_id"] == "6"
    # The page it was read from, and the later page that no longer held it.
    names = sorted(f["name"] for f in manifest["files"])
    assert names[:2] == ["captures/1", "captures/2"]
    assert len(names) == 3 and names[2].startswith("screenshots/")
    for entry in manifest["files"]:
        assert sha256(payloads[entry["warc_record_id"]]) == entry["sha256"]
        assert entry["captured_at"] and entry["stamp"]
    captures = [f for f in manifest["files"] if f["kind"] == "capture"]
    assert all(entry["http_status"] == 200 for entry in captures)
    # The screenshot: a PNG with something drawn on it (not one flat colour).
    (shot,) = (f for f in manifest["files"] if f["kind"] == "screenshot")
    image = Image.open(io.BytesIO(payloads[shot["warc_record_id"]]))
    assert image.format == "PNG" and ImageStat.Stat(image.convert("L")).stddev[0] > 5
    first, later = (payloads[f["warc_record_id"]] for f in captures)
    assert b'data-post="pm_demo/6"' in first and b'data-post="pm_demo/6"' not in later
    # The token, checked by openssl alone against the test CA.
    (token,) = manifest["tokens"]
    with zipfile.ZipFile(path) as archive:
        token_file = stamped.folder / "token.tst"
        token_file.write_bytes(archive.read(token["file"]))
    checked = openssl_verify(token_file, token["merkle_root"], stamped.tsa.ca_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    findings = verify_wacz(path, stamped.tsa.ca_file)
    assert all(f.ok for f in findings), [f.line() for f in findings if not f.ok]


def test_cli_exports_the_account_with_audio_transcripts_screenshot_and_verify_passes(
    stamped: Stamped,
) -> None:
    out = stamped.folder / "account.wacz"
    made = invoke(
        stamped.config_path, "evidence", "export", "--account", "pm_demo", "--out", str(out)
    )
    assert made.exit_code == 0, made.output
    check_wacz(out)
    kinds = sorted({f["kind"] for f in manifest_of(out)["files"]})
    assert kinds == ["capture", "media", "screenshot", "transcript"]
    transcript = next(f for f in manifest_of(out)["files"] if f["kind"] == "transcript")
    payload = json.loads(check_wacz(out)[transcript["warc_record_id"]])
    assert payload["text"] and payload["segments"][0]["end"] > payload["segments"][0]["start"]
    checked = invoke(None, "evidence", "verify", str(out), "--ca-file", str(stamped.tsa.ca_file))
    assert checked.exit_code == 0, checked.output
    assert "FAILED" not in checked.output
    lines = checked.output.splitlines()
    assert any(line.startswith("OK media/") for line in lines)
    assert any(line.startswith("OK token ") for line in lines)


@pytest.mark.parametrize("forger_fixes_datapackage", [True, False])
def test_one_byte_changed_in_a_media_file_is_named(
    stamped: Stamped, forger_fixes_datapackage: bool
) -> None:
    path = export(stamped, f"media-{forger_fixes_datapackage}.wacz", post_id=_video_post(stamped))
    media = next(f for f in manifest_of(path)["files"] if f["kind"] == "media")
    rewrite(path, "archive/data.warc.gz", flip_byte_in_record(media["warc_record_id"]),
            fix_package=forger_fixes_datapackage)  # fmt: skip
    result = invoke(None, "evidence", "verify", str(path), "--ca-file", str(stamped.tsa.ca_file))
    assert result.exit_code == 1
    assert f"FAILED {media['name']}: altered" in result.output
    assert ("FAILED archive/data.warc.gz" in result.output) is not forger_fixes_datapackage


def test_a_manifest_rewritten_to_match_the_altered_file_breaks_the_proof(
    stamped: Stamped,
) -> None:
    path = export(stamped, "manifest.wacz", post_id=_video_post(stamped))
    media = next(f for f in manifest_of(path)["files"] if f["kind"] == "media")
    rewrite(path, "archive/data.warc.gz", flip_byte_in_record(media["warc_record_id"]))

    def match_the_forgery(data: bytes) -> bytes:
        manifest = json.loads(data)
        with zipfile.ZipFile(path) as archive:
            payloads = check_wacz_payloads(archive)
        for entry in manifest["files"]:
            entry["sha256"] = sha256(payloads[entry["warc_record_id"]])
        return json.dumps(manifest).encode()

    rewrite(path, "evidence/manifest.json", match_the_forgery)
    result = invoke(None, "evidence", "verify", str(path), "--ca-file", str(stamped.tsa.ca_file))
    assert result.exit_code == 1
    assert f"FAILED {media['name']}: altered: its sha256 is not the one token" in result.output


def test_one_byte_changed_in_the_manifest_or_a_token_is_named(stamped: Stamped) -> None:
    path = export(stamped, "bytes.wacz")
    rewrite(path, "evidence/manifest.json", lambda data: data.replace(b'"size"', b'"sizE"', 1),
            fix_package=False)  # fmt: skip
    result = invoke(None, "evidence", "verify", str(path), "--ca-file", str(stamped.tsa.ca_file))
    assert result.exit_code == 1
    assert "FAILED evidence/manifest.json: altered" in result.output

    path = export(stamped, "token.wacz")
    token = manifest_of(path)["tokens"][0]

    def flip(data: bytes) -> bytes:
        return data[:-40] + bytes([data[-40] ^ 1]) + data[-39:]

    rewrite(path, token["file"], flip)
    result = invoke(None, "evidence", "verify", str(path), "--ca-file", str(stamped.tsa.ca_file))
    assert result.exit_code == 1
    assert f"FAILED token {token['id']}: altered or untrusted" in result.output
    assert "FAILED captures/1: its token" in result.output


def test_a_token_of_another_ca_is_refused(stamped: Stamped, tmp_path: Path) -> None:
    path = export(stamped, "other-ca.wacz")
    with local_tsa(tmp_path / "other") as other:
        result = invoke(None, "evidence", "verify", str(path), "--ca-file", str(other.ca_file))
    assert result.exit_code == 1
    assert "not issued by the trusted CA" in result.output


def _video_post(stamped: Stamped) -> int:
    engine = make_engine(stamped.config.database_url)
    with transaction(engine) as session:
        found = session.scalars(select(Post.id).where(Post.platform_post_id == "4")).one()
    engine.dispose()
    return found


def check_wacz_payloads(archive: zipfile.ZipFile) -> dict[str, bytes]:
    import io

    from warcio.archiveiterator import ArchiveIterator

    return {
        r.rec_headers.get_header("WARC-Record-ID"): r.raw_stream.read()
        for r in ArchiveIterator(io.BytesIO(archive.read("archive/data.warc.gz")))
    }


def test_the_docs_steps_without_polmon_pass_on_an_export(stamped: Stamped) -> None:
    """docs/evidence.md's commands, run as written in the unzipped archive."""
    import re
    import subprocess
    import sys

    path = export(stamped, "docs.wacz")
    folder = stamped.folder / "unzipped"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    doc = (Path(__file__).resolve().parents[3] / "docs" / "evidence.md").read_text()
    one_liner = re.search(r"^(python3 -c .*)$", doc, flags=re.M)
    snippet = re.search(r"```python\n(.*?)```", doc, flags=re.S)
    assert one_liner and snippet
    command = one_liner.group(1).replace("python3", sys.executable, 1)
    run = {"cwd": folder, "capture_output": True, "text": True, "check": True}
    package = subprocess.run(command, shell=True, **run)  # type: ignore[call-overload]
    proofs = subprocess.run([sys.executable, "-c", snippet.group(1)], **run)  # type: ignore[call-overload]
    for output in (package.stdout, proofs.stdout):
        lines = output.splitlines()
        assert lines and all(line.startswith("OK ") for line in lines), output
    manifest = manifest_of(path)
    token = manifest["tokens"][0]
    checked = openssl_verify(folder / token["file"], token["merkle_root"], stamped.tsa.ca_file)
    assert checked.returncode == 0
