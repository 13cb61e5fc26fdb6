"""The sections of polmon's config file as typed models (assembled in monitor.config)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, field_validator, model_validator

from collectors.identity import account_key, check_account
from collectors.records import Platform
from collectors.settings import (
    USER_AGENT,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Section,
    SettingsKeyError,
)
from collectors.telegram.settings import TelegramConfig
from collectors.video.settings import VideoConfig
from monitor.user_regex import UserRegexError, compile_user_regex
from storage.audience_jumps import JumpThreshold

_KeyError = SettingsKeyError  # the one validation error that names its key

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_NAME",
    "USER_AGENT",
    "NonNegativeFloat",
    "NonNegativeInt",
    "PositiveFloat",
    "PositiveInt",
    "Section",
    "TelegramConfig",
    "VideoConfig",
]

DEFAULT_CONFIG_NAME = "polmon.toml"
CONFIG_ENV = "POLMON_CONFIG"
# The job `polmon run` adds to collect the accounts with interval_minutes that are due.
DUE_JOB = "collect-due"


class DatabaseConfig(Section):
    url: str = ""  # empty: sqlite file polmon.sqlite3 under paths.data_dir
    schema_name: str = Field(default="", alias="schema")
    pool_size: PositiveInt = 5
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PathsConfig(Section):
    data_dir: Path = Path("data")
    media_dir: Path | None = None  # default: <data_dir>/media
    # Where downloaded files are kept, by key: unset = media_dir itself; a folder (NFS share)
    # or an fsspec URL such as "s3://bucket/prefix" (s3fs); media_dir is then only the local
    # staging folder of downloads. Credentials: the store's own (AWS env vars, profile).
    media_root: str | None = None
    media_root_options: dict[str, str | int | bool] = {}  # e.g. {endpoint_url = "http://…"}
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
    # Collected when this many minutes have passed since its last collection (the collect_due
    # job); else its actor's interval_minutes; else only by the collect jobs' own schedule.
    interval_minutes: PositiveFloat | None = None
    # Telegram only: read the comments of this channel's posts (default: [telegram] comments),
    # at most this many per post (default: [telegram] comments_max).
    comments: bool | None = None
    comments_max: PositiveInt | None = None
    # Which responses are kept as evidence (all, hits, none); else its actor's, else
    # [evidence] capture.
    evidence: Literal["all", "hits", "none"] | None = None

    @model_validator(mode="after")
    def _needs_identity(self) -> AccountConfig:
        if not (self.handle or self.url):
            raise ValueError("an account needs a handle or a url")
        if self.platform != "telegram" and (self.comments or self.comments_max is not None):
            raise ValueError("comments are collected for telegram accounts only")
        # What `collect` would reject later: a URL of another platform, a handle no
        # platform allows, a t.me path that names no channel.
        check_account(self.platform, self.handle, self.url)
        return self

    @property
    def key(self) -> str:
        """The account's identity within its platform (see collectors.identity.account_key)."""
        return account_key(self.platform, self.handle, self.url)


class ActorConfig(Section):
    name: Annotated[str, Field(min_length=1)]
    kind: Literal["person", "organisation"] = "person"
    country: str | None = None
    notes: str | None = None
    interval_minutes: PositiveFloat | None = None  # every account's, unless it has its own
    evidence: Literal["all", "hits", "none"] | None = None  # likewise
    accounts: list[AccountConfig] = []


class KeywordGroupConfig(Section):
    terms: Annotated[list[str], Field(min_length=1)]
    exclude: list[str] = []  # a text containing one of these is not a hit for this group
    whole_word: Literal["auto", "always", "never"] = "auto"  # auto: by the term's script
    case_sensitive: bool = False
    regex: bool = False  # terms are regular expressions
    search_in: Literal["posts", "transcripts", "both"] = "both"
    hotwords: bool = True  # pass the terms to Whisper as hotwords / prompt
    fuzzy: bool = True  # transcripts: close word sequences are approximate hits

    @model_validator(mode="after")
    def _regex_terms_compile(self) -> KeywordGroupConfig:
        if self.regex:
            for term in self.terms:
                try:
                    compile_user_regex(term, case_sensitive=self.case_sensitive)
                except UserRegexError as exc:
                    raise ValueError(f"regex term {exc}") from None
        return self


