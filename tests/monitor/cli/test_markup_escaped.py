"""Brackets print as written in every table and message (rich markup never eats them)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer

from monitor.output import emit
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.telegram_scenario import scenario_toml
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite

MARKUP = "[bold]loud[/bold] [red]alarm[/red] [[actors]] [link=https://x.example]x[/link]"


def test_config_names_in_brackets_survive_empty_tables(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = write_config(tmp_path, sqlite_db)
    assert "no accounts: add [[actors]] to the config" in invoke(config, "accounts", "list").output
    assert "no [schedule.jobs] configured" in invoke(config, "status").output


def test_post_text_with_markup_prints_as_written(
    sqlite_db: TestDatabase, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = TelegramSite()
    channel = site.add(SiteChannel("pm_demo", "PM [official]", 7, 1000))
    channel.add(SitePost(1, NOW - timedelta(hours=1), text=MARKUP))
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    config = write_config(tmp_path, sqlite_db, scenario_toml(httpserver.url_for("/"), ["pm_demo"]))
    assert invoke(config, "collect").exit_code == 0
    posts = json.loads(invoke(config, "posts", "--format", "json").stdout)
    assert posts[0]["text"] == MARKUP
    table = invoke(config, "post", str(posts[0]["id"])).stdout
    flat = re.sub(r"[\s│]+", " ", table)  # cells fold over lines in a narrow column
    assert "[bold]loud[/bold]" in flat and "[red]alarm[/red]" in flat and "[[actors]]" in flat


def test_emit_never_reads_markup(capsys: object) -> None:
    emit([{"[col]": "a \\[b] c \\", "x": "[dim]y"}], "table", title="t [t]")
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "[col]" in out and "a \\[b] c \\" in out and "[dim]y" in out and "t [t]" in out
    emit([], "table", title="[a]", empty="add [[actors]] first")
    assert "[a]: add [[actors]] first" in capsys.readouterr().out  # type: ignore[attr-defined]
