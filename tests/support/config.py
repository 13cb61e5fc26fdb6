"""The one config builder for tests: a polmon.toml (or a PolmonConfig) from sections and a body."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.config import PolmonConfig, load_config, parse_config

if TYPE_CHECKING:
    from tests.conftest import TestDatabase


def config_toml(
    database: TestDatabase | None = None, body: str = "", **sections: Mapping[str, Any]
) -> str:
    """[paths] with data_dir = "data", the database, the `sections` as tables, then `body`.

    `body` is written as given (it may be deliberately wrong); it must not repeat a table
    named in `sections`.
    """
    if sections and body:
        repeated = set(sections) & set(tomllib.loads(body))
        assert not repeated, f"give {sorted(repeated)} either as sections or in the body"
    paths = {"data_dir": "data", **sections.pop("paths", {})}
    text = toml_table(["paths"], paths)
    if database is not None:
        text += database.config_toml()
    for name, values in sections.items():
        text += toml_table([name], values)
    return text + body


def write_config(
    tmp_path: Path,
    database: TestDatabase | None = None,
    body: str = "",
    **sections: Mapping[str, Any],
) -> Path:
    """Write tmp_path/polmon.toml (see `config_toml`) and return its path."""
    path = tmp_path / "polmon.toml"
    path.write_text(config_toml(database, body, **sections), encoding="utf-8")
    return path


def make_config(
    tmp_path: Path | None = None,
    database: TestDatabase | None = None,
    body: str = "",
    **sections: Mapping[str, Any],
) -> PolmonConfig:
    """The config `write_config` writes, read back by the real loader.

    Without `tmp_path` nothing is written: the document is validated in memory and relative
    paths stay relative.
    """
    if tmp_path is not None:
        return load_config(write_config(tmp_path, database, body, **sections))
    text = config_toml(database, body, **sections)
    return parse_config(tomllib.loads(text), "polmon.toml")


def telegram_settings(base_url: str, **overrides: Any) -> dict[str, Any]:
    """[telegram] for tests: the web backend on a local site, no politeness delays, tiny backoff."""
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


def video_settings(**overrides: Any) -> dict[str, Any]:
    """[video] for tests: no sleeps or retries; a read timeout with room for a loaded machine."""
    return {"sleep_seconds": 0, "retries": 0, "timeout_seconds": 10, **overrides}


def actors_toml(handles: list[str], platform: str = "telegram") -> str:
    """One [[actors]] entry per handle, each with one account on `platform`."""
    lines: list[str] = []
    for handle in handles:
        lines += [
            "[[actors]]",
            f"name = {_value(f'Owner of {handle}')}",
            "[[actors.accounts]]",
            f"platform = {_value(platform)}",
            f"handle = {_value(handle)}",
        ]
    return "\n".join(lines) + "\n"


def toml_table(name: list[str], values: Mapping[str, Any]) -> str:
    """A TOML table; nested mappings become sub-tables after the plain keys."""
    plain = {k: v for k, v in values.items() if not isinstance(v, Mapping)}
    nested = {k: v for k, v in values.items() if isinstance(v, Mapping)}
    header = ".".join(_key(part) for part in name)
    text = f"[{header}]\n" + "".join(f"{_key(k)} = {_value(v)}\n" for k, v in plain.items())
    for key, sub in nested.items():
        text += toml_table([*name, key], sub)
    return text


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {value!r} in a test config")
