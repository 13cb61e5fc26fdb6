"""Telegram's identity: channel usernames and t.me links, and timestamp links to media."""

from __future__ import annotations

import re
from dataclasses import dataclass

from collectors.errors import ParseError
from collectors.platform import InvalidAccount, PlatformSpec
from collectors.records import AccountRef

# t.me/<name>, t.me/s/<name>, t.me/<name>/<post id>; a path that goes anywhere else
# (`t.me/s/../../admin`) names no channel.
_TELEGRAM_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?(?!s(?:/|$))"
    r"(?P<name>[A-Za-z0-9_]{1,64})(?:/\d+)?/?(?:[?#].*)?",
    re.IGNORECASE,
)
_TELEGRAM_NAME = re.compile(r"@?(?P<name>[A-Za-z0-9_]{1,64})")
# A message's link: t.me/<name>/<id> (t.me/s/… too) or t.me/c/<channel id>/<id> (no username).
_MESSAGE_LINK = re.compile(
    r"https?://(?:www\.)?(?:t|telegram)\.me/(?:s/)?"
    r"(?:c/(?P<channel_id>\d{1,20})|(?P<name>[A-Za-z0-9_]{1,64}))/(?P<id>\d{1,18})/?(?:[?#].*)?",
    re.IGNORECASE,
)


def telegram_channel(raw: str) -> str:
    """The channel username (case kept) from `name`, `@name` or a t.me link."""
    text = raw.strip()
    match = _TELEGRAM_URL.fullmatch(text) or _TELEGRAM_NAME.fullmatch(text)
    if match is None:
        raise InvalidAccount(f"telegram account {text!r} is not a channel username or t.me link")
    return match.group("name")


def channel_name(account: AccountRef) -> str:
    """The channel's username from the account's handle or t.me URL."""
    try:
        return telegram_channel(account.handle or account.url or "")
    except InvalidAccount as exc:
        raise ParseError(str(exc)) from None


@dataclass(frozen=True)
class MessageLink:
    """Where a message's link points: the channel's username or numeric id, the message id."""

    username: str | None
    channel_id: str | None
    message_id: int


def message_link(url: str | None) -> MessageLink | None:
    """The message a t.me link names (`t.me/<name>/<id>`, `t.me/c/<channel id>/<id>`); None for
    anything else (a file URL on a CDN, a profile link)."""
    match = _MESSAGE_LINK.fullmatch((url or "").strip())
    if match is None or (match.group("name") or "").lower() in ("c", "s"):
        return None
    return MessageLink(match.group("name"), match.group("channel_id"), int(match.group("id")))


def current_channel_name(account: AccountRef) -> str:
    """The username to ask for: the one the channel was last seen under (`cursor["username"]`,
    written when a rename was followed) or else the configured one."""
    seen = account.cursor.get("username") if account.cursor else None
    if isinstance(seen, str) and _TELEGRAM_NAME.fullmatch(seen):
        return seen.lstrip("@")
    return channel_name(account)


def telegram_key(raw: str) -> str:
    """The account key: the channel username, lower-cased."""
    return telegram_channel(raw).lower()


def telegram_start_time(url: str, seconds: int) -> tuple[str, str] | None:
    return ("t", str(seconds))  # t.me/channel/123?t=42 (media timestamp links)


TELEGRAM = PlatformSpec(
    name="telegram",
    hosts=("t.me", "telegram.me"),
    parse_account=telegram_key,
    collector="collectors.telegram.collector:TelegramCollector",
    settings_section="telegram",
    start_time=telegram_start_time,
    checks_own_handles=True,
    follows_renames=True,
)
