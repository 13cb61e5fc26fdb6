"""Filters naming nothing say what exists (exit 2); actor names match in any letter case."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.telegram_scenario import scenario_toml
from tests.support.telegram_site import TelegramSite, channel_with_posts

KEYWORDS = '[keywords.mentions]\nterms = ["post"]\n'
ACTOR_COMMANDS = [
    ("collect",),
    ("posts",),
    ("hits",),
    ("trends",),
    ("search", "post"),
    ("growth",),
    ("events",),
]


@pytest.fixture
def config(db: TestDatabase, httpserver: HTTPServer, tmp_path: Path) -> Path:
    site = TelegramSite()
    for handle in ("pm_demo", "ministry_kh"):
        site.add(channel_with_posts(handle, 2))
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    toml = scenario_toml(httpserver.url_for("/"), ["pm_demo", "ministry_kh"]) + KEYWORDS
    path = write_config(tmp_path, db, toml)
    assert invoke(path, "collect").exit_code == 0
    return path


@pytest.mark.parametrize("command", ACTOR_COMMANDS)
def test_an_unknown_actor_lists_the_actors_and_exits_2(config: Path, command: tuple[str]) -> None:
    result = invoke(config, *command, "--actor", "Nobody")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: no actor named 'Nobody'; actors: 'Owner of ministry_kh', 'Owner of pm_demo'"
    ]


@pytest.mark.parametrize("command", ACTOR_COMMANDS[1:])
def test_actor_names_match_in_any_letter_case(config: Path, command: tuple[str]) -> None:
    exact = invoke(config, *command, "--actor", "Owner of pm_demo", "--format", "json")
    folded = invoke(config, *command, "--actor", "OWNER OF PM_DEMO", "--format", "json")
    assert exact.exit_code == folded.exit_code == 0, folded.output
    same, other = json.loads(exact.stdout), json.loads(folded.stdout)
    if command == ("growth",):  # its report carries the moment it ran
        same, other = same["actors"], other["actors"]
    assert other == same
    assert "ministry_kh" not in exact.stdout


def test_hits_for_the_actor_only(config: Path) -> None:
    hits = json.loads(
        invoke(config, "hits", "--actor", "owner of pm_demo", "--format", "json").stdout
    )
    assert hits and {h["actor"] for h in hits} == {"Owner of pm_demo"}


@pytest.mark.parametrize("command", [("hits",), ("trends",)])
def test_an_unknown_keyword_group_lists_the_groups(config: Path, command: tuple[str]) -> None:
    result = invoke(config, *command, "--group", "threat")
    assert result.exit_code == 2
    assert result.output.strip() == "Error: no keyword group named 'threat'; groups: mentions"
    assert invoke(config, *command, "--group", "MENTIONS").exit_code == 0
