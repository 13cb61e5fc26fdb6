"""Leased deliveries become alert items, bundled into one message per rule and channel."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.alerts.message import AlertItem, AlertMessage
from monitor.queries.alerts import DeliveryToSend

SNIPPET_CHARS = 280


@dataclass(frozen=True)
class Bundle:
    """A message and the deliveries it settles."""

    message: AlertMessage
    delivery_ids: tuple[int, ...]
    attempts: int  # the most any of its deliveries has had
    oldest: datetime  # the earliest created delivery: give_up_hours counts from it


def web_link(base_url: str | None, post_id: int | None, seconds: float | None) -> str | None:
    """The web app's post page (`?t=` where the term was said), when `[web] base_url` is set."""
    if not base_url or post_id is None:
        return None
    link = f"{base_url.rstrip('/')}/posts/{post_id}"
    return f"{link}?t={int(seconds)}" if seconds is not None else link


def _snippet(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def alert_item(row: DeliveryToSend, base_url: str | None) -> AlertItem:
    """What the receiver is told about one delivery's event."""
    payload = row.payload
    seconds = payload.get("seconds")
    # How a term was matched belongs to a hit; other kinds keep such keys in their detail
    # (a growth jump's `approximate` is about the count, not about a match).
    item_fields = _ITEM_FIELDS if row.kind == "keyword_hit" else _ITEM_FIELDS - _HIT_MATCH_FIELDS
    detail = {k: v for k, v in payload.items() if k not in item_fields}
    hit = payload if row.kind == "keyword_hit" else {}
    if row.kind == "keyword_hit":
        snippet = payload.get("snippet") or _snippet(row.post_text)
    elif row.kind == "edited":
        snippet = _snippet(row.version_text)
    else:
        snippet = _snippet(row.post_text)
    return AlertItem(
        event_id=row.event_key,
        kind=row.kind,
        occurred_at=row.occurred_at,
        detected_at=row.detected_at,
        actor=row.actor,
        account=row.account,
        platform=row.platform,
        link=payload.get("link") or row.post_url,
        web_link=web_link(base_url, row.post_id, seconds),
        snippet=snippet,
        term=payload.get("term"),
        group=payload.get("group"),
        source=payload.get("source"),
        seconds=seconds,
        source_kind=hit.get("source_kind"),
        confidence=hit.get("confidence"),
        approximate=bool(hit.get("approximate")),
        detail=detail,
    )


_ITEM_FIELDS = {
    "snippet",
    "term",
    "group",
    "source",
    "seconds",
    "link",
    "source_kind",
    "confidence",
    "approximate",
}
# The item fields only a keyword hit carries.
_HIT_MATCH_FIELDS = {"source_kind", "confidence", "approximate"}


def message_id(rule: str, channel: str, rows: Sequence[DeliveryToSend]) -> str:
    """The same deliveries, the same id: a resend after a crash carries the first one's id."""
    keys = "\n".join(sorted(row.event_key for row in rows))
    return "msg_" + hashlib.sha256(f"{rule}\0{channel}\0{keys}".encode()).hexdigest()[:32]


def bundles(
    rows: Sequence[DeliveryToSend],
    *,
    base_url: str | None,
    timezone: str,
    max_items: int,
    bundle_seconds: float,
    now: datetime,
) -> tuple[list[Bundle], list[int]]:
    """Messages to send now, and the deliveries to hold back (their bundle window is open).

    Deliveries already sent once in a message (a crash or failure before it was settled) go
    again in that same message, with its id; new ones are chunked by `max_items`. A chunk
    waits until `bundle_seconds` after its first event was detected, unless it is full.
    """
    groups: dict[tuple[str, str, str | None], list[DeliveryToSend]] = {}
    for row in rows:
        groups.setdefault((row.rule, row.channel, row.message_id), []).append(row)
    ready: list[Bundle] = []
    held: list[int] = []
    window = timedelta(seconds=bundle_seconds)
    for (rule, channel, known_id), members in groups.items():
        members.sort(key=lambda r: (r.detected_at, r.id))
        chunks = [members] if known_id else _chunks(members, max_items)
        for chunk in chunks:
            if not known_id and len(chunk) < max_items and chunk[0].detected_at + window > now:
                held.extend(row.id for row in chunk)
                continue
            message = AlertMessage(
                id=known_id or message_id(rule, channel, chunk),
                rule=rule,
                channel=channel,
                items=tuple(alert_item(row, base_url) for row in chunk),
                timezone=timezone,
            )
            ready.append(
                Bundle(
                    message,
                    tuple(row.id for row in chunk),
                    max(row.attempts for row in chunk),
                    min(row.created_at for row in chunk),
                )
            )
    return ready, held


def _chunks(rows: list[DeliveryToSend], size: int) -> list[list[DeliveryToSend]]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]
