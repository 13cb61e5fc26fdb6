"""The words of an alert: one line per item (time, actor, what happened, term, snippet, link)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.alerts.message import AlertItem, AlertMessage
from monitor.digest.render import safe_url, shorten, timecode
from monitor.hit_confidence import match_label
from monitor.links import video_link_at

SNIPPET_CHARS = 300
NAME_CHARS = 80
LINK_CHARS = 1024  # a longer link is left out rather than cut (a cut link is a wrong one)

# What an item's kind says happened; `detail["summary"]`, when a string, says more.
KIND_PHRASES = {
    "keyword_hit": "mentioned",
    "new_post": "posted",
    "edited": "edited a post",
    "deleted": "deleted a post",
    "account_event": "account changed",
    "growth_jump": "audience jumped",
}


# Where a keyword hit was found, when not plainly the post's text or the video's words.
_SOURCE_PHRASES = {"poll": " in a poll", "image_text": " in an image", "comment": " in a comment"}


@dataclass(frozen=True)
class ItemText:
    """An item's parts as plain text, ready to be escaped for whatever carries them."""

    when: str
    who: str  # the actor, with @account and platform
    what: str  # what happened: `said “term” at 1:15`, `deleted a post`…
    group: str | None
    snippet: str | None
    link: str | None  # http(s) only
    web_link: str | None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime, timezone: str) -> str:
    """`2026-05-02 13:30 +07`: the time in `timezone` ([schedule] timezone), with its zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def post_link(item: AlertItem) -> str | None:
    """The post's link; for a term said in a video, one that opens at that second (`?t=75` on
    YouTube) where the platform has such a link."""
    if item.link and item.seconds is not None and item.platform:
        return video_link_at(item.link, item.platform, item.seconds)
    return item.link


def _link(value: str | None) -> str | None:
    url = safe_url(value)
    return url if url and len(url) <= LINK_CHARS else None


def _who(item: AlertItem) -> str:
    actor = shorten(item.actor, NAME_CHARS) if item.actor else ""
    account = shorten(item.account, NAME_CHARS) if item.account else ""
    where = ", ".join(part for part in (f"@{account}" if account else "", item.platform) if part)
    if actor and where:
        return f"{actor} ({where})"
    return actor or where or "unknown account"


def _growth(detail: dict[str, Any], timezone: str) -> str | None:
    """`audience jumped: followers 10,000 → 15,000 (+50%) since 2026-05-01 14:00 +07`."""
    before, after, percent = detail.get("from"), detail.get("to"), detail.get("percent")
    if not all(isinstance(v, int | float) for v in (before, after, percent)):
        return None
    verb = "jumped" if detail.get("direction") != "drop" else "dropped"
    metric = detail.get("metric") if isinstance(detail.get("metric"), str) else "followers"
    text = f"audience {verb}: {shorten(metric, NAME_CHARS)} {before:,} → {after:,} ({percent:+g}%)"
    period = detail.get("period")
    since = period.get("from") if isinstance(period, dict) else None
    if isinstance(since, str):  # written by storage/audience_jumps.py: ISO 8601
        text += f" since {local_time(datetime.fromisoformat(since), timezone)}"
    return text


def _what(item: AlertItem, timezone: str) -> str:
    if item.kind == "growth_jump" and (growth := _growth(item.detail, timezone)):
        return growth
    if item.kind == "keyword_hit":
        verb = "said" if item.source == "transcripts" else "wrote"
        term = f" “{shorten(item.term, NAME_CHARS)}”" if item.term else ""
        at = f" at {timecode(item.seconds)}" if item.seconds is not None else ""
        where = _SOURCE_PHRASES.get(item.source_kind or "", "")
        match = match_label(item.confidence, item.approximate)
        sure = f" ({match})" if match != "exact" else ""
        return f"{verb}{term}{at}{where}{sure}"
    phrase = KIND_PHRASES.get(item.kind, item.kind.replace("_", " "))
    summary = item.detail.get("summary")
    if isinstance(summary, str) and summary.strip():
        return f"{phrase}: {shorten(summary, SNIPPET_CHARS)}"
    return phrase


def item_text(item: AlertItem, timezone: str) -> ItemText:
    return ItemText(
        when=local_time(item.occurred_at, timezone),
        who=_who(item),
        what=_what(item, timezone),
        group=shorten(item.group, NAME_CHARS) if item.group else None,
        snippet=shorten(item.snippet, SNIPPET_CHARS) if item.snippet else None,
        link=_link(post_link(item)),
        web_link=_link(item.web_link),
    )


def item_line(item: AlertItem, timezone: str) -> str:
    """One line of plain text: `time — who what [group]: “snippet” link (polmon: link)`."""
    text = item_text(item, timezone)
    line = f"{text.when} — {text.who} {text.what}"
    if text.group:
        line += f" [{text.group}]"
    if text.snippet:
        line += f": “{text.snippet}”"
    if text.link:
        line += f" {text.link}"
    if text.web_link:
        line += f" (polmon: {text.web_link})"
    return line


def headline(message: AlertMessage) -> str:
    """`threats: Hun Manet (@hunmanet, youtube) said “cut the legs” (+2 more)`, one line."""
    if not message.items:
        return f"{message.rule}: no items"
    first = item_text(message.items[0], message.timezone)
    more = len(message.items) - 1
    extra = f" (+{more} more)" if more else ""
    return shorten(f"{message.rule}: {first.who} {first.what}{extra}", 200)


def plain_text(message: AlertMessage, items: Sequence[AlertItem] | None = None) -> str:
    """The message as plain text: a heading line, then one line per item."""
    shown = message.items if items is None else items
    count = len(message.items)
    heading = f"polmon alert — rule {message.rule}: {count} event{'s' if count != 1 else ''}"
    lines = [heading, "", *(item_line(item, message.timezone) for item in shown)]
    if len(shown) < count:
        lines.append(f"… and {count - len(shown)} more")
    return "\n".join(lines) + "\n"
