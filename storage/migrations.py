"""Alembic migrations run programmatically: upgrade to head, current revision, heads."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

_HERE = Path(__file__).resolve().parent
# In a checkout the migrations live in the top-level alembic/; a wheel carries them here.
_CANDIDATES = (_HERE.parent / "alembic", _HERE / "migrations")


def script_location() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("polmon's alembic migrations are missing from this installation")


# Database objects that migrations create by hand and the models do not describe
# (full-text indexes, views): autogenerate must not report them as differences.
HAND_MADE_PREFIXES = ("fts_", "v_")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic `include_object` filter shared by env.py and the models-vs-migrations test."""
    if (
        type_ == "table"
        and name
        and (name == "alembic_version" or name.startswith(HAND_MADE_PREFIXES))
    ):
        return False
    return not (type_ == "index" and name and name.startswith(HAND_MADE_PREFIXES))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revisions() -> tuple[str, ...]:
    script = ScriptDirectory(str(script_location()))
    return tuple(script.get_heads())


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) in head_revisions()
