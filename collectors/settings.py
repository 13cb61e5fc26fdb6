"""The base of every config section model, and what a section needs to resolve its settings.

Collectors' settings models live beside their collectors and build on this module;
`monitor.config` assembles them into the config file's model and resolves them
(paths against the config file, secrets from the environment or files) through
`SettingsContext`, so collectors never see the whole config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from collectors.errors import UserError

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class CollectorSection(Section):
    """A collector's section: the listing window every platform's collection pass uses (each
    platform may change the defaults)."""

    backfill_days: PositiveInt = 30  # how far back the first listing of an account goes
    max_posts_per_account: PositiveInt = 2000  # a listing stops after this many posts
    recheck_days: NonNegativeFloat = 3.0  # later listings re-read at least this far back


class SettingsKeyError(UserError, ValueError):
    """A validation error that knows its key path (raised from model validators)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class SettingsContext(Protocol):
    """What resolving a section needs from the loaded config: its folder and its secrets."""

    @property
    def data_dir(self) -> Path: ...

    def resolve(self, path: Path) -> Path:
        """`path` made absolute against the config file's folder."""
        ...

    def secret(
        self, key: str, env_name: str, file: Path | None, *, required: bool = False
    ) -> str | None:
        """A secret from `env_name`, else from `file`; raise the config's error if required."""
        ...
