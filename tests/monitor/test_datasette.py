"""`polmon datasette`: metadata naming real tables, views and full-text tables of a migrated DB."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from monitor.datasette import SENSITIVE
from monitor.ocr.reader import ImageReading
from storage.engine import transaction
from storage.ocr import save_image_text
from tests.conftest import REPO_ROOT, TestDatabase, invoke
from tests.support import factories
from tests.support.config import write_config


def _metadata(db: TestDatabase, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    result = invoke(write_config(tmp_path, db), "datasette")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    (name,) = document["databases"]
    return name, document["databases"][name]


def _objects(conn: Connection) -> dict[str, str]:
    rows = conn.execute(
        text("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
    )
    return {name: kind for name, kind in rows if not name.startswith("sqlite_")}


def _columns(conn: Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(text(f'PRAGMA table_info("{table}")'))}


def test_every_table_and_view_is_described_or_hidden(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    name, database = _metadata(sqlite_db, tmp_path)
    assert name == Path(sqlite_db.url.removeprefix("sqlite:///")).stem  # Datasette's name
    tables = database["tables"]
    with sqlite_db.engine.connect() as conn:
        objects = _objects(conn)
        assert set(tables) == set(objects)  # nothing named that is missing, nothing left out
        for table, entry in tables.items():
            if entry.get("hidden"):
                continue
            assert entry["title"] and entry["description"], table
            columns = _columns(conn, table)
            assert set(entry.get("facets", [])) <= columns, table
            if "sort_desc" in entry:
                assert entry["sort_desc"] in columns, table
    schema = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^##+ (v_\w+|[a-z_]+)$", schema, re.M))
    assert documented <= {t for t, e in tables.items() if not e.get("hidden")} | set(SENSITIVE)
    assert {t for t, kind in objects.items() if kind == "view"} <= documented


def test_search_boxes_use_the_full_text_tables(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    with transaction(sqlite_db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Kem Sokha"), "tiktok", "@ks")
        factories.post(session, owner, "ពួកគេនឹងចាប់ខ្លួនគាត់ and arrest him")
        factories.post(session, owner, "nothing to see")
        video = factories.post(session, owner, "clip", kind="video")
        factories.transcript(session, video, [(0.0, "they will arrest us"), (4.0, "calm")])
        photo = factories.media(
            session, factories.post(session, owner, "", kind="photo"), kind="photo", status="done"
        )
        reading = ImageReading("tesseract", "eng", "DECREE: ARREST THEM", 0.9, 3, (), 10, 10, 0.1)
        save_image_text(session, photo.id, reading)
    _name, database = _metadata(sqlite_db, tmp_path)
    searchable = {t: e for t, e in database["tables"].items() if "fts_table" in e}
    assert set(searchable) == {"posts", "transcript_segments", "image_texts"}
    expected = {
        "posts": ["ពួកគេនឹងចាប់ខ្លួនគាត់ and arrest him"],
        "transcript_segments": ["they will arrest us"],
        "image_texts": ["DECREE: ARREST THEM"],
    }
    with sqlite_db.engine.connect() as conn:
        virtual = dict(
            conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
        )
        for table, entry in searchable.items():
            assert re.search(r"USING fts5\(", virtual[entry["fts_table"]]), entry["fts_table"]
            assert entry["fts_pk"] in _columns(conn, table)
            assert database["tables"][entry["fts_table"]] == {"hidden": True}
            # What Datasette runs for ?_search=: the table's rows whose key the index matches.
            found = conn.execute(
                text(
                    f"SELECT text FROM {table} WHERE {entry['fts_pk']} IN (SELECT rowid FROM "
                    f"{entry['fts_table']} WHERE {entry['fts_table']} MATCH :q)"
                ),
                {"q": '"arrest"'},
            ).scalars()
            assert [value for value in found if value] == expected[table]
        queries = database["queries"]
        khmer = conn.execute(text(queries["search_posts"]["sql"]), {"text": "ចាប់ខ្លួន"}).all()
        assert [(row.actor, row.platform) for row in khmer] == [("Kem Sokha", "tiktok")]
        spoken = conn.execute(text(queries["search_transcripts"]["sql"]), {"text": "will arr"})
        assert [(row.text, row.start_seconds) for row in spoken] == [("they will arrest us", 0.0)]
        hostile = conn.execute(text(queries["search_posts"]["sql"]), {"text": 'a" OR "b'})
        assert hostile.all() == []  # quotes in the text stay inside the phrase
        assert all(entry["title"] and entry["description"] for entry in queries.values())


def test_output_file_name_override_and_postgres(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, sqlite_db)
    target = tmp_path / "metadata.json"
    result = invoke(config, "datasette", "--output", str(target), "--database-name", "desk")
    assert result.exit_code == 0, result.output
    assert list(json.loads(target.read_text(encoding="utf-8"))["databases"]) == ["desk"]
    pg = tmp_path / "pg"
    pg.mkdir()
    body = '[database]\nurl = "postgresql+psycopg://polmon@127.0.0.1/polmon"\n'
    result = invoke(write_config(pg, None, body), "datasette")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: Datasette reads SQLite files; the configured database is postgresql "
        "(give --database-name to name a SQLite copy)"
    ]


def test_documented_in_cli_md() -> None:
    doc = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = doc.split("\n## polmon datasette\n", 1)[1].split("\n## ", 1)[0]
    for option in ("--output", "--database-name", "-m metadata.json"):
        assert option in section
