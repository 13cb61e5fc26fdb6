"""Typed configuration: the TOML file validated into models, with secrets from env or files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from collectors.telegram.settings import TelegramSettings
from collectors.video.settings import VideoSettings
from monitor.alerts.config import AlertsConfig
from monitor.config_errors import ConfigError as ConfigError
from monitor.config_errors import to_config_error
from monitor.config_sections import (
    CONFIG_ENV,
    DEFAULT_CONFIG_NAME,
    DUE_JOB,
    USER_AGENT,
    AccountConfig,
    ActorConfig,
    DatabaseConfig,
    DigestConfig,
    DigestListConfig,
    GrowthConfig,
    JobConfig,
    KeywordGroupConfig,
    LoggingConfig,
    NonNegativeFloat,
    NonNegativeInt,
    PathsConfig,
    PositiveFloat,
    PositiveInt,
    ScheduleConfig,
    Section,
    SmtpConfig,
    TelegramConfig,
    TranscriptionConfig,
    VideoConfig,
    WebConfig,
    _KeyError,
)
from monitor.egress import HttpConfig
from monitor.engagement.config import EngagementConfig
from monitor.evidence.config import EvidenceConfig
from monitor.ocr.config import OcrConfig
from storage.redaction import register_secret

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_NAME",
    "USER_AGENT",
    "AccountConfig",
    "ActorConfig",
    "ConfigError",
    "DatabaseConfig",
    "DigestConfig",
    "DigestListConfig",
    "GrowthConfig",
    "JobConfig",
    "KeywordGroupConfig",
    "LoggingConfig",
    "NonNegativeFloat",
    "NonNegativeInt",
    "PathsConfig",
    "PolmonConfig",
    "PositiveFloat",
    "PositiveInt",
    "ScheduleConfig",
    "Section",
    "SmtpConfig",
    "TelegramConfig",
    "TranscriptionConfig",
    "VideoConfig",
    "WebConfig",
    "find_config_path",
    "load_config",
    "parse_config",
    "read_secret",
]


class PolmonConfig(Section):
    database: DatabaseConfig = DatabaseConfig()
    paths: PathsConfig = PathsConfig()
    logging: LoggingConfig = LoggingConfig()
    actors: list[ActorConfig] = Field(default_factory=list)
    keywords: dict[str, KeywordGroupConfig] = Field(default_factory=dict)
    growth: GrowthConfig = GrowthConfig()
    engagement: EngagementConfig = EngagementConfig()
    telegram: TelegramConfig = TelegramConfig()
    video: VideoConfig = VideoConfig()
    http: HttpConfig = HttpConfig()
    transcription: TranscriptionConfig = TranscriptionConfig()
    ocr: OcrConfig = OcrConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    digest: DigestConfig = DigestConfig()
    smtp: SmtpConfig = SmtpConfig()
    web: WebConfig = WebConfig()
    alerts: AlertsConfig = AlertsConfig()
    # Where the file was read from; relative paths resolve against its folder.
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_names(self) -> PolmonConfig:
        seen_actors: set[str] = set()
        seen_accounts: dict[tuple[str, str], str] = {}
        for a_index, actor in enumerate(self.actors):
            if actor.name in seen_actors:
                raise _KeyError(f"actors.{a_index}.name", f"duplicate actor {actor.name!r}")
            seen_actors.add(actor.name)
            for c_index, account in enumerate(actor.accounts):
                ident = (account.platform, account.key)
                if ident in seen_accounts:
                    raise _KeyError(
                        f"actors.{a_index}.accounts.{c_index}",
                        f"duplicate {account.platform} account {account.key!r} "
                        f"(already under {seen_accounts[ident]!r})",
                    )
                seen_accounts[ident] = actor.name
        self._due_job_name_free()
        list_names = {item.name for item in self.digest.lists}
        if len(list_names) != len(self.digest.lists):
            raise _KeyError("digest.lists", "duplicate digest list name")
        for job_name, job in self.schedule.jobs.items():
            for name in job.lists:
                if name not in list_names:
                    raise _KeyError(
                        f"schedule.jobs.{job_name}.lists", f"no [[digest.lists]] named {name!r}"
                    )
        return self

    def _due_job_name_free(self) -> None:
        """With account intervals and no collect_due job, `polmon run` adds one: DUE_JOB."""
        clash = self.schedule.jobs.get(DUE_JOB)
        intervals = any(
            account.interval_minutes or actor.interval_minutes
            for actor in self.actors
            for account in actor.accounts
        )
        due_jobs = any(job.task == "collect_due" for job in self.schedule.jobs.values())
        if clash is not None and intervals and not due_jobs:
            raise _KeyError(
                f"schedule.jobs.{DUE_JOB}",
                f"{DUE_JOB!r} is the job `polmon run` adds for interval_minutes: rename this "
                "job, or give it task = 'collect_due'",
            )

    @model_validator(mode="after")
    def _known_hotword_groups(self) -> PolmonConfig:
        for index, name in enumerate(self.transcription.hotword_groups):
            if name not in self.keywords:
                raise _KeyError(
                    f"transcription.hotword_groups.{index}", f"no keyword group named {name!r}"
                )
        return self

    # Resolved locations -------------------------------------------------------------
    def resolve(self, path: Path) -> Path:
        path = path.expanduser()
        if path.is_absolute() or self.source is None:
            return path
        return self.source.parent / path

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.paths.data_dir)

    @property
    def media_dir(self) -> Path:
        return self.resolve(self.paths.media_dir or self.paths.data_dir / "media")

    @property
    def media_root(self) -> str:
        """Where media files are kept: an fsspec URL as written, else a resolved folder."""
        root = (self.paths.media_root or "").strip()
        if not root:
            return str(self.media_dir)
        if "://" in root:
            return root
        return str(self.resolve(Path(root)))

    @property
    def evidence_root(self) -> Path:
        return self.resolve(self.evidence.root or self.paths.data_dir / "evidence")

    @property
    def model_cache_dir(self) -> Path:
        return self.resolve(self.paths.model_cache_dir or self.paths.data_dir / "models")

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.data_dir / 'polmon.sqlite3'}"

    def open_engine(self) -> Engine:
        """An engine on the configured database, schema and pool (not connected, not migrated)."""
        from storage.engine import make_engine

        schema = self.database.schema_name or None
        return make_engine(self.database_url, schema=schema, pool_size=self.database.pool_size)

    @property
    def telegram_session_path(self) -> Path:
        return self.telegram.session_path(self)

    # Each collector's settings, resolved: collectors see these, never the whole config ---
    @property
    def telegram_settings(self) -> TelegramSettings:
        return self.telegram.resolved(self)

    @property
    def video_settings(self) -> VideoSettings:
        return self.video.resolved(self)

    def collector_settings(self, platform: str) -> Any:
        """The resolved settings of `platform`'s collector, from the section it names."""
        from collectors.registry import platform_spec

        section = getattr(self, platform_spec(platform).settings_section)
        return section.resolved(self)

    # Secrets: from the environment or a file named in config, never from TOML ---------
    def secret(
        self, key: str, env_name: str, file: Path | None, *, required: bool = False
    ) -> str | None:
        """A secret from `env_name`, else from `file`; a ConfigError naming `key` if required."""
        value = read_secret(env_name, file)
        if value is None and required:
            raise self.missing_secret(key, env_name)
        return value

    def telegram_api_hash(self, *, required: bool = False) -> str | None:
        return self.telegram.api_hash(self, required=required)

    def smtp_password(self, *, required: bool = False) -> str | None:
        value = read_secret("POLMON_SMTP_PASSWORD", self._opt(self.smtp.password_file))
        if value is None and required:
            raise self.missing_secret("smtp.password_file", "POLMON_SMTP_PASSWORD")
        return value

    def missing_secret(self, key: str, env_name: str) -> ConfigError:
        return ConfigError(
            self.source or DEFAULT_CONFIG_NAME,
            key,
            f"missing secret: set the environment variable {env_name} or name a file in {key}",
        )

    def check_secrets(self) -> None:
        """Fail now, with the key, for each secret that the configured features need."""
        problems = self.secret_problems()
        if problems:
            raise problems[0]

    def secret_problems(self) -> list[ConfigError]:
        """Each secret that the configured features need and that is missing or unreadable."""
        needed = (
            (self.telegram.backend == "telethon", self.telegram_api_hash),
            (bool(self.smtp.username and self.digest.enabled), self.smtp_password),
        )
        problems = []
        for wanted, read in needed:
            try:
                if wanted:
                    read(required=True)
            except ConfigError as exc:
                problems.append(exc)
        return problems

    def _opt(self, path: Path | None) -> Path | None:
        return None if path is None else self.resolve(path)


