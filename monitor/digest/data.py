"""What a digest shows: its period and scope, and the plain rows of each section."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config import DigestListConfig, PolmonConfig
from monitor.hit_confidence import APPROXIMATE_MARK, is_low, match_label
from monitor.queries.growth.data import ENDED_STATUSES


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, shown in the configured time zone."""

    start: datetime
    end: datetime
    zone: str = "UTC"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a digest period needs timezone-aware times")
        if self.end <= self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def local(self, value: datetime) -> datetime:
        return value.astimezone(self.tz)

    @property
    def label(self) -> str:
        return self.describe()

    def describe(self, dash: str = "–") -> str:
        """`2024-05-01 07:00 – 2024-05-02 07:00 (Asia/Phnom_Penh)`, in the period's zone."""
        start, end = self.local(self.start), self.local(self.end)
        end_fmt = "%H:%M" if start.date() == end.date() else "%Y-%m-%d %H:%M"
        return f"{start:%Y-%m-%d %H:%M} {dash} {end:{end_fmt}} ({self.zone})"


def period_ending(config: PolmonConfig, now: datetime | None = None) -> Period:
    """The default period: the last [digest] period_hours ending at `now` (to the second)."""
    end = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    start = end - timedelta(hours=config.digest.period_hours)
    return Period(start, end, config.schedule.timezone)


def period_for_date(config: PolmonConfig, day: date) -> Period:
    """One calendar day, midnight to midnight in the configured time zone."""
    tz = ZoneInfo(config.schedule.timezone)
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    return Period(start.astimezone(UTC), end.astimezone(UTC), config.schedule.timezone)


@dataclass(frozen=True)
class Scope:
    """Whose posts and which keyword groups a digest covers (empty: everything)."""

    name: str
    recipients: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    keyword_groups: tuple[str, ...] = ()

    @classmethod
    def from_list(cls, item: DigestListConfig) -> Scope:
        return cls(
            item.name, tuple(item.recipients), tuple(item.actors), tuple(item.keyword_groups)
        )


ALL = Scope("all")


@dataclass
class PostCount:
    actor: str
    platform: str
    handle: str
    count: int


@dataclass
class PostItem:
    actor: str
    platform: str
    handle: str
    url: str | None
    published_at: datetime
    kind: str
    text: str
    views: int | None = None
    likes: int | None = None
    shares: int | None = None


@dataclass
class HitItem:
    term: str
    actor: str
    platform: str
    source_kind: str
    snippet: str
    link: str | None
    start_seconds: float | None
    published_at: datetime | None
    terms: tuple[str, ...] = ()  # every term of the group this source matched, `term` first
    confidence: float | None = None  # how sure the words were heard; None: exact text
    approximate_terms: tuple[str, ...] = ()  # those of `terms` matched approximately (fuzzy)

    @property
    def approximate(self) -> bool:
        """Every term of this source was matched approximately: nothing exact was found."""
        return bool(self.approximate_terms) and set(self.approximate_terms) >= set(self.terms)

    def term_labels(self) -> list[str]:
        """The terms, approximate ones marked `≈ term`."""
        return [f"{APPROXIMATE_MARK} {t}" if t in self.approximate_terms else t for t in self.terms]

    @property
    def doubtful(self) -> bool:
        """Worth a reader's second look: an approximate term or words heard unsurely."""
        return bool(self.approximate_terms) or is_low(self.confidence)

    @property
    def match(self) -> str:
        """`≈ approximate, low confidence 41%`…, empty for exact text."""
        label = match_label(self.confidence, self.approximate)
        return "" if label == "exact" else label


@dataclass
class HitGroup:
    """`total` counts term matches; `sources` the posts and segments they are in."""

    name: str
    total: int
    terms: dict[str, int]
    hits: list[HitItem] = field(default_factory=list)
    sources: int = 0
    approximate: int = 0  # of `total`, matches that are approximate (never counted silently)

    @property
    def more(self) -> int:
        """Sources matched but not listed."""
        return max(self.sources, len(self.hits)) - len(self.hits)


@dataclass
class AudienceRow:
    actor: str
    platform: str
    handle: str
    latest: int | None
    latest_at: datetime | None
    change_1d: int | None
    change_7d: int | None
    series: list[tuple[datetime, int]] = field(default_factory=list)
    status: str = "active"  # the account's status: deleted, private, unavailable are shown
    flags: list[str] = field(default_factory=list)  # see digest.audience_flags
    # From the first to the last capture inside the period (None: fewer than one capture).
    change_period: int | None = None
    percent_period: float | None = None

    @property
    def ended(self) -> bool:
        return self.status in ENDED_STATUSES


@dataclass
class EditItem:
    actor: str
    platform: str
    handle: str
    url: str | None
    seen_at: datetime
    old_text: str
    new_text: str


@dataclass
class DeletionItem:
    actor: str
    platform: str
    handle: str
    url: str | None
    published_at: datetime
    deleted_at: datetime
    text: str


@dataclass
class EventItem:
    actor: str
    platform: str
    handle: str
    kind: str
    detail: str
    detected_at: datetime


@dataclass
class FailureItem:
    source: str  # collection, job, digest or alerts
    what: str
    at: datetime
    status: str
    error: str


@dataclass
class QuietAccount:
    actor: str
    platform: str
    handle: str
    last_collected_at: datetime | None


@dataclass
class DigestData:
    """Every section of one digest; empty lists render as an explicit 'none'."""

    period: Period
    scope: Scope
    generated_at: datetime
    post_counts: list[PostCount]
    hit_groups: list[HitGroup]
    audience: list[AudienceRow]
    edits: list[EditItem]
    deletions: list[DeletionItem]
    top_posts: list[PostItem]
    events: list[EventItem]
    failures: list[FailureItem]
    quiet_accounts: list[QuietAccount]
    backlog: dict[str, int]
    stale_leases: int = 0
    skipped_media: dict[str, int] = field(default_factory=dict)  # per reason
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def new_posts(self) -> int:
        return sum(row.count for row in self.post_counts)

    @property
    def keyword_hits(self) -> int:
        return sum(group.total for group in self.hit_groups)

    @property
    def problems(self) -> int:
        return len(self.failures) + len(self.quiet_accounts)
