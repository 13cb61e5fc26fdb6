"""`/media/<id>`: files by media id only, HTTP Range for seeking, nothing outside the media dir."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.queries.media import MediaOutsideFolder, content_type, inside
from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.config import make_config
from tests.support.web import live_server, sign_in, web_client

BODY = bytes(range(256)) * 4  # 1024 bytes, each position recognisable


@dataclass
class Served:
    client: httpx.Client
    ids: dict[str, int]


@pytest.fixture
def served(db: TestDatabase, tmp_path: Path) -> Iterator[Served]:
    config = make_config(tmp_path, db)
    media_dir = config.media_dir
    (media_dir / "telegram").mkdir(parents=True)
    (media_dir / "telegram" / "1_1.m4a").write_bytes(BODY)
    (media_dir / "telegram" / "2_2.mp4").write_bytes(BODY[:100])
    (media_dir / "page.html").write_bytes(b"<script>alert(1)</script>")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the media folder")
    (media_dir / "link.m4a").symlink_to(secret)
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"))
        post = factories.post(session, owner, kind="video")

        def row(position: int, **fields: Any) -> int:
            return factories.media(session, post, position=position, status="done", **fields).id

        ids = {
            "absolute": row(
                0, local_path=str(media_dir / "telegram" / "1_1.m4a"), mime_type="audio/mp4"
            ),
            "relative": row(1, local_path="telegram/2_2.mp4"),
            "copy": 0,
            "dotdot": row(3, local_path="telegram/../../secret.txt", mime_type="audio/mp4"),
            "outside": row(4, local_path=str(secret), mime_type="audio/mp4"),
            "symlink": row(5, local_path="link.m4a", mime_type="audio/mp4"),
            "html": row(6, local_path="page.html", mime_type="text/html"),
            "missing": row(7, local_path="telegram/gone.m4a", mime_type="audio/mp4"),
            "pending": row(8),
        }
        ids["copy"] = row(2, duplicate_of_id=ids["absolute"])
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        sign_in(server, client)
        yield Served(client, ids)


def test_the_whole_file_with_its_type_and_accept_ranges(served: Served) -> None:
    response = served.client.get(f"/media/{served.ids['absolute']}")
    assert response.status_code == 200
    assert response.content == BODY
    assert response.headers["content-type"] == "audio/mp4"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(BODY))
    relative = served.client.get(f"/media/{served.ids['relative']}")
    assert relative.status_code == 200 and relative.content == BODY[:100]
    assert relative.headers["content-type"] == "video/mp4"  # from the suffix: none stored


@pytest.mark.parametrize(
    ("asked", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=500-611", 500, 611),
        ("bytes=-100", 924, 1023),
        ("bytes=1000-", 1000, 1023),
    ],
)
def test_ranges_answer_206_with_exactly_those_bytes(
    served: Served, asked: str, start: int, end: int
) -> None:
    response = served.client.get(f"/media/{served.ids['absolute']}", headers={"range": asked})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {start}-{end}/{len(BODY)}"
    assert response.content == BODY[start : end + 1]
    assert response.headers["content-type"] == "audio/mp4"


def test_a_range_past_the_end_is_416(served: Served) -> None:
    response = served.client.get(
        f"/media/{served.ids['absolute']}", headers={"range": f"bytes={len(BODY)}-{len(BODY) + 50}"}
    )
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(BODY)}"


def test_a_copy_serves_its_originals_file(served: Served) -> None:
    response = served.client.get(f"/media/{served.ids['copy']}", headers={"range": "bytes=10-19"})
    assert response.status_code == 206 and response.content == BODY[10:20]


@pytest.mark.parametrize("which", ["dotdot", "outside", "symlink", "missing", "pending"])
def test_paths_outside_the_media_folder_and_missing_files_are_not_served(
    served: Served, which: str
) -> None:
    response = served.client.get(f"/media/{served.ids[which]}")
    assert response.status_code == 404
    assert b"outside the media folder" not in response.content


def test_unknown_ids_and_request_paths_never_reach_the_disk(served: Served) -> None:
    assert served.client.get("/media/999999").status_code == 404
    assert served.client.get("/media/0").status_code == 422
    assert served.client.get("/media/..%2Fsecret.txt").status_code in (404, 422)
    assert served.client.get("/media/1/../../secret.txt").status_code == 404


def test_a_file_stored_as_html_is_never_served_as_html(served: Served) -> None:
    response = served.client.get(f"/media/{served.ids['html']}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_path_resolution_stays_inside(tmp_path: Path) -> None:
    folder = tmp_path / "media"
    (folder / "a").mkdir(parents=True)
    assert inside(folder, "a/x.m4a") == (folder / "a" / "x.m4a").resolve()
    assert inside(folder, str(folder / "a" / "x.m4a")) == (folder / "a" / "x.m4a").resolve()
    for escaping in ("../x", "a/../../x", "/etc/passwd", str(tmp_path / "mediax" / "f")):
        with pytest.raises(MediaOutsideFolder):
            inside(folder, escaping)
    (folder / "etc").symlink_to("/etc")
    with pytest.raises(MediaOutsideFolder):
        inside(folder, "etc/passwd")
    assert content_type(None, Path("x.webm")) == "video/webm"
    assert content_type("AUDIO/OGG", Path("x.bin")) == "audio/ogg"
    assert content_type("image/jpeg", Path("x.jpg")) == "image/jpeg"
    assert content_type("image/svg+xml", Path("x.svg")) == "application/octet-stream"
    assert content_type(None, Path("x.exe")) == "application/octet-stream"
