"""The digest's data queries on SQLite and PostgreSQL, against rows written with the models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.config import ConfigError
from monitor.digest.data import ALL, Period, Scope, period_ending, period_for_date
from monitor.digest.gather import check_scope, gather
from storage.engine import session_factory
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.digest_data import CONFIG_BODY, HOSTILE, NOW, populate

CONFIG = make_config(body=CONFIG_BODY)
PERIOD = period_ending(CONFIG, NOW)


def collect(database: TestDatabase, scope: Scope = ALL, period: Period = PERIOD):  # type: ignore[no-untyped-def]
    with session_factory(database.engine)() as session:
        return gather(session, CONFIG, period, scope, generated_at=NOW)


def test_every_section(db: TestDatabase) -> None:
    populate(db.engine)
    data = collect(db)
    assert [(r.actor, r.platform, r.handle, r.count) for r in data.post_counts] == [
        ("Hun Manet", "telegram", "hunmanet", 2),  # "gone" and the late arrival
        ("Hun Sen", "telegram", "samdechhunsen", 2),
        ("Hun Sen", "tiktok", "@samdechhunsen", 1),
        ("Ministry", "youtube", "@moi", 1),
    ]
    threats, opposition = data.hit_groups[1], data.hit_groups[0]
    assert (opposition.name, opposition.total, opposition.terms) == ("opposition", 1, {"CNRP": 1})
    assert opposition.hits[0].snippet == "late CNRP"  # matched late; the old hit stays out
    assert (threats.total, threats.terms) == (4, {"arrest": 1, "traitor": 2, "beat": 1})
    spoken = next(hit for hit in threats.hits if hit.source_kind == "transcript")
    assert (spoken.term, spoken.start_seconds, spoken.actor, spoken.platform) == (
        "beat",
        83.4,
        "Hun Sen",
        "tiktok",
    )
    assert [hit.published_at for hit in threats.hits] == sorted(
        (hit.published_at for hit in threats.hits), reverse=True
    )
    audience = {(row.actor, row.platform): row for row in data.audience}
    sen = audience[("Hun Sen", "telegram")]
    assert (sen.latest, sen.change_1d, sen.change_7d) == (1250, 100, 250)
    assert sen.latest_at == NOW - timedelta(hours=1)
    assert [value for _, value in sen.series] == [1100, 1150, 1200, 1250]
    manet = audience[("Hun Manet", "telegram")]
    assert (manet.latest, manet.change_1d, manet.change_7d) == (500, None, None)
    assert audience[("Ministry", "youtube")].latest is None
    assert [(e.old_text, e.new_text) for e in data.edits] == [
        ("old text before", "new text after the edit"),
        ("harmless first", HOSTILE),
    ]
    assert [(d.text, d.deleted_at) for d in data.deletions] == [
        ("A post that was deleted", NOW - timedelta(hours=1))
    ]
    assert [(p.views, p.kind) for p in data.top_posts] == [
        (90_000, "video"),
        (12_000, "text"),
        (5_000, "text"),
        (300, "text"),
        (7, "text"),
    ]
    assert data.top_posts[0].text == "Speech at the rally"
    assert [(e.kind, e.detail) for e in data.events] == [
        ("renamed", "new_handle: hunmanet, old_handle: manet_old")
    ]
    assert [(f.source, f.what, f.status) for f in data.failures] == [
        ("collection", "Hun Manet telegram hunmanet", "partial"),
        ("job", "collect_video", "failed"),
        ("collection", "Hun Sen tiktok @samdechhunsen", "failed"),
    ]
    assert [(q.actor, q.platform) for q in data.quiet_accounts] == [("Ministry", "youtube")]
    assert data.backlog == {"downloaded": 1, "failed": 1, "pending": 1, "transcribing": 1}
    assert data.stale_leases == 1
    assert (data.new_posts, data.keyword_hits, data.problems) == (6, 5, 4)


def test_scope_limits_actors_and_keyword_groups(db: TestDatabase) -> None:
    populate(db.engine)
    data = collect(db, Scope("desk", ("d@example.org",), ("Hun Manet",), ("threats",)))
    assert {row.actor for row in data.post_counts} == {"Hun Manet"}
    assert data.hit_groups == []  # Hun Manet's only hit is in another group
    assert [(row.actor, row.platform) for row in data.audience] == [("Hun Manet", "telegram")]
    assert data.edits == [] and [d.actor for d in data.deletions] == ["Hun Manet"]
    assert [f.what for f in data.failures] == ["Hun Manet telegram hunmanet", "collect_video"]
    assert data.quiet_accounts == []


def test_an_empty_period_says_so(db: TestDatabase) -> None:
    populate(db.engine)
    quiet = Period(NOW + timedelta(days=30), NOW + timedelta(days=31), "UTC")
    data = collect(db, period=quiet)
    assert (data.post_counts, data.hit_groups, data.edits, data.deletions) == ([], [], [], [])
    assert (data.top_posts, data.events, data.failures) == ([], [], [])
    # Nothing was collected in that period: every active account is reported as quiet.
    assert len(data.quiet_accounts) == 4
    assert all(row.change_1d is None for row in data.audience)


def test_periods_in_the_configured_zone() -> None:
    day = period_for_date(CONFIG, date(2024, 5, 1))
    assert (day.start, day.end) == (
        datetime(2024, 4, 30, 17, tzinfo=UTC),
        datetime(2024, 5, 1, 17, tzinfo=UTC),
    )
    assert day.label == "2024-05-01 00:00 – 2024-05-02 00:00 (Asia/Phnom_Penh)"
    assert PERIOD.end - PERIOD.start == timedelta(hours=24)
    with pytest.raises(ValueError, match="before it starts"):
        Period(NOW, NOW, "UTC")


def test_unknown_names_in_a_list_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"digest\.lists\.0\.actors: no \[\[actors\]\] named"):
        check_scope(CONFIG, Scope("x", ("a@b.c",), ("Nobody",)))
    with pytest.raises(ConfigError, match=r"no \[keywords\.nope\] group"):
        check_scope(CONFIG, Scope("x", ("a@b.c",), (), ("nope",)))
