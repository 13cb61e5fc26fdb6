"""Account identity per platform: a handle or profile URL parsed into the account's key."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from collectors.records import PLATFORMS


class InvalidAccount(ValueError):
    """A handle or URL that cannot name an account on its platform (one line for the user)."""


# The hosts each platform's pages live on: a URL on another platform's host is a mistake.
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    "telegram": ("t.me", "telegram.me"),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com", "youtu.be"),
    "facebook": ("facebook.com", "fb.com", "fb.watch"),
}
# t.me/<name>, t.me/s/<name>, t.me/<name>/<post id>; a path that goes anywhere else
# (`t.me/s/../../admin`) names no channel.
_TELEGRAM_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?(?!s(?:/|$))"
    r"(?P<name>[A-Za-z0-9_]{1,64})(?:/\d+)?/?(?:[?#].*)?",
    re.IGNORECASE,
)
_TELEGRAM_NAME = re.compile(r"@?(?P<name>[A-Za-z0-9_]{1,64})")
_TIKTOK = re.compile(
    r"(?:(?:https?://)?(?:www\.|m\.)?tiktok\.com/)?@?(?P<name>[\w.\-]+)/?(?:[?#].*)?",
    re.IGNORECASE,
)
_YOUTUBE_HANDLE_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?youtube\.com/(@[\w.\-]+)")
_PAGE_NAME = re.compile(r"@?[\w.\-]+")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def telegram_channel(raw: str) -> str:
    """The channel username (case kept) from `name`, `@name` or a t.me link."""
    text = raw.strip()
    match = _TELEGRAM_URL.fullmatch(text) or _TELEGRAM_NAME.fullmatch(text)
    if match is None:
        raise InvalidAccount(f"telegram account {text!r} is not a channel username or t.me link")
    return match.group("name")


def tiktok_username(raw: str) -> str:
    """The bare username (lower-cased, no @) from `@name`, `name` or a profile URL."""
    text = raw.strip()
    match = _TIKTOK.fullmatch(text)
    if match is None:
        raise InvalidAccount(f"tiktok account {text!r} is not a TikTok @handle or profile URL")
    return match.group("name").lower()


def host_platform(raw: str) -> str | None:
    """The platform whose host a URL (or `host/path`) is on, if any."""
    host = _host(raw)
    for platform, hosts in PLATFORM_HOSTS.items():
        if any(host == known or host.endswith("." + known) for known in hosts):
            return platform
    return None


def looks_like_url(raw: str) -> bool:
    return "/" in raw or "://" in raw


def check_account(platform: str, handle: str | None, url: str | None) -> None:
    """Raise InvalidAccount when the handle or URL cannot name an account on `platform`."""
    if platform not in PLATFORMS:
        raise InvalidAccount(f"unknown platform {platform!r}")
    for raw in (handle, url):
        if raw is None:
            continue
        text = raw.strip()
        if not text:
            raise InvalidAccount(f"{platform} account: empty handle or url")
        if looks_like_url(text):
            _check_url(platform, text)
        elif platform != "telegram" and not _PAGE_NAME.fullmatch(text):
            raise InvalidAccount(f"{platform} handle {text!r} has characters no handle can have")
        account_key(platform, text, None)


def _check_url(platform: str, text: str) -> None:
    if _SPACE_OR_CONTROL.search(text):
        raise InvalidAccount(f"{platform} url {text!r} contains spaces or control characters")
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidAccount(f"{platform} url {text!r} is not an http(s) URL")
    host = (parts.hostname or "").lower()
    if not host or ("." not in host and host != "localhost"):
        raise InvalidAccount(f"{platform} url {text!r} has no valid host")
    owner = host_platform(text)
    if owner is not None and owner != platform:
        raise InvalidAccount(f"{text!r} is a {owner} URL, not a {platform} account")


def account_key(platform: str, handle: str | None, url: str | None) -> str:
    """The stable identity of an account within its platform, from a handle or a URL.

    Telegram: the channel username, lower-cased. TikTok: `@handle`, lower-cased.
    YouTube: `@handle` when there is one, else the channel URL. Facebook: the page URL
    without scheme, query or trailing slash, lower-cased. Raises InvalidAccount for a
    Telegram or TikTok handle or URL that names no account.
    """
    raw = (handle or url or "").strip()
    if platform == "telegram":
        return telegram_channel(raw).lower()
    if platform == "tiktok":
        return "@" + tiktok_username(raw)
    if platform == "youtube":
        match = _YOUTUBE_HANDLE_URL.match(raw)
        if match:
            return match.group(1).lower()
        if raw.startswith("@"):
            return raw.lower()
        return _bare_url(raw)
    return _bare_url(raw)


def key_name(key: str) -> str:
    """The name part of an account key (`hunmanet5` of `facebook.com/hunmanet5`, no @)."""
    if "?id=" in key:
        return key.rsplit("?id=", 1)[1]
    return key.rstrip("/").rsplit("/", 1)[-1].lstrip("@")


def _host(raw: str) -> str:
    text = raw.strip()
    return (urlsplit(text if "://" in text else f"https://{text}").hostname or "").lower()


def _bare_url(raw: str) -> str:
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    key = f"{host}{parts.path.rstrip('/')}".lower()
    if parts.path.rstrip("/").endswith("profile.php"):  # the page is its numeric id
        page_id = parse_qs(parts.query).get("id", [""])[0]
        if page_id:
            key += f"?id={page_id}"
    return key
