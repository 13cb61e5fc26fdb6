"""Multi-pass Telegram collection through the real pipeline with the Telethon backend, its client
the stand-in serving real `telethon.tl.types` (new posts, an edit, a deletion, growth, a rename
followed by id, the config taking up the new name, the files through Telethon), on both engines."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

from telethon.tl import types

from collectors.telegram.collector import TelegramCollector
from collectors.telegram.telethon_backend import TelethonBackend
from collectors.telegram.telethon_media import TelethonMedia
from monitor.config import PolmonConfig
from monitor.download import run_downloads
from monitor.pass_report import PassReport
from monitor.pipeline import run_collect
from storage.models import Account, Post, PostMetric, PostVersion
from tests.conftest import FIXTURES, TestDatabase
from tests.support.config import actors_toml, make_config, video_settings
from tests.support.telegram_scenario import (
    account_row,
    count,
    events,
    media_rows,
    runs,
    snapshots,
    stored_posts,
)
from tests.support.telethon_history import DUROV, FULL, MEDUZA, at, history, message
from tests.support.telethon_standin import StandInClient

MEDIA = FIXTURES / "media"
# Backfill and re-read reach back past the stand-in history's oldest post (2026-05).
WINDOW = {"backend": "telethon", "api_id": 12345, "backfill_days": 3650, "recheck_days": 3650}


def standin() -> StandInClient:
    """Durov's channel as the stand-in serves it; copies, so the changes stay in this test."""
    channel, full = copy.deepcopy(DUROV), copy.deepcopy(FULL)
    client = StandInClient(channel, full, history(), chats=[MEDUZA])
    client.files = {509: MEDIA / "clip_a.mp4", 507: MEDIA / "voice.ogg"}
    return client


def telegram_collector(config: PolmonConfig, client: StandInClient) -> TelegramCollector:
    backend = TelethonBackend(lambda: client)
    return TelegramCollector(config.telegram_settings, backend=backend)


def collect(config: PolmonConfig, db: TestDatabase, client: StandInClient) -> PassReport:
    collector = telegram_collector(config, client)
    return run_collect(config, db.engine, collectors={"telegram": collector})


def result(report: PassReport) -> tuple[str, str, int, int, int, str | None]:
    [account] = report.accounts
    return (
        account.handle,
        account.status,
        account.new,
        account.updated,
        account.deleted,
        (account.error),
    )


def test_two_passes_with_telethon_edits_deletions_growth_and_a_rename(
    db: TestDatabase, tmp_path: Path
) -> None:
    client = standin()
    (tmp_path / "hash").write_text("0123456789abcdef")
    sections = {
        "telegram": {**WINDOW, "api_hash_file": str(tmp_path / "hash")},
        "paths": {"media_dir": "media"},
        "video": video_settings(keep_video=True),
    }
    config = make_config(tmp_path, db, actors_toml(["durov"]), **sections)

    first = collect(config, db, client)
    assert result(first) == ("durov", "ok", 16, 0, 0, None)
    stored = stored_posts(db.engine, "durov")
    assert stored["510"].text == "Bold news and a link" and stored["510"].views == 1_234_567
    assert stored["504"].kind == "album" and "505" not in stored  # one post per album
    assert account_row(db.engine, "durov")["platform_id"] == str(DUROV.id)
    assert snapshots(db.engine, "durov") == [(10_612_280, False)]
    video = ("509", 0, "video", "https://t.me/durov/509", "pending")
    assert video in media_rows(db.engine, "durov")

    # A day in the channel's life: a new post, an edit, a deletion, more views and
    # subscribers, and the channel renamed to another username.
    client.messages[511] = message(511, 40, "breaking", views=10)
    client.messages[502] = message(
        502,
        24,
        "a reply, corrected",
        reply_to=types.MessageReplyHeader(reply_to_msg_id=500),
        edit_date=at(41),
    )
    del client.messages[503]
    client.messages[510].views = 1_300_000
    client.full.participants_count = 10_700_000
    client.channel.username = "durov_new"

    second = collect(config, db, client)
    assert result(second) == ("durov", "ok", 1, 2, 1, None)
    stored = stored_posts(db.engine, "durov")
    assert stored["511"].text == "breaking"
    assert stored["502"].versions == ["a reply", "a reply, corrected"]
    assert stored["502"].edited_at is not None
    assert stored["503"].deleted_at is not None and stored["503"].text == "forwarded"
    assert stored["510"].views_series == [1_234_567, 1_300_000]
    assert snapshots(db.engine, "durov") == [(10_612_280, False), (10_700_000, False)]
    assert events(db.engine, "durov") == [
        ("renamed", {"old_username": "durov", "new_username": "durov_new"})
    ]
    row = account_row(db.engine, "durov")
    assert row["cursor"]["username"] == "durov_new" and row["platform_id"] == str(DUROV.id)
    # followed by its id: the old username was never asked for again
    resolved = [r.username for r in client.requests if hasattr(r, "username")]
    assert resolved == ["durov"]

    # The same pass again: nothing new, nothing duplicated, no second rename event.
    totals = {model: count(db.engine, model) for model in (Post, PostVersion, PostMetric)}
    third = collect(config, db, client)
    assert result(third) == ("durov", "ok", 0, 0, 0, None)
    assert {model: count(db.engine, model) for model in totals} == totals
    assert len(events(db.engine, "durov")) == 1
    assert [run[0] for run in runs(db.engine, "durov")] == ["ok", "ok", "ok"]

    # The config now names the new username: the same account (and history) takes it.
    renamed = make_config(tmp_path, db, actors_toml(["durov_new"]), **sections)
    fourth = collect(renamed, db, client)
    assert result(fourth) == ("durov_new", "ok", 0, 0, 0, None)
    assert count(db.engine, Account) == 1
    assert len(stored_posts(db.engine, "durov_new")) == 17

    # The files come through Telethon, the old link's channel found by its id.
    downloaded = run_downloads(
        renamed, db.engine, telethon=lambda: TelethonMedia(TelethonBackend(lambda: client))
    )
    assert downloaded.downloaded == 2  # the video and the voice note served with bytes
    rows = {(r[0], r[1]): r for r in media_rows(db.engine, "durov_new")}
    assert rows[("509", 0)][4] == "downloaded" and rows[("507", 0)][4] == "downloaded"
    assert [r.username for r in client.requests if hasattr(r, "username")] == ["durov"]
    [path] = (tmp_path / "media" / "telegram").glob("509_*.mp4")
    assert (
        hashlib.sha256(path.read_bytes()).hexdigest()
        == hashlib.sha256((MEDIA / "clip_a.mp4").read_bytes()).hexdigest()
    )
