"""Typed configuration: the TOML file validated into models, with secrets from env or files."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from collectors.records import Platform

DEFAULT_CONFIG_NAME = "polmon.toml"
CONFIG_ENV = "POLMON_CONFIG"
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


class DatabaseConfig(Section):
    url: str = ""  # empty: sqlite file polmon.sqlite3 under paths.data_dir
    schema_name: str = Field(default="", alias="schema")
    pool_size: PositiveInt = 5
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PathsConfig(Section):
    data_dir: Path = Path("data")
    media_dir: Path | None = None  # default: <data_dir>/media
    model_cache_dir: Path | None = None  # default: <data_dir>/models


class LoggingConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_lines: bool = False


class AccountConfig(Section):
    platform: Platform
    handle: str | None = None
    url: str | None = None
    notes: str | None = None
    enabled: bool = True
    video_urls: list[str] = []  # explicit video/reel URLs (Facebook pages have no listing)

    @model_validator(mode="after")
    def _needs_identity(self) -> AccountConfig:
        if not (self.handle or self.url):
            raise ValueError("an account needs a handle or a url")
        return self

    @property
    def key(self) -> str:
        """The account's identity within its platform (see monitor.accounts.account_key)."""
        from monitor.accounts import account_key

        return account_key(self.platform, self.handle, self.url)


class ActorConfig(Section):
    name: Annotated[str, Field(min_length=1)]
    kind: Literal["person", "organisation"] = "person"
    country: str | None = None
    notes: str | None = None
    accounts: list[AccountConfig] = []


class KeywordGroupConfig(Section):
    terms: Annotated[list[str], Field(min_length=1)]
    exclude: list[str] = []  # a text containing one of these is not a hit for this group
    whole_word: Literal["auto", "always", "never"] = "auto"  # auto: by the term's script
    case_sensitive: bool = False
    regex: bool = False  # terms are regular expressions
    search_in: Literal["posts", "transcripts", "both"] = "both"
    hotwords: bool = True  # pass the terms to Whisper as hotwords / prompt

    @model_validator(mode="after")
    def _regex_terms_compile(self) -> KeywordGroupConfig:
        if self.regex:
            for term in self.terms:
                try:
                    compiled = re.compile(term)
                except re.error as exc:
                    message = f"term {term!r} is not a valid regular expression: {exc}"
                    raise ValueError(message) from None
                if compiled.fullmatch(""):
                    raise ValueError(f"regex term {term!r} matches empty text")
        return self


class GrowthConfig(Section):
    jump_threshold_percent: PositiveFloat = 20.0  # day-over-day change flagged as a jump/drop
    jump_min_change: NonNegativeInt = 1000  # ... when it is also at least this many
    migration_threshold_percent: PositiveFloat = 10.0  # one account falls, another rises
    engagement_posts: PositiveInt = 30  # median views over this many latest posts
    engagement_days: PositiveInt = 30  # posts per day over this many days


class TelegramConfig(Section):
    backend: Literal["auto", "web", "telethon"] = "auto"
    base_url: str = "https://t.me"
    user_agent: str = USER_AGENT
    requests_per_second: PositiveFloat = 1.0
    timeout_seconds: PositiveFloat = 30.0
    max_retries: NonNegativeInt = 4
    backoff_seconds: PositiveFloat = 2.0
    max_backoff_seconds: PositiveFloat = 120.0
    backfill_days: PositiveInt = 30
    max_posts_per_account: PositiveInt = 2000
    recheck_days: NonNegativeFloat = 3.0
    api_id: int | None = None
    api_hash_file: Path | None = None  # else env POLMON_TELEGRAM_API_HASH
    session_file: Path | None = None  # default: <data_dir>/telegram.session
    flood_wait_cap_seconds: NonNegativeFloat = 300.0

    @model_validator(mode="after")
    def _telethon_needs_api_id(self) -> TelegramConfig:
        if self.backend == "telethon" and self.api_id is None:
            raise _KeyError("telegram.api_id", "required when backend = 'telethon'")
        return self


