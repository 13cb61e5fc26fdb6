"""What a channel sends: one message per rule and channel, bundling one or more alert items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AlertItem:
    """One event as the receiver sees it; `event_id` is stable (the same hit, the same id)."""

    event_id: str
    kind: str  # keyword_hit | new_post | edited | deleted | account_event | growth_jump | test
    occurred_at: datetime  # when it happened on the platform (or was detected), UTC
    detected_at: datetime  # when polmon saw it, UTC
    actor: str | None = None
    account: str | None = None  # the account's handle
    platform: str | None = None
    link: str | None = None  # the post on the platform; `?t=<second>` for a hit in a video
    web_link: str | None = None  # the web app's post page, when `[web] base_url` is set
    snippet: str | None = None  # the text around the term, or the post's start
    term: str | None = None
    group: str | None = None
    source: str | None = None  # posts | transcripts, for keyword hits
    seconds: float | None = None  # where in the video the term was said
    source_kind: str | None = None  # keyword hits: post, poll, transcript… (finer than source)
    confidence: float | None = None  # keyword hits: how sure the words were heard; None: exact
    approximate: bool = False  # keyword hits: a fuzzy match, not the term itself
    detail: dict[str, Any] = field(default_factory=dict)  # kind-specific (old/new title, change…)


@dataclass(frozen=True)
class AlertMessage:
    """A bundle for one rule and one channel; `id` is its idempotency key (webhook-id)."""

    id: str
    rule: str
    channel: str
    items: tuple[AlertItem, ...]
    timezone: str = "UTC"  # times are shown in `[schedule] timezone`