def read_secret(env_name: str, path: Path | None) -> str | None:
    """A secret from environment variable `env_name`, else from the file `path`.

    Whatever is read is registered for redaction (logs, error lines, the database).
    """
    value = os.environ.get(env_name)
    if value:
        secret: str | None = value.strip()
    elif path is None:
        return None
    else:
        try:
            secret = path.read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(path, None, f"cannot read secret file: {exc.strerror}") from None
    register_secret(secret)
    return secret


def find_config_path(explicit: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The config path to use and whether the user named it (a named file must exist)."""
    if explicit:
        return Path(explicit), True
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env), True
    return Path(DEFAULT_CONFIG_NAME), False


def parse_config(data: dict[str, Any], source: Path | str) -> PolmonConfig:
    """Validate a TOML document into a PolmonConfig or raise a one-line ConfigError."""
    from pydantic import ValidationError

    _reject_inline_secrets(data, source)
    try:
        config = PolmonConfig.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, source) from None
    config.source = Path(source).resolve() if not isinstance(source, str) else None
    return config


TOO_DEEP = "arrays or tables nested too deeply to read (polmon's config is a few levels deep)"


def load_config(explicit: str | os.PathLike[str] | None = None) -> PolmonConfig:
    """Find, read and validate the config; a missing default file gives the defaults."""
    import tomllib

    path, named = find_config_path(explicit)
    if not path.is_file():
        if named:
            raise ConfigError(path, None, "file not found (run `polmon init` to create one)")
        config = PolmonConfig()
        config.source = path.resolve()
        return config
    try:
        # utf-8-sig: a byte-order mark (Windows editors write one) is not part of the TOML.
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read: {exc}") from None
    except RecursionError:
        raise ConfigError(path, None, TOO_DEEP) from None
    try:
        config = parse_config(data, path)
    except RecursionError:
        raise ConfigError(path, None, TOO_DEEP) from None
    config.source = path.resolve()
    return config


_SECRET_KEYS = {
    ("telegram", "api_hash"): "POLMON_TELEGRAM_API_HASH or telegram.api_hash_file",
    ("smtp", "password"): "POLMON_SMTP_PASSWORD or smtp.password_file",
    ("telegram", "session"): "telegram.session_file",
}


def _reject_inline_secrets(data: dict[str, Any], source: Path | str) -> None:
    found = [
        ConfigError(
            source, f"{section}.{key}", f"secrets never live in the config file: use {where}"
        )
        for (section, key), where in _SECRET_KEYS.items()
        if isinstance(data.get(section), dict) and key in data[section]
    ]
    if found:
        first = found[0]
        raise ConfigError(source, first.key, first.reason, more=[str(e) for e in found[1:]])
