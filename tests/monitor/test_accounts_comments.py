"""Which accounts read comments, and how many per post: [telegram] comments and comments_max,
overridden per account; other platforms refuse the keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.accounts import plan_accounts
from monitor.config import ConfigError
from tests.support.config import make_config

ACCOUNTS = """
[[actors]]
name = "A"
[[actors.accounts]]
platform = "telegram"
handle = "plain"
[[actors.accounts]]
platform = "telegram"
handle = "chatty"
comments = true
comments_max = 7
[[actors.accounts]]
platform = "telegram"
handle = "quiet"
comments = false
[[actors.accounts]]
platform = "tiktok"
handle = "@clips"
"""


def _limits(tmp_path: Path, **telegram: object) -> dict[str, int]:
    plan = plan_accounts(make_config(tmp_path, body=ACCOUNTS, telegram=telegram))
    handles = ("plain", "chatty", "quiet", "@clips")
    platforms = ("telegram", "telegram", "telegram", "tiktok")
    return {h: plan.comments_max(p, h) for p, h in zip(platforms, handles, strict=True)}


def test_accounts_say_whether_they_read_comments(tmp_path: Path) -> None:
    assert _limits(tmp_path) == {"plain": 0, "chatty": 7, "quiet": 0, "@clips": 0}
    on = _limits(tmp_path, comments=True, comments_max=30)
    assert on == {"plain": 30, "chatty": 7, "quiet": 0, "@clips": 0}


def test_comments_on_another_platform_are_a_config_error(tmp_path: Path) -> None:
    body = '[[actors]]\nname = "A"\n[[actors.accounts]]\nplatform = "tiktok"\nhandle = "@x"\n'
    with pytest.raises(ConfigError, match="comments are collected for telegram accounts only"):
        make_config(tmp_path, body=body + "comments = true\n")