class GrowthConfig(Section):
    jump_threshold_percent: PositiveFloat = 20.0  # day-over-day change flagged as a jump/drop
    jump_min_change: NonNegativeInt = 1000  # ... when it is also at least this many
    migration_threshold_percent: PositiveFloat = 10.0  # one account falls, another rises
    engagement_posts: PositiveInt = 30  # median views over this many latest posts
    engagement_days: PositiveInt = 30  # posts per day over this many days

    def jump(self) -> JumpThreshold:
        """The one jump definition: the growth report's jump/drop flags and the
        `growth_jump` alerts written with each snapshot (storage/audience_jumps.py)."""
        return JumpThreshold(self.jump_threshold_percent, self.jump_min_change)


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
    keyword_fuzzy: bool = True  # close word sequences in transcripts become approximate hits
    keyword_fuzzy_min_score: Annotated[float, Field(ge=0.5, le=1.0)] = 0.75
    keyword_fuzzy_min_letters: PositiveInt = 6  # shorter terms ("bat") only match exactly
    keyword_fuzzy_phonetic: bool = True  # sound by a Metaphone-like key (else: folded letters)
    keyword_drop_repeats: bool = True  # a term written twice in a row ("X, X") is no hit
    keyword_verify: bool = False  # faster-whisper: a second pass scores terms the text missed
    keyword_verify_min_llr: float = 18.0  # the log-likelihood ratio a scored term needs
    audio_filter: str = ""  # an ffmpeg -af chain applied to the decoded samples; empty: none
    lease_seconds: PositiveInt = 900
    max_attempts: PositiveInt = 3
    poll_seconds: PositiveFloat = 10.0  # `polmon worker`: sleep this long when the queue is empty
    language_models: dict[str, str] = {}  # detected language -> model name or path
    # Worker capabilities (`polmon worker --capability`): what every transcription needs
    # (e.g. ["gpu"]), and what a language's media need besides its routed model's language
    # (e.g. km = ["gpu"]; the post's language, or the one detected in the audio); see
    # monitor/capabilities.py.
    needs: list[str] = []
    language_needs: dict[str, list[str]] = {}
    # faster-whisper's BatchedInferencePipeline (speech regions decoded batch_size at a time):
    # "auto": on CUDA only (on CPU it was faster but wrote different words: docs/benchmarks.md).
    batched: bool | Literal["auto"] = "auto"
    batch_size: PositiveInt = 8


class JobConfig(Section):
    task: Literal[
        "collect",
        "collect_due",
        "snapshots",
        "download",
        "transcribe",
        "ocr",
        "screenshots",
        "rescan",
        "digest",
        "evidence_stamp",
    ]
    platform: Platform | None = None  # collect/collect_due/snapshots: one platform, else all
    interval_minutes: PositiveFloat | None = None
    cron: str | None = None  # five fields, in [schedule] timezone
    enabled: bool = True
    limit: PositiveInt | None = None  # download/transcribe/ocr/screenshots: items per run
    lists: list[str] = []  # digest: only these [[digest.lists]] names; empty: every list
    run_at_start: bool | None = None  # interval jobs: run once at start; None: [schedule]'s

    @model_validator(mode="after")
    def _one_trigger(self) -> JobConfig:
        if (self.interval_minutes is None) == (self.cron is None):
            raise ValueError("give exactly one of interval_minutes or cron")
        if self.run_at_start and self.cron is not None:
            raise ValueError("run_at_start applies only to interval_minutes jobs, not cron")
        if self.cron is not None and len(self.cron.split()) != 5:
            raise ValueError(f"cron {self.cron!r} needs five fields: minute hour day month weekday")
        if self.lists and self.task != "digest":
            raise ValueError("lists applies only to task = 'digest'")
        return self


class ScheduleConfig(Section):
    timezone: str = "UTC"
    misfire_grace_seconds: PositiveInt = 300
    run_at_start: bool = True  # interval jobs (digests excepted) run once at start
    # How often the collect-due job `polmon run` adds (when an account has interval_minutes
    # and no job has task = "collect_due") looks for accounts whose interval is up.
    due_check_seconds: PositiveFloat = 30.0
    # A due account is leased to one collector (`polmon run`, `polmon worker --stage collect`)
    # for this long, renewed every third of it; a killed worker's account is taken again then.
    collect_lease_seconds: PositiveFloat = 600.0
    # A run that gives the next stage work (a collection queued media, a download stored files)
    # brings that stage's jobs forward to now instead of waiting for their next tick.
    chain_stages: bool = True
    jobs: dict[str, JobConfig] = {}

    def runs_at_start(self, job: JobConfig) -> bool:
        """Whether `job` runs once at start: interval jobs only, the job's setting first;
        digests only when their job says so (a restart must not mail one)."""
        if job.interval_minutes is None:
            return False
        if job.run_at_start is not None:
            return job.run_at_start
        return self.run_at_start and job.task != "digest"

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
    # Keyword hits heard less surely than this (0..1) are left out; exact text hits always pass.
    min_confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    include_approximate: bool = True  # approximate (fuzzy) hits are listed, marked ≈
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


class WebConfig(Section):
    """`polmon serve`: where it listens and how its sessions are kept."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    # Processes serving requests (each keeps its own page cache); about one per core.
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    # Key signing the session cookies: env POLMON_WEB_SECRET, else this file (mode 0600).
    secret_key_file: Path | None = None
    # Cookies marked Secure: on behind an HTTPS reverse proxy (see docs/deployment.md).
    secure_cookies: bool = False
    session_hours: PositiveInt = 12
    login_attempts_per_minute: PositiveInt = 5
    # Where the team reaches the web app (e.g. "https://polmon.example.org"): alerts link to
    # its post pages (<base_url>/posts/<id>).
    base_url: str | None = None
