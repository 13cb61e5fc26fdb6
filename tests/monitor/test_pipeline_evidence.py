"""A collection pass keeps the t.me pages it read as captures (`[evidence] capture`), once per
response, the files content-addressed, each version linked to its page; on both engines."""

from __future__ import annotations

import gzip
import hashlib
from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import Capture, Post, PostVersion
from tests.conftest import TestDatabase
from tests.support.config import actors_toml, make_config
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SitePost, TelegramSite, channel_with_posts


def files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "captures").rglob("*.gz")) if root.exists() else []


def captures(db: TestDatabase) -> list[tuple[str, str, int | None, str]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(Capture.url, Capture.sha256, Capture.http_status, Capture.storage_key).order_by(
                Capture.id
            )
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def unlinked_versions(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(PostVersion)
                .where(PostVersion.capture_id.is_(None))
            )
            or 0
        )


def test_every_page_is_kept_once_and_each_version_points_at_its_page(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(channel_with_posts("official", 45, first_id=100))
    config = make_config(
        tmp_path, db, actors_toml(["official"]), telegram=scenario_telegram(httpserver.url_for("/"))
    )
    root = config.evidence_root
    assert config.evidence.capture == "all"  # the default
    run_collect(config, db.engine, platform="telegram")
    first = captures(db)
    assert [url.rsplit("/", 1)[1] for url, *_ in first] == [
        "official", "official?before=125", "official?before=105",
    ]  # fmt: skip
    assert all(status == 200 for _u, _s, status, _k in first)
    stored = files(root)
    assert len(stored) == 3
    for _url, sha, _status, key in first:
        assert key == f"captures/{sha[:2]}/{sha[2:]}.gz"
        body = gzip.decompress((root / key).read_bytes())
        assert hashlib.sha256(body).hexdigest() == sha
        assert b"tgme_widget_message" in body
    assert unlinked_versions(db) == 0
    with transaction(db.engine) as session:
        version_page = dict(
            session.execute(
                select(Post.platform_post_id, Capture.url)
                .join(PostVersion, PostVersion.post_id == Post.id)
                .join(Capture, Capture.id == PostVersion.capture_id)
            ).all()
        )
    assert version_page["144"].endswith("/s/official")  # the newest twenty: the first page
    assert version_page["120"].endswith("?before=125")
    assert version_page["100"].endswith("?before=105")

    # The same pages again: new responses (rows), no new file.
    before = {path: path.stat().st_mtime_ns for path in stored}
    run_collect(config, db.engine, platform="telegram")
    again = captures(db)
    assert len(again) == 6 and {s for _u, s, _t, _k in again} == {s for _u, s, _t, _k in first}
    assert {path: path.stat().st_mtime_ns for path in files(root)} == before

    # An edit: the first page changes, one new file; the new version points at it.
    channel.posts[140].text = "post 140, corrected"
    channel.posts[140].edited = True
    run_collect(config, db.engine, platform="telegram")
    assert len(files(root)) == 4
    with transaction(db.engine) as session:
        edited = session.execute(
            select(Capture.sha256)
            .join(PostVersion, PostVersion.capture_id == Capture.id)
            .join(Post, Post.id == PostVersion.post_id)
            .where(Post.platform_post_id == "140")
            .order_by(PostVersion.id)
        ).all()
    assert len(edited) == 2 and edited[0] != edited[1]


def test_hits_keeps_only_pages_with_a_hit_an_edit_or_a_deletion(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(channel_with_posts("official", 45, first_id=100))
    channel.posts[110].text = "a speech about the border"
    body = actors_toml(["official"]) + '[keywords.border]\nterms = ["border"]\n'
    config = make_config(
        tmp_path,
        db,
        body,
        telegram=scenario_telegram(httpserver.url_for("/")),
        evidence={"capture": "hits"},
    )
    run_collect(config, db.engine, platform="telegram")
    kept = captures(db)
    assert [url.rsplit("/", 1)[1] for url, *_ in kept] == ["official?before=125"]  # post 110
    assert unlinked_versions(db) == 25  # the twenty versions read from that page are linked

    run_collect(config, db.engine, platform="telegram")  # nothing changed: nothing kept
    assert len(captures(db)) == 1

    del channel.posts[130]  # a deletion: the listing that no longer holds it is kept
    channel.add(SitePost(150, NOW - timedelta(minutes=5), text="new"))
    run_collect(config, db.engine, platform="telegram")
    urls = [url.rsplit("/", 1)[1] for url, *_ in captures(db)]
    assert urls[0] == "official?before=125" and "official" in urls[1:]


def test_none_keeps_nothing_and_an_account_may_differ_from_the_default(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site.add(channel_with_posts("quiet", 3))
    site.add(channel_with_posts("loud", 3))
    body = actors_toml(["quiet", "loud"]).replace(
        'handle = "loud"', 'handle = "loud"\nevidence = "all"'
    )
    config = make_config(
        tmp_path,
        db,
        body,
        telegram=scenario_telegram(httpserver.url_for("/")),
        evidence={"capture": "none"},
    )
    run_collect(config, db.engine, platform="telegram")
    assert [url.rsplit("/", 1)[1] for url, *_ in captures(db)] == ["loud"]
    assert unlinked_versions(db) == 3
