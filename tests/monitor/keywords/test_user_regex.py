"""User regexes run on RE2: a catastrophic pattern cannot stall a pass; bad ones are refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from monitor.config import ConfigError, load_config, parse_config
from monitor.keywords.matcher import KeywordMatcher
from monitor.pipeline import run_collect
from monitor.user_regex import MAX_CANDIDATES, UserRegexError, compile_user_regex
from storage.engine import transaction
from storage.models import CollectionRun, KeywordHit
from tests.collectors.conftest import NOW
from tests.collectors.telegram_scenario import scenario_toml
from tests.conftest import TestDatabase, invoke, write_config
from tests.telegram_site import SiteChannel, SitePost, TelegramSite

EVIL = "(a+)+$"
# Python's backtracking `re` needs about 4**(n/2) steps on this text: ages at 60 characters.
EVIL_TEXT = "a" * 5000 + "!"


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[TelegramSite]:
    telegram = TelegramSite()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(telegram.handle)
    yield telegram


def _groups(**groups: dict[str, object]) -> dict[str, object]:
    return {"keywords": groups}


def test_catastrophic_regex_does_not_stall_collect_and_next_account_is_reached(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site.add(SiteChannel("evil", "Evil", 1, 10)).add(
        SitePost(1, NOW - timedelta(hours=2), text=EVIL_TEXT)
    )
    site.add(SiteChannel("calm", "Calm", 2, 10)).add(
        SitePost(1, NOW - timedelta(hours=1), text="aaa")
    )
    keywords = f'[keywords.evil]\nregex = true\nterms = ["{EVIL}"]\n'
    toml = scenario_toml(httpserver.url_for("/"), ["evil", "calm"]) + keywords
    config = load_config(write_config(tmp_path, db, toml))
    report = run_collect(config, db.engine)
    assert [a.status for a in report.accounts] == ["ok", "ok"]
    with transaction(db.engine) as session:
        statuses = session.scalars(select(CollectionRun.status)).all()
        terms = session.scalars(select(KeywordHit.term)).all()
    assert sorted(statuses) == ["ok", "ok"]
    assert terms == [EVIL]  # "aaa" at the end of the calm post matches; the evil text does not


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [(r"(\w)\1", "backreferences"), (r"foo(?=bar)", "lookaround"), ("a(", "(missing ): a(;")],
)
def test_patterns_re2_cannot_run_are_config_errors(pattern: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(_groups(g={"terms": [pattern], "regex": True}), Path("polmon.toml"))
    message = str(info.value)
    assert "keywords.g" in message and "linear-time" in message and reason in message
    assert "\n" not in message


def test_config_check_warns_on_nested_quantifiers(tmp_path: Path) -> None:
    body = f'[keywords.evil]\nregex = true\nterms = ["{EVIL}", "arrest(ed|s)?"]\n'
    result = invoke(write_config(tmp_path, None, body), "config", "check")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: keywords.evil: term {EVIL!r} nests quantifiers (like (a+)+), which "
        "backtracking engines take exponential time on; polmon matches it in linear time, "
        "but check it says what you mean"
    ]


def test_unicode_classes_keep_python_meaning() -> None:
    terms = [r"\w+ов", r"\d{3}", r"ច\W"]
    groups = _groups(g={"terms": terms, "regex": True, "whole_word": "never"})
    config = parse_config(groups, Path("polmon.toml"))
    matcher = KeywordMatcher.for_source(config.keywords, "posts")
    text = "Сказал Иванов ១២៣ ចាប់"
    found = {m.term: (m.start, m.end) for m in matcher.match(text)}
    # What Python's `re` finds on the same text (Unicode \w, \d, \W).
    assert found == {t: re.search(t, text).span() for t in terms}  # type: ignore[union-attr]
    assert found == {r"\w+ов": (7, 13), r"\d{3}": (14, 17), r"ច\W": (18, 20)}


def test_candidates_are_bounded_per_text() -> None:
    regex = compile_user_regex("a", case_sensitive=True)
    assert len(list(regex.candidates("a" * (MAX_CANDIDATES * 3)))) == MAX_CANDIDATES
    with pytest.raises(UserRegexError, match="matches empty text"):
        compile_user_regex("x*", case_sensitive=True)
