"""`polmon post` shows a post's comments under it, hostile authors as written; `polmon posts`
lists channel posts only, or with `--comments` the comments with their authors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from tests.conftest import TestDatabase, invoke
from tests.support.comments import COMMENT_TEXT, MARKUP_AUTHOR, SCRIPT_AUTHOR, stored_thread
from tests.support.config import write_config


def test_posts_leave_comments_out_unless_asked(db: TestDatabase, tmp_path: Path) -> None:
    thread = stored_thread(db)
    config = write_config(tmp_path, db)
    posts = json.loads(invoke(config, "posts", "--format", "json").stdout)
    assert [row["id"] for row in posts] == [thread.post]
    comments = json.loads(invoke(config, "posts", "--comments", "--format", "json").stdout)
    assert [(row["id"], row["post_id"], row["author"]) for row in comments] == [
        (thread.comments[1], "600/c70002", MARKUP_AUTHOR),
        (thread.comments[0], "600/c70001", SCRIPT_AUTHOR),
    ]


def test_post_shows_its_comments_with_hostile_authors_as_written(
    db: TestDatabase, tmp_path: Path
) -> None:
    thread = stored_thread(db)
    config = write_config(tmp_path, db)
    table = invoke(config, "post", str(thread.post))
    assert table.exit_code == 0, table.output
    flat = re.sub(r"[\s│]+", " ", table.stdout)  # cells fold over lines in a narrow column
    assert "comments" in flat and "[bold]Loud[/bold] [[actors]]" in flat
    assert "<script>alert('x')</script>" in flat
    rows = list(
        csv.DictReader(
            io.StringIO(
                invoke(
                    config, "post", str(thread.post), "--only", "comments", "--format", "csv"
                ).stdout
            )
        )
    )
    assert [(r["comment_id"], r["author"], r["reply_to"]) for r in rows] == [
        ("600/c70001", SCRIPT_AUTHOR, ""),
        ("600/c70002", MARKUP_AUTHOR, "600/c70001"),
    ]
    assert rows[0]["text"] == COMMENT_TEXT
    whole = json.loads(invoke(config, "post", str(thread.post), "--format", "json").stdout)
    assert [c["id"] for c in whole["comments"]] == list(thread.comments)
    one = json.loads(invoke(config, "post", str(thread.comments[0]), "--format", "json").stdout)
    assert (one["post"]["comment_of"], one["post"]["author"]) == (thread.post, SCRIPT_AUTHOR)
