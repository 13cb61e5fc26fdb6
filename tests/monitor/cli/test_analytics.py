"""The analytics commands end to end (in-process CLI), JSON checked against docs/cli.md."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from monitor.cli import cli
from storage.engine import transaction
from tests.conftest import REPO_ROOT, TestDatabase, invoke
from tests.support import factories, growth_history
from tests.support.config import write_config

KEYWORDS = """
[keywords.threats]
terms = ["arrest", "ចាប់ខ្លួន"]
exclude = ["beat the heat"]

[keywords.parties]
terms = ["Candlelight Party", "CNRP"]
search_in = "posts"
"""


def documented_schema(name: str) -> dict[str, Any]:
    text = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- json-schema: {name} -->\s*```json\n(.*?)```", text, re.S)
    assert match, f"docs/cli.md documents no JSON shape for {name}"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def valid(name: str, output: str) -> Any:
    document = json.loads(output)
    schema = documented_schema(name)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(document)]
    assert errors == []
    return document


@pytest.fixture
def populated(db: TestDatabase, tmp_path: Path) -> Path:
    with transaction(db.engine) as session:
        growth_history.build(session)
        owner = factories.account(session, factories.actor(session, "Sam Rainsy"), "youtube", "@sr")
        factories.post(session, owner, "The Candlelight Party and the CNRP")
        video = factories.post(
            session, owner, "clip", url="https://www.youtube.com/watch?v=q", kind="video"
        )
        factories.transcript(session, video, [(7.0, "they will arrest us"), (9.0, "arrest", True)])
    return write_config(tmp_path, db, KEYWORDS)


def test_every_command_is_documented() -> None:
    text = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("keywords", "keywords rescan", "hits", "trends", "search", "growth"):
        assert re.search(rf"^##+ polmon {command}\n", text, re.M), command
    listed = set(cli.list_commands(click.Context(cli)))
    assert {"keywords", "hits", "trends", "search", "growth"} <= listed


def test_rescan_hits_and_trends(populated: Path) -> None:
    result = invoke(populated, "keywords", "rescan", "--format", "json")
    assert result.exit_code == 0, result.output
    report = valid("keywords-rescan", result.output)
    assert report["hits_added"] == 3 and report["segments_scanned"] == 2
    hits = valid("hits", invoke(populated, "hits", "--format", "json").output)
    assert sorted((h["term"], h["source"]) for h in hits) == [
        ("CNRP", "post"),
        ("Candlelight Party", "post"),
        ("arrest", "transcript"),
    ]
    segment = next(h for h in hits if h["source"] == "transcript")
    assert segment["link"] == "https://www.youtube.com/watch?v=q&t=7s"
    only = json.loads(invoke(populated, "hits", "--group", "threats", "--format", "json").output)
    assert [h["term"] for h in only] == ["arrest"]
    trends = valid("trends", invoke(populated, "trends", "--format", "json").output)
    assert trends == [
        {
            "group": "parties",
            "actor": "Sam Rainsy",
            "period_start": "2025-03-01",
            "hits": 2,
            "posts": 1,
        },
        {
            "group": "threats",
            "actor": "Sam Rainsy",
            "period_start": "2025-03-01",
            "hits": 1,
            "posts": 1,
        },
    ]
    weekly = json.loads(
        invoke(populated, "trends", "--interval", "week", "--format", "json").output
    )
    assert {t["period_start"] for t in weekly} == {"2025-02-24"}
    table = invoke(populated, "hits", "--term", "CNRP")
    assert table.exit_code == 0 and "CNRP" in table.output and "parties" in table.output
    rows = list(csv.DictReader(io.StringIO(invoke(populated, "hits", "--format", "csv").output)))
    assert len(rows) == 3 and set(rows[0]) >= {"group", "term", "snippet", "link"}


def test_rescan_unknown_group_is_one_line(populated: Path) -> None:
    result = invoke(populated, "keywords", "rescan", "--group", "nope")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no keyword group 'nope' in the config"


def test_search_command(populated: Path) -> None:
    found = valid("search", invoke(populated, "search", "arrest", "--format", "json").output)
    assert [(r["kind"], r["start_seconds"]) for r in found] == [("segment", 7.0)]
    posts = json.loads(
        invoke(populated, "search", "candlelight", "--in", "posts", "--format", "json").output
    )
    assert [r["handle"] for r in posts] == ["@sr"]
    empty = invoke(populated, "search", " ")
    assert empty.exit_code == 2 and "empty" in empty.output
    bad = invoke(populated, "search", "x", "--since", "last tuesday")
    assert bad.exit_code == 2 and "is not a time" in bad.output


def test_growth_command_json_csv_and_plot(populated: Path, tmp_path: Path) -> None:
    window = ("--since", "2025-03-01T12:00:00+00:00", "--until", growth_history.AS_OF.isoformat())
    plot = tmp_path / "charts" / "hun-sen.png"
    result = invoke(
        populated, "growth", "--actor", "Hun Sen", *window, "--format", "json", "--plot", str(plot)
    )
    assert result.exit_code == 0, result.output
    report = valid("growth", result.stdout)
    assert "plot written" in result.stderr
    assert plot.read_bytes().startswith(b"\x89PNG") and plot.stat().st_size > 20_000
    (actor,) = report["actors"]
    assert actor["actor"] == "Hun Sen" and len(actor["accounts"]) == 3
    telegram = next(a for a in actor["accounts"] if a["platform"] == "telegram")
    assert telegram["change"]["30d"] == {"absolute": 280_000, "percent": 32.56}
    assert None in [p["value"] for p in telegram["series"]]
    monthly = json.loads(
        invoke(populated, "growth", *window, "--interval", "month", "--format", "json").output
    )
    assert [p["period_start"] for p in monthly["actors"][0]["series"]] == [
        "2025-03-01",
        "2025-04-01",
    ]
    rows = list(
        csv.DictReader(io.StringIO(invoke(populated, "growth", *window, "--format", "csv").output))
    )
    assert [(r["actor"], r["platform"]) for r in rows][-1] == ("Sam Rainsy", "all")
    assert next(r for r in rows if r["platform"] == "facebook")["flags"] == "deleted"
    wide = CliRunner(env={"COLUMNS": "160"}).invoke(
        cli, ["--config", str(populated), "growth", "--platform", "telegram", *window]
    )
    assert wide.exit_code == 0, wide.output
    assert "telegram samdechhunsen" in wide.output and "+280,000 (+32.6%)" in wide.output
