"""Account identity: a handle or profile URL parsed into its key by its platform's own parser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from collectors.platform import InvalidAccount
from collectors.registry import SPECS, platform_spec

__all__ = [
    "InvalidAccount",
    "account_key",
    "check_account",
    "host_platform",
    "key_name",
    "looks_like_url",
]

_PAGE_NAME = re.compile(r"@?[\w.\-]+")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def host_platform(raw: str) -> str | None:
    """The platform whose host a URL (or `host/path`) is on, if any."""
    host = _host(raw)
    for spec in SPECS.values():
        if any(host == known or host.endswith("." + known) for known in spec.hosts):
            return spec.name
    return None


def looks_like_url(raw: str) -> bool:
    return "/" in raw or "://" in raw


def check_account(platform: str, handle: str | None, url: str | None) -> None:
    """Raise InvalidAccount when the handle or URL cannot name an account on `platform`."""
    spec = SPECS.get(platform)
    if spec is None:
        raise InvalidAccount(f"unknown platform {platform!r}")
    for raw in (handle, url):
        if raw is None:
            continue
        text = raw.strip()
        if not text:
            raise InvalidAccount(f"{platform} account: empty handle or url")
        if looks_like_url(text):
            _check_url(platform, text)
        elif not spec.checks_own_handles and not _PAGE_NAME.fullmatch(text):
            raise InvalidAccount(f"{platform} handle {text!r} has characters no handle can have")
        spec.parse_account(text)


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

    Each platform's spec parses it (`collectors/<platform>/identity.py`): Telegram the
    channel username, lower-cased; TikTok `@handle`, lower-cased; YouTube `@handle` when
    there is one, else the channel URL; Facebook the page URL without scheme, query or
    trailing slash, lower-cased. Raises InvalidAccount for a handle or URL that names no
    account; KeyError for an unknown platform.
    """
    return platform_spec(platform).parse_account((handle or url or "").strip())


def key_name(key: str) -> str:
    """The name part of an account key (`hunmanet5` of `facebook.com/hunmanet5`, no @)."""
    if "?id=" in key:
        return key.rsplit("?id=", 1)[1]
    return key.rstrip("/").rsplit("/", 1)[-1].lstrip("@")


def _host(raw: str) -> str:
    text = raw.strip()
    return (urlsplit(text if "://" in text else f"https://{text}").hostname or "").lower()