class VideoConfig(Section):
    proxy: str | None = None
    cookies_file: Path | None = None  # Netscape format, for content behind a login wall
    impersonate: str | None = None  # e.g. "chrome"; needs curl_cffi
    sleep_seconds: NonNegativeFloat = 1.0
    retries: NonNegativeInt = 3
    timeout_seconds: PositiveFloat = 30.0
    backfill_days: PositiveInt = 90
    max_posts_per_account: PositiveInt = 500
    recheck_days: NonNegativeFloat = 3.0
    max_duration_seconds: PositiveInt = 3600
    max_filesize_mb: PositiveInt = 500
    keep_video: bool = False  # False: keep only the audio track when that saves space
    concurrency: PositiveInt = 2
    max_attempts: PositiveInt = 4
    retry_backoff_seconds: PositiveFloat = 60.0  # first retry delay; doubles per attempt
    youtube_tabs: Annotated[list[Literal["videos", "shorts", "streams"]], Field(min_length=1)] = [
        "videos",
        "shorts",
    ]
    # Sites the collectors read profile pages from (a mirror or a test server can stand in).
    tiktok_base_url: str = "https://www.tiktok.com"
    verify_certificates: bool = True  # false only behind a TLS-inspecting proxy you trust
    facebook_base_url: str = "https://www.facebook.com"


class TranscriptionConfig(Section):
    backend: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    model: str = "small"  # a model name (downloaded to the cache dir) or a local path
    language: str | None = None  # a hint; empty: detect
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "auto"  # auto: int8 on CPU, float16 on CUDA
    beam_size: PositiveInt = 5
    threads: NonNegativeInt = 0  # 0: the library's default
    vad_filter: bool = True
    condition_on_previous_text: bool = False
    word_timestamps: bool = False  # store per-word times in transcript_segments.words
    hotwords: bool = True  # pass keyword terms as hotwords / initial prompt
    hotword_groups: list[str] = []  # empty: every group with hotwords = true
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    lease_seconds: PositiveInt = 900
    max_attempts: PositiveInt = 3
    poll_seconds: PositiveFloat = 10.0  # `polmon worker`: sleep this long when the queue is empty
    language_models: dict[str, str] = {}  # detected language -> model name or path


class JobConfig(Section):
    task: Literal["collect", "snapshots", "download", "transcribe", "rescan", "digest"]
    platform: Platform | None = None  # collect/snapshots: one platform, else all
    interval_minutes: PositiveFloat | None = None
    cron: str | None = None  # five fields, in [schedule] timezone
    enabled: bool = True
    limit: PositiveInt | None = None  # download/transcribe: items per run
    lists: list[str] = []  # digest: only these [[digest.lists]] names; empty: every list

    @model_validator(mode="after")
    def _one_trigger(self) -> JobConfig:
        if (self.interval_minutes is None) == (self.cron is None):
            raise ValueError("give exactly one of interval_minutes or cron")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"cron {self.cron!r} needs five fields: minute hour day month weekday")
        if self.lists and self.task != "digest":
            raise ValueError("lists applies only to task = 'digest'")
        return self


class ScheduleConfig(Section):
    timezone: str = "UTC"
    misfire_grace_seconds: PositiveInt = 300
    jobs: dict[str, JobConfig] = {}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value


