"""Keyword hit confidence and approximate marks in every listing, and the thresholds on them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from monitor.alerts.config import AlertRuleConfig
from monitor.alerts.format import item_line
from monitor.alerts.rules import rule_matches
from monitor.digest.data import ALL, period_ending
from monitor.digest.gather import gather
from monitor.digest.render import render
from monitor.hit_confidence import match_label, passes
from monitor.queries.alerts import OutboxEvent
from monitor.queries.hits import hit_trends, list_hits
from storage.engine import session_factory, transaction
from storage.keyword_hits import replace_hits, segments_scope
from storage.models import AlertEvent, TranscriptSegment
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.alert_receivers import sample_item
from tests.support.config import make_config, write_config
from tests.support.digest_data import HOSTILE
from tests.support.factories import T0

KEYWORDS = '[keywords.threats]\nterms = ["arrest", "traitor", "beat"]\n'


@dataclass
class World:
    text_post: int
    video: int


def build(db: TestDatabase) -> World:
    """One exact text hit and three transcript hits: sure, unsure, and approximate (hostile)."""
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Hun Sen"), "telegram", "hs")
        text_post = factories.post(session, owner, "We will arrest them.", published_at=T0)
        factories.hit(session, text_post, "threats", "arrest", snippet="We will arrest them.")
        video = factories.post(
            session, owner, "clip", published_at=T0 + timedelta(hours=1), kind="video"
        )
        spoken: list[dict[str, Any]] = [
            {"term": "arrest", "confidence": 0.93, "snippet": "they arrest"},
            {"term": "traitor", "confidence": 0.41, "snippet": "a traitor?"},
            {"term": "beat", "confidence": 0.82, "approximate": True, "snippet": HOSTILE},
        ]
        for seconds, fields in enumerate(spoken):
            factories.hit(
                session,
                video,
                "threats",
                source="transcript",
                start_seconds=float(seconds),
                **fields,
            )
        return World(text_post.id, video.id)


def _terms(rows: list[Any]) -> list[str]:
    return sorted(row["term"] for row in rows)


def test_labels_and_the_threshold_rule() -> None:
    assert match_label(None, False) == "exact"
    assert match_label(0.999, False) == "confidence 99%"
    assert match_label(0.41, False) == "low confidence 41%"
    assert match_label(0.82, True) == "≈ approximate, confidence 82%"
    assert match_label(None, True) == "≈ approximate"
    assert passes(None, False, min_confidence=0.99)  # exact text always passes
    assert not passes(0.5, False, min_confidence=0.6)
    assert passes(0.6, False, min_confidence=0.6)
    assert not passes(None, True, include_approximate=False)


def test_listing_and_trends_filter_by_confidence_and_approximate(db: TestDatabase) -> None:
    build(db)
    with session_factory(db.engine)() as session:
        every = list_hits(session)
        assert _terms(every) == ["arrest", "arrest", "beat", "traitor"]
        beat = next(row for row in every if row["term"] == "beat")
        assert (beat["confidence"], beat["approximate"]) == (0.82, True)
        exact = next(row for row in every if row["source"] == "post")
        assert (exact["confidence"], exact["approximate"]) == (None, False)
        sure = list_hits(session, min_confidence=0.8)
        assert _terms(sure) == ["arrest", "arrest", "beat"]  # the text hit has no confidence
        assert _terms(list_hits(session, min_confidence=0.8, include_approximate=False)) == [
            "arrest",
            "arrest",
        ]
        trends = hit_trends(session, min_confidence=0.9)
        assert [(row["hits"], row["posts"]) for row in trends] == [(2, 2)]


def test_cli_shows_the_match_and_filters(db: TestDatabase, tmp_path: Path) -> None:
    build(db)
    config = write_config(tmp_path, db, KEYWORDS)
    table = invoke(config, "hits", "--width", "250")
    assert table.exit_code == 0, table.output
    assert "≈ approximate, confidence 82%" in table.output
    assert "low confidence 41%" in table.output
    assert "exact" in table.output
    assert "<script>" in table.output  # the terminal shows it as text; JSON keeps it exact
    rows = json.loads(invoke(config, "hits", "--format", "json", "--min-confidence", "0.5").output)
    assert _terms(rows) == ["arrest", "arrest", "beat"]
    assert {row["term"]: row["approximate"] for row in rows}["beat"] is True
    csv_out = invoke(config, "hits", "--format", "csv", "--exclude-approximate").output
    assert csv_out.splitlines()[0].split(",")[6:9] == ["source", "confidence", "approximate"]
    assert "beat" not in csv_out and "0.41" in csv_out
    bad = invoke(config, "hits", "--min-confidence", "1.5")
    assert bad.exit_code == 2
    trend = json.loads(
        invoke(config, "trends", "--format", "json", "--min-confidence", "0.9").output
    )
    assert [row["hits"] for row in trend] == [2]


def test_digest_marks_approximate_hits_and_applies_its_threshold(db: TestDatabase) -> None:
    build(db)
    now = T0 + timedelta(hours=12)
    loose = make_config(body=KEYWORDS)
    strict = make_config(
        body=KEYWORDS, digest={"min_confidence": 0.5, "include_approximate": False}
    )
    with session_factory(db.engine)() as session:
        data = gather(session, loose, period_ending(loose, now), ALL, generated_at=now)
        strict_data = gather(session, strict, period_ending(strict, now), ALL, generated_at=now)
    [group] = data.hit_groups
    assert (group.total, group.approximate) == (4, 1)
    assert group.terms == {"arrest": 2, "traitor": 1, "≈ beat": 1}
    beat = next(item for item in group.hits if item.term == "beat")
    assert beat.approximate and beat.match == "≈ approximate, confidence 82%"
    rendered = render(data, inline=False)
    assert "(1 approximate, marked ≈)" in rendered.text
    assert "≈ Hun Sen" in rendered.text and "low confidence 41%" in rendered.text
    assert 'data-approximate="true"' in rendered.html
    assert "≈ approximate, confidence 82%" in rendered.html
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    [strict_group] = strict_data.hit_groups
    assert strict_group.terms == {"arrest": 2}  # the unsure and the approximate left out
    assert strict_group.approximate == 0


def test_alert_events_carry_confidence_and_rules_filter_on_it(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "PM"), "youtube", "@pm")
        video = factories.post(session, owner, "clip", kind="video")
        factories.transcript(session, video, [(3.0, "we will beat them")])
        segment_id = session.query(TranscriptSegment.id).scalar()
        row = {
            "group_name": "threats",
            "term": "beaten",
            "source_key": f"segment:{segment_id}",
            "source_kind": "transcript",
            "post_id": video.id,
            "segment_id": segment_id,
            "snippet": "we will beat them",
            "char_offset": 8,
            "start_seconds": 3.0,
            "link": video.url,
            "published_at": video.published_at,
            "confidence": 0.55,
            "approximate": True,
        }
        replace_hits(session, segments_scope([segment_id]), ["threats"], [row])
    with Session(db.engine) as session:
        payload = session.query(AlertEvent.payload).scalar()
    assert payload["source_kind"] == "transcript"
    assert (payload["confidence"], payload["approximate"]) == (0.55, True)
    event = OutboxEvent(1, "keyword_hit", T0, T0, "PM", payload)

    def rule(**keys: Any) -> AlertRuleConfig:
        return AlertRuleConfig.model_validate(
            {"name": "r", "on": ["keyword_hit"], "channels": ["c"], **keys}
        )

    assert rule_matches(rule(), event)
    assert rule_matches(rule(min_confidence=0.5), event)
    assert not rule_matches(rule(min_confidence=0.6), event)
    assert not rule_matches(rule(include_approximate=False), event)
    exact_text = OutboxEvent(2, "keyword_hit", T0, T0, "PM", {"source": "posts"})
    assert rule_matches(rule(min_confidence=0.99, include_approximate=False), exact_text)


def test_alert_text_says_approximate_low_confidence_and_poll() -> None:
    unsure = sample_item(confidence=0.41, approximate=True, source_kind="transcript")
    assert "said “cut the legs” at 1:15 (≈ approximate, low confidence 41%)" in item_line(
        unsure, "UTC"
    )
    sure = sample_item(confidence=0.95, source_kind="transcript")
    assert "at 1:15 (confidence 95%)" in item_line(sure, "UTC")
    poll = sample_item(source="posts", source_kind="poll", seconds=None)
    assert "wrote “cut the legs” in a poll [threats]" in item_line(poll, "UTC")
