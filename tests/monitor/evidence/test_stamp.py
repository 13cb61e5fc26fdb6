"""`polmon evidence stamp` on both engines: one Merkle batch of what is new, its manifest
kept without a TSA, stamped by a real local TSA (checked by openssl too), retried after the
TSA failed; media files and captures alike."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from collectors.records import RawCapture
from monitor.evidence.merkle import root_of
from monitor.evidence.stamp import run_stamp
from storage.captures import store_captures
from storage.engine import transaction
from storage.evidence_store import EvidenceStore
from storage.models import EvidenceLeaf, TimestampToken
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config, write_config
from tests.support.smtp_server import closed_port
from tests.support.tsa import local_tsa, openssl_verify

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def seed(db: TestDatabase, root: Path, pages: int = 3) -> str:
    """Captures of `pages` pages and one downloaded video; the video's sha256."""
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40
    sha = hashlib.sha256(video).hexdigest()
    root.parent.mkdir(parents=True, exist_ok=True)
    (root.parent / "clip.mp4").write_bytes(video)
    with transaction(db.engine) as session:
        account = factories.account(session, factories.actor(session, "PM"))
        captures = [
            RawCapture(f"https://t.me/s/pm?before={i}", T0 + timedelta(minutes=i), b"page %d" % i)
            for i in range(pages)
        ]
        store_captures(session, EvidenceStore(root), account.id, captures)
        post = factories.post(session, account, "a video")
        clip = str(root.parent / "clip.mp4")
        factories.media(
            session, post, status="done", sha256=sha, local_path=clip, size_bytes=len(video)
        )
    return sha


def batches(db: TestDatabase) -> list[TimestampToken]:
    with transaction(db.engine) as session:
        rows = list(session.scalars(select(TimestampToken).order_by(TimestampToken.id)))
        session.expunge_all()
    return rows


def test_without_a_tsa_the_hashes_and_manifest_are_kept_then_a_tsa_stamps_them(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, db)
    video_sha = seed(db, config.evidence_root)
    report = run_stamp(config, db.engine)
    assert (report.leaves, report.batches, report.stamped) == (4, 1, 0)
    (batch,) = batches(db)
    assert batch.token is None and batch.error is None and batch.manifest_key
    manifest = json.loads(EvidenceStore(config.evidence_root).read(batch.manifest_key))
    assert manifest["merkle_root"] == batch.merkle_root
    assert [leaf["kind"] for leaf in manifest["leaves"]] == ["capture"] * 3 + ["media"]
    assert manifest["leaves"][3]["sha256"] == video_sha
    for leaf in manifest["leaves"]:
        assert root_of(leaf["sha256"], leaf["proof"]) == batch.merkle_root
    with transaction(db.engine) as session:
        proofs = [(leaf.sha256, leaf.proof) for leaf in session.scalars(select(EvidenceLeaf))]
    assert all(root_of(sha, (proof or {})["path"]) == batch.merkle_root for sha, proof in proofs)

    # Nothing new: no batch.
    assert run_stamp(config, db.engine).batches == 0

    with local_tsa(tmp_path / "tsa") as tsa:
        stamped = make_config(
            tmp_path, db, evidence={"tsa_url": tsa.url, "tsa_ca_file": str(tsa.ca_file)}
        )
        report = run_stamp(stamped, db.engine)
        assert (report.batches, report.stamped, report.problems()) == (0, 1, [])
        assert run_stamp(stamped, db.engine).stamped == 0  # stamped once
        assert tsa.answered == 1
    (batch,) = batches(db)
    assert batch.token and batch.gen_time and batch.tsa_url == tsa.url
    token = tmp_path / "token.tst"
    token.write_bytes(batch.token)
    checked = openssl_verify(token, batch.merkle_root, tsa.ca_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_tsa_that_cannot_be_reached_fails_the_command_and_the_next_run_stamps(
    db: TestDatabase, tmp_path: Path
) -> None:
    seed(db, make_config(tmp_path, db).evidence_root, pages=1)
    with closed_port() as port:
        path = write_config(tmp_path, db, evidence={"tsa_url": f"http://127.0.0.1:{port}/tsr"})
        result = invoke(path, "evidence", "stamp")
    assert result.exit_code == 1
    assert "leaves 2, batches 1, stamped 0" in result.stdout
    assert "not stamped: batch 1: TSA http://127.0.0.1:" in result.stderr
    (batch,) = batches(db)
    assert batch.token is None and batch.error and "ConnectError" in batch.error
    with local_tsa(tmp_path / "tsa") as tsa:
        path = write_config(tmp_path, db, evidence={"tsa_url": tsa.url})
        result = invoke(path, "evidence", "stamp")
    assert result.exit_code == 0, result.output
    assert "leaves 0, batches 0, stamped 1" in result.stdout
    assert batches(db)[0].token is not None