class DigestListConfig(Section):
    name: Annotated[str, Field(min_length=1)]
    recipients: Annotated[list[str], Field(min_length=1)]
    actors: list[str] = []  # empty: every actor
    keyword_groups: list[str] = []  # empty: every group

    @field_validator("recipients")
    @classmethod
    def _emails(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
                raise ValueError(f"{value!r} is not an email address")
        return values


class DigestConfig(Section):
    enabled: bool = False
    period_hours: PositiveInt = 24
    subject_prefix: str = "[polmon]"
    top_posts: PositiveInt = 10
    lists: list[DigestListConfig] = []


class SmtpConfig(Section):
    host: str = "localhost"
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_file: Path | None = None  # else env POLMON_SMTP_PASSWORD
    from_address: str = "polmon@localhost"
    timeout_seconds: PositiveFloat = 30.0
    max_attempts: PositiveInt = 3
    retry_backoff_seconds: NonNegativeFloat = 30.0  # doubles after each failed attempt
    ca_file: Path | None = None  # PEM CA bundle for a server with a private certificate


class PolmonConfig(Section):
    database: DatabaseConfig = DatabaseConfig()
    paths: PathsConfig = PathsConfig()
    logging: LoggingConfig = LoggingConfig()
    actors: list[ActorConfig] = []
    keywords: dict[str, KeywordGroupConfig] = {}
    growth: GrowthConfig = GrowthConfig()
    telegram: TelegramConfig = TelegramConfig()
    video: VideoConfig = VideoConfig()
    transcription: TranscriptionConfig = TranscriptionConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    digest: DigestConfig = DigestConfig()
    smtp: SmtpConfig = SmtpConfig()
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
    def model_cache_dir(self) -> Path:
        return self.resolve(self.paths.model_cache_dir or self.paths.data_dir / "models")

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.data_dir / 'polmon.sqlite3'}"

    @property
    def telegram_session_path(self) -> Path:
        return self.resolve(self.telegram.session_file or self.paths.data_dir / "telegram")

    # Secrets: from the environment or a file named in config, never from TOML ---------
    def telegram_api_hash(self, *, required: bool = False) -> str | None:
        value = read_secret("POLMON_TELEGRAM_API_HASH", self._opt(self.telegram.api_hash_file))
        if value is None and required:
            raise self.missing_secret("telegram.api_hash_file", "POLMON_TELEGRAM_API_HASH")
        return value

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
        if self.telegram.backend == "telethon":
            self.telegram_api_hash(required=True)
        if self.smtp.username and self.digest.enabled:
            self.smtp_password(required=True)

    def _opt(self, path: Path | None) -> Path | None:
        return None if path is None else self.resolve(path)


class _KeyError(ValueError):
    """A validation error that knows its key path (raised from model validators)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class ConfigError(Exception):
    """A config problem, rendered as one line naming the file and key."""

    def __init__(self, source: Path | str, key: str | None, message: str) -> None:
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(f"config error in {where}{message}")
        self.source, self.key, self.reason = source, key, message


def read_secret(env_name: str, path: Path | None) -> str | None:
    """A secret from environment variable `env_name`, else from the file `path`."""
    value = os.environ.get(env_name)
    if value:
        return value.strip()
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read secret file: {exc.strerror}") from None


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
        raise _to_config_error(exc, source) from None
    config.source = Path(source).resolve() if not isinstance(source, str) else None
    return config


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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read: {exc}") from None
    config = parse_config(data, path)
    config.source = path.resolve()
    return config


_SECRET_KEYS = {
    ("telegram", "api_hash"): "POLMON_TELEGRAM_API_HASH or telegram.api_hash_file",
    ("smtp", "password"): "POLMON_SMTP_PASSWORD or smtp.password_file",
    ("telegram", "session"): "telegram.session_file",
}


def _reject_inline_secrets(data: dict[str, Any], source: Path | str) -> None:
    for (section, key), where in _SECRET_KEYS.items():
        if isinstance(data.get(section), dict) and key in data[section]:
            raise ConfigError(
                source, f"{section}.{key}", f"secrets never live in the config file: use {where}"
            )


def _to_config_error(exc: Any, source: Path | str) -> ConfigError:
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    context = error.get("ctx") or {}
    original = context.get("error")
    if isinstance(original, _KeyError):
        return ConfigError(source, original.key, str(original))
    key = ".".join(loc) or None
    kind = error["type"]
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "literal_error":
        message = f"expected {context.get('expected')}, got {error.get('input')!r}"
    else:
        message = error["msg"].removeprefix("Value error, ")
        if "input" in error and not isinstance(error["input"], dict | list):
            message += f", got {error['input']!r}"
    return ConfigError(source, key, message)
