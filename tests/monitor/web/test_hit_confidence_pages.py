"""The web app shows how sure each keyword hit is, marks approximate ones, and filters on it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx

from tests.conftest import TestDatabase
from tests.monitor.test_hit_confidence import KEYWORDS, build
from tests.support.config import make_config
from tests.support.web import live_server, sign_in


def test_hits_pages_post_page_and_exports(db: TestDatabase, tmp_path: Path) -> None:
    world = build(db)
    config = make_config(tmp_path, db, KEYWORDS)
    with (
        live_server(config, db.engine) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        sign_in(server, client)

        def api(**params: str) -> list[str]:
            response = client.get("/api/hits", params=params)
            assert response.status_code == 200, response.text
            return sorted(row["term"] for row in response.json())

        assert api() == ["arrest", "arrest", "beat", "traitor"]
        assert api(min_confidence="0.5") == ["arrest", "arrest", "beat"]
        assert api(min_confidence="50%", approximate="exclude") == ["arrest", "arrest"]
        beat = next(r for r in client.get("/api/hits").json() if r["term"] == "beat")
        assert (beat["confidence"], beat["approximate"]) == (0.82, True)
        for bad in ({"min_confidence": "lots"}, {"min_confidence": "-1"}, {"approximate": "x"}):
            assert client.get("/api/hits", params=bad).status_code == 400
        trends = client.get("/api/hits/trends", params={"min_confidence": "0.9"}).json()
        assert [row["hits"] for row in trends] == [2]

        page = client.get("/hits").text
        assert page.count('class="hit hit-approximate"') == 1
        assert "≈ approximate" in page and "low confidence 41%" in page
        assert "<script>document" not in page and "&lt;script&gt;" in page
        filtered = client.get("/hits", params={"min_confidence": "0.5"}).text
        assert "low confidence 41%" not in filtered
        assert 'name="min_confidence" value="0.5"' in filtered

        export = client.get("/hits", params={"approximate": "exclude", "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert sorted((r["term"], r["confidence"], r["approximate"]) for r in rows) == [
            ("arrest", "", "no"),
            ("arrest", "0.93", "no"),
            ("traitor", "0.41", "no"),
        ]

        post = client.get(f"/posts/{world.video}").text
        assert 'class="hit hit-approximate"' in post
        assert "≈ approximate" in post and "confidence 93%" in post
        assert "<script>document" not in post
        twin = client.get(f"/api/posts/{world.video}").json()
        assert sorted((h["term"], h["approximate"]) for h in twin["hits"]) == [
            ("arrest", False),
            ("beat", True),
            ("traitor", False),
        ]
        text_page = client.get(f"/posts/{world.text_post}").text
        assert "in the post&#39;s text" in text_page or "in the post's text" in text_page
