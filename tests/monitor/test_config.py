"""Config: the example stays in sync with the models; bad input is one line naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from monitor.config import ConfigError, PolmonConfig, load_config
from tests.conftest import REPO_ROOT, invoke

EXAMPLE = REPO_ROOT / "config.example.toml"


def _model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key path a model accepts; user-named tables (dict of models) appear as `*`."""
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        key = f"{prefix}{info.alias or name}"
        keys.add(key)
        annotation = info.annotation
        origin = getattr(annotation, "__origin__", None)
        args = getattr(annotation, "__args__", ())
        if origin is dict and _is_model(args[1]):
            keys |= _model_keys(args[1], key + ".*.")
        elif origin is list and args and _is_model(args[0]):
            keys |= _model_keys(args[0], key + ".")
        elif _is_model(annotation):
            keys |= _model_keys(annotation, key + ".")
    return keys


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


USER_NAMED = ("keywords", "schedule.jobs")  # tables whose entries the user names
FREE_FORM = ("transcription.language_models", "transcription.language_needs")  # user-named keys


def _example_keys(value: Any, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        for name, item in value.items():
            key = f"{prefix}{name}"
            keys.add(key)
            if key in FREE_FORM:
                continue
            child = f"{key}.*." if key in USER_NAMED else key + "."
            if key in USER_NAMED:
                for entry in item.values():
                    keys |= _example_keys(entry, child)
            else:
                keys |= _example_keys(item, child)
    elif isinstance(value, list):
        for item in value:
            keys |= _example_keys(item, prefix)
    return keys


def _commented_keys(text: str) -> set[str]:
    """Keys shown commented out (`# key = value`) under their [section] header."""
    keys, section = set(), ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]")
            for named in USER_NAMED:
                if section.startswith(named + "."):
                    section = named + ".*"
        elif stripped.startswith("# ") and " = " in stripped:
            name = stripped[2:].split(" = ", 1)[0].strip()
            if name.isidentifier() and section not in FREE_FORM:
                keys.add(f"{section}.{name}")
    return keys


def test_example_config_loads_and_watches_a_realistic_set() -> None:
    config = load_config(EXAMPLE)
    platforms = {a.platform for actor in config.actors for a in actor.accounts}
    assert platforms == {"telegram", "tiktok", "facebook", "youtube"}
    terms = [t for group in config.keywords.values() for t in group.terms]
    assert any("\u1780" <= ch <= "\u17ff" for t in terms for ch in t)  # Khmer terms
    assert any(t.isascii() for t in terms)


def test_example_config_and_models_do_not_drift() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    example = _example_keys(tomllib.loads(text)) | _commented_keys(text)
    models = _model_keys(PolmonConfig)
    assert not example - models, "keys in config.example.toml that no config model knows"
    assert not models - example, "config keys missing from config.example.toml"


BAD_CONFIGS = [
    ("[telegram\nbase_url = 1", None, "malformed TOML"),
    ("[telegram]\nbase_urll = 'x'", "telegram.base_urll", "unknown key"),
    ("[telegram]\nmax_retries = 'five'", "telegram.max_retries", "integer"),
    ("[telegram]\napi_hash = 'abc'", "telegram.api_hash", "secrets never live"),
    ("[smtp]\npassword = 'abc'", "smtp.password", "secrets never live"),
    (
        "[[actors]]\nname='A'\n[[actors.accounts]]\nplatform='myspace'\nhandle='x'",
        "actors.0.accounts.0.platform",
        "'telegram', 'tiktok', 'facebook' or 'youtube'",
    ),
    (
        "[[actors]]\nname='A'\n[[actors.accounts]]\nplatform='telegram'",
        "actors.0.accounts.0",
        "needs a handle or a url",
    ),
    (
        "[[actors]]\nname='A'\n[[actors.accounts]]\nplatform='telegram'\nhandle='chan'\n"
        "[[actors]]\nname='B'\n[[actors.accounts]]\nplatform='telegram'\nurl='https://t.me/s/Chan'",
        "actors.1.accounts.0",
        "duplicate telegram account 'chan'",
    ),
    ("[[actors]]\nname='A'\n[[actors]]\nname='A'", "actors.1.name", "duplicate actor"),
    ("[schedule]\ntimezone = 'Mars/Olympus'", "schedule.timezone", "unknown time zone"),
    ("[schedule.jobs.x]\ntask = 'collect'", "schedule.jobs.x", "exactly one of"),
    ("[telegram]\nbackend = 'telethon'", "telegram.api_id", "required when backend"),
    ("[keywords.empty]\nterms = []", "keywords.empty.terms", "at least 1"),
]


@pytest.mark.parametrize(("body", "key", "fragment"), BAD_CONFIGS)
def test_bad_config_is_one_line_naming_file_and_key(
    tmp_path: Path, body: str, key: str | None, fragment: str
) -> None:
    path = tmp_path / "polmon.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    if key:
        assert f": {key}: " in message
    assert fragment in message
    result = invoke(path, "status")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_secret_names_the_key_and_env_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLMON_TELEGRAM_API_HASH", raising=False)
    path = tmp_path / "polmon.toml"
    path.write_text("[telegram]\nbackend = 'telethon'\napi_id = 1\n", encoding="utf-8")
    result = invoke(path, "config", "check")
    assert result.exit_code == 2
    assert "telegram.api_hash_file: missing secret" in result.output
    assert "POLMON_TELEGRAM_API_HASH" in result.output
    secret = tmp_path / "hash.txt"
    secret.write_text("0123abcd\n", encoding="utf-8")
    path.write_text(
        "[telegram]\nbackend = 'telethon'\napi_id = 1\napi_hash_file = 'hash.txt'\n",
        encoding="utf-8",
    )
    assert load_config(path).telegram_api_hash() == "0123abcd"
    result = invoke(path, "config", "check")
    assert result.exit_code == 0, result.output
    assert "0123abcd" not in result.output
    monkeypatch.setenv("POLMON_TELEGRAM_API_HASH", "fromenv")
    assert load_config(path).telegram_api_hash() == "fromenv"


def test_named_config_must_exist_but_default_may_be_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLMON_CONFIG", raising=False)
    assert load_config(None).actors == []
    monkeypatch.setenv("POLMON_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        load_config(None)


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = folder / "polmon.toml"
    path.write_text("[paths]\ndata_dir = 'state'\n", encoding="utf-8")
    config = load_config(path)
    assert config.data_dir == folder / "state"
    assert config.media_dir == folder / "state" / "media"
    assert config.database_url == f"sqlite:///{folder / 'state' / 'polmon.sqlite3'}"
