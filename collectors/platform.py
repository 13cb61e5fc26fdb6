"""What a platform declares about itself: name, hosts, account parser, links, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from collectors.errors import UserError


class InvalidAccount(UserError, ValueError):
    """A handle or URL that cannot name an account on its platform (one line for the user)."""


def no_start_time(url: str, seconds: int) -> tuple[str, str] | None:
    """For platforms whose links cannot open a video at a given second."""
    return None


@dataclass(frozen=True)
class PlatformSpec:
    """One platform's identity, declared beside its collector and listed by the registry.

    `parse_account` turns a handle or profile URL into the account's key (the one parser
    of that platform: config validation, `accounts`, `--account` and the collector use it);
    `start_time` gives the query parameter that opens a video link at a second, if any.
    """

    name: str
    hosts: tuple[str, ...]  # the hosts its pages live on; a URL on another's host is a mistake
    parse_account: Callable[[str], str]
    collector: str  # "module:Class", imported on first use (its libraries may be heavy)
    settings_section: str  # the config section whose model resolves the collector's settings
    start_time: Callable[[str, int], tuple[str, str] | None] = no_start_time
    checks_own_handles: bool = False  # False: a bare handle must also look like a page name
    # True: the collector finds an account by its platform id when its handle changed (the
    # profile it returns carries the new handle): a new handle with the same id is a rename.
    follows_renames: bool = False


def bare_url(raw: str) -> str:
    """A URL without scheme, `www.`/`m.`, query or trailing slash, lower-cased (a page id kept)."""
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    key = f"{host}{parts.path.rstrip('/')}".lower()
    if parts.path.rstrip("/").endswith("profile.php"):  # the page is its numeric id
        page_id = parse_qs(parts.query).get("id", [""])[0]
        if page_id:
            key += f"?id={page_id}"
    return key
