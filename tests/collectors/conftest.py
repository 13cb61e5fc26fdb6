"""Config for collector tests: the t.me stand-in's settings (no politeness delays)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.config import PolmonConfig, parse_config


def fast_telegram(base_url: str, **overrides: Any) -> dict[str, Any]:
    """[telegram] settings for tests: the local site, no politeness delays, tiny backoff."""
    return {
        "backend": "web",
        "base_url": base_url,
        "requests_per_second": 1000.0,
        "timeout_seconds": 5.0,
        "max_retries": 2,
        "backoff_seconds": 0.01,
        "max_backoff_seconds": 2.0,
        **overrides,
    }


def telegram_config(tmp_path: Path, base_url: str, **overrides: Any) -> PolmonConfig:
    data = {
        "paths": {"data_dir": str(tmp_path / "data")},
        "telegram": fast_telegram(base_url, **overrides),
    }
    return parse_config(data, tmp_path / "polmon.toml")
