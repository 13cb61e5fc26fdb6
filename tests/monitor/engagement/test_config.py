"""`[engagement]`: defaults, and a wrong value is one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config, parse_config


def test_defaults_are_the_documented_rule() -> None:
    config = parse_config({}, "polmon.toml").engagement
    assert (config.max_gap_ratio, config.baseline_posts, config.min_posts) == (1.0, 30, 5)
    assert (config.boosted_ratio, config.suppressed_ratio) == (3.0, 3.0)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("boosted_ratio = 1.0", "engagement.boosted_ratio"),
        ("suppressed_ratio = 0.33", "engagement.suppressed_ratio"),
        ("max_gap_ratio = 0", "engagement.max_gap_ratio"),
        ("min_posts = 0", "engagement.min_posts"),
        ("baseline_post = 30", "engagement.baseline_post"),
    ],
)
def test_a_wrong_value_names_its_key(tmp_path: Path, line: str, key: str) -> None:
    path = tmp_path / "polmon.toml"
    path.write_text(f"[engagement]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message and f": {key}: " in message
