"""`/status` and `/api/status`: failing accounts and why, job runs, backlog, media on disk."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import update

from storage.engine import transaction
from storage.models import Media
from tests.conftest import TestDatabase
from tests.support import factories, growth_pages
from tests.support.config import make_config
from tests.support.web import live_server, sign_in, web_client


def test_status_page_and_api(db: TestDatabase, tmp_path: Path) -> None:
    with transaction(db.engine) as session:
        ids = growth_pages.build(session)
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        api = client.get("/api/status").json()
        page = client.get("/status")
        exported = client.get("/status", params={"format": "csv"})
    assert [row["handle"] for row in api["failing_accounts"]] == ["kemsokha"]
    failing = api["failing_accounts"][0]
    assert failing["account_id"] == ids.kem_sokha_telegram
    assert failing["failures_in_a_row"] == 2 and failing["error"] == "HTTP 429 from t.me"
    assert [(r["job"], r["status"]) for r in api["recent_job_runs"]] == [
        ("collect", "failed"),
        ("collect", "ok"),
    ]
    assert api["media_disk"] == {"files": 1, "bytes": 3 * 1024 * 1024}
    assert {row["stage"] for row in api["queue_backlog"]} >= {"download"}
    assert all(set(row) == {"stage", "needs", "ready"} for row in api["capability_backlog"])
    assert page.status_code == 200
    assert 'id="capability-backlog"' in page.text
    assert "HTTP 429 from t.me" in page.text and "2 accounts failed" in page.text
    assert "3.0 MiB" in page.text
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["handle"], r["failures_in_a_row"]) for r in rows] == [("kemsokha", "2")]


def test_a_handed_on_row_is_ready_under_its_detected_languages_needs(
    db: TestDatabase, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.m4a"
    clip.write_bytes(b"")  # never read: only counted
    factories.downloaded_media(db.engine, [clip])  # its post has no language
    with transaction(db.engine) as session:
        session.execute(update(Media).values(detected_language="km"))
    config = make_config(
        tmp_path,
        db,
        transcription={"language_models": {"km": "khmer-ct2"}, "language_needs": {"km": ["gpu"]}},
    )
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        api = client.get("/api/status").json()
        page = client.get("/status")
    assert api["capability_backlog"] == [{"stage": "transcribe", "needs": "gpu,km", "ready": 1}]
    assert "<td>transcribe</td><td>gpu,km</td>" in page.text
