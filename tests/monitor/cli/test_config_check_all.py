"""`polmon config check` reports every problem at once, including what `collect` would reject."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import invoke

BAD = """
[database]
url = "{url}"

[telegram]
requests_per_second = -1

[video]
concurrency = "two"

[[actors]]
name = "Hun Manet"

[[actors.accounts]]
platform = "youtube"
url = "https://www.tiktok.com/@hunmanet"

[[actors.accounts]]
platform = "facebook"
url = "htp://facebook/com page"

[[actors.accounts]]
platform = "telegram"
url = "https://t.me/s/../../admin"

[[actors.accounts]]
platform = "tiktok"
handle = "hun manet!"
"""


def _check(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "polmon.toml"
    path.write_text(text, encoding="utf-8")
    result = invoke(path, "config", "check")
    return result.exit_code, result.output.strip().splitlines()


def test_every_error_in_the_file_is_reported_at_once(tmp_path: Path) -> None:
    code, lines = _check(tmp_path, BAD.format(url="sqlite:///x.db"))
    assert code == 2
    keys = [line.split(": ")[1] for line in lines[:-1]]
    assert sorted(keys) == [
        "actors.0.accounts.0",
        "actors.0.accounts.1",
        "actors.0.accounts.2",
        "actors.0.accounts.3",
        "telegram.requests_per_second",
        "video.concurrency",
    ]
    text = "\n".join(lines)
    assert "is a tiktok URL, not a youtube account" in text
    assert "'htp://facebook/com page' contains spaces" in text
    assert "'https://t.me/s/../../admin' is not a channel username" in text
    assert "tiktok handle 'hun manet!'" in text
    assert lines[-1] == "config check: 6 problems found"


@pytest.mark.parametrize("url", ["htp://facebook/com page", "https://facebook"])
def test_a_malformed_page_url_is_rejected(tmp_path: Path, url: str) -> None:
    code, lines = _check(
        tmp_path,
        f'[[actors]]\nname = "A"\n[[actors.accounts]]\nplatform = "facebook"\nurl = "{url}"\n',
    )
    assert code == 2 and "actors.0.accounts.0" in lines[0]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [("not a url", "bad database URL"), ("mysql://root@127.0.0.1/x", "unsupported database")],
)
def test_a_database_url_that_is_no_url_is_reported(tmp_path: Path, url: str, fragment: str) -> None:
    code, lines = _check(tmp_path, f'[database]\nurl = "{url}"\n')
    assert code == 2
    assert len(lines) == 2 and "database.url" in lines[0] and fragment in lines[0]


def test_a_good_config_is_ok(tmp_path: Path) -> None:
    good = (
        '[[actors]]\nname = "A"\n[[actors.accounts]]\nplatform = "youtube"\n'
        'url = "https://www.youtube.com/@Ministry/videos"\n'
        '[[actors.accounts]]\nplatform = "facebook"\nurl = "https://www.facebook.com/hunmanet5"\n'
        '[[actors.accounts]]\nplatform = "youtube"\nurl = "http://127.0.0.1:8080/channel/UCx"\n'
    )
    code, lines = _check(tmp_path, good)
    assert code == 0 and lines[-1].endswith("ok (1 actors, 3 accounts, 0 keyword groups, 0 jobs)")


def test_other_commands_name_the_first_problem_and_count_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "polmon.toml"
    path.write_text(BAD.format(url="sqlite:///x.db"), encoding="utf-8")
    result = invoke(path, "posts")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        "(and 5 more: `polmon config check` lists them all)"
    )
