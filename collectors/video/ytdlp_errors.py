"""yt-dlp's exceptions as our collector errors, with one-line messages saying what to do.

Decided by type and status code first: `UnsupportedError`, `GeoRestrictedError`, an
`HTTPError` anywhere in the cause chain (401/403/404/410/429) and `RequestError` (network).
yt-dlp has no types for a platform's own states (a private video, a login wall, a terminated
account): its extractors relay them as `ExtractorError(expected=True)` carrying the platform's
words, so only for those, and only when no type or status decided, the vocabulary below picks
which of our errors (and which advice) fits. yt-dlp's own failure wording is never read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yt_dlp.networking.exceptions import HTTPError, RequestError
from yt_dlp.utils import DownloadError, ExtractorError, GeoRestrictedError, UnsupportedError

from collectors.errors import (
    AccountUnavailable,
    CollectorError,
    FetchError,
    ItemUnavailable,
    LoginRequired,
    NetworkUnreachable,
    RateLimited,
    UnsupportedURL,
    network_failure,
)

if TYPE_CHECKING:
    from collectors.video.settings import VideoSettings

# The platforms' own words, relayed by extractors (see the module docstring).
_RATE = ("too many requests", "rate-limited", "rate limit")
_BLOCKED = ("ip address is blocked", "not a bot", "your ip", "captcha")
_PRIVATE = ("private", "you do not have permission")
_LOGIN = ("log in", "login", "sign in", "registered users", "cookies", "logged-in")
_ACCOUNT_GONE = (
    "does not exist",
    "terminated",
    "this account has been",
    "user not found",
    "channel is not available",
)
_REMOVED = (
    "removed",
    "no longer available",
    "video unavailable",
    "not available",
    "isn't available",
    "has been deleted",
)


def error_message(exc: BaseException) -> str:
    """yt-dlp's own message, without its `ERROR:` prefix and `[Extractor] id:` noise."""
    original = exc
    if isinstance(exc, DownloadError) and exc.exc_info and exc.exc_info[1] is not None:
        original = exc.exc_info[1]
    message = getattr(original, "orig_msg", None) or getattr(original, "msg", None)
    text = str(message or original or exc).strip()
    return text.removeprefix("ERROR:").strip().splitlines()[0] if text else type(exc).__name__


def causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it: DownloadError.exc_info, ExtractorError.cause, __cause__."""
    chain: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is seen for seen in chain):
            continue
        chain.append(current)
        if isinstance(current, DownloadError) and current.exc_info:
            todo.append(current.exc_info[1])
        extra = getattr(current, "cause", None)
        todo += [extra if isinstance(extra, BaseException) else None, current.__cause__]
    return chain


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of the first HTTPError in the cause chain, if any."""
    for cause in causes(exc):
        if isinstance(cause, HTTPError):
            return int(cause.status)
    return None


def _retry_after(exc: BaseException) -> float | None:
    for cause in causes(exc):
        if isinstance(cause, HTTPError):
            value = cause.response.headers.get("Retry-After") if cause.response else None
            try:
                return float(value) if value is not None else None
            except ValueError:
                return None
    return None


def login_hint(settings: VideoSettings | None) -> str:
    if settings is not None and settings.section.cookies_file is not None:
        return (
            f"the cookies in [video] cookies_file ({settings.section.cookies_file}) were not "
            "accepted: export fresh ones from a logged-in browser (Netscape format)"
        )
    return (
        "export the site's cookies from a logged-in browser in Netscape format and set "
        '[video] cookies_file = "/path/to/cookies.txt"'
    )


def map_ytdlp_error(
    exc: BaseException,
    *,
    subject: str,
    account: bool = False,
    settings: VideoSettings | None = None,
) -> CollectorError:
    """Turn a yt-dlp exception about `subject` into one of our errors with a clear message.

    `account` says the failing URL was the account itself (its listing or profile), so a
    private or missing target is an AccountUnavailable rather than one unavailable item.
    """
    if isinstance(exc, CollectorError):
        return exc
    chain = causes(exc)
    message = error_message(exc)
    failure = network_failure(exc)
    if failure is not None:  # no connection at all: not the platform's answer
        return NetworkUnreachable(f"{subject}: {message}", dns=failure == "dns")
    low = message.lower()
    if any(isinstance(c, UnsupportedError) for c in chain):
        return UnsupportedURL(
            f"{subject}: yt-dlp does not support this URL ({message}); check the url in config"
        )
    if any(isinstance(c, GeoRestrictedError) for c in chain):
        return ItemUnavailable(f"{subject}: blocked in this country ({message}); set [video] proxy")
    typed = _by_status(http_status(exc), exc, subject, message, account=account, settings=settings)
    if typed is not None:
        return typed
    platform_words = any(isinstance(c, ExtractorError) and c.expected for c in chain)
    if platform_words:
        worded = _by_platform_words(low, subject, message, account=account, settings=settings)
        if worded is not None:
            return worded
    if any(isinstance(c, RequestError) for c in chain):
        return FetchError(f"{subject}: {message}")
    expected = any(isinstance(c, ExtractorError) and c.expected for c in chain)
    return CollectorError(f"{subject}: yt-dlp failed: {message}", expected=expected)


def _by_status(
    status: int | None,
    exc: BaseException,
    subject: str,
    message: str,
    *,
    account: bool,
    settings: VideoSettings | None,
) -> CollectorError | None:
    if status == 429:
        return RateLimited(
            f"{subject}: rate limited by the platform (HTTP 429); try later",
            retry_after=_retry_after(exc),
        )
    if status == 401:
        return LoginRequired(f"{subject}: behind a login wall (HTTP 401); {login_hint(settings)}")
    if status in (404, 410):
        if account:
            return AccountUnavailable(f"{subject}: the account is gone (HTTP {status})")
        return ItemUnavailable(f"{subject}: removed or unavailable (HTTP {status})")
    return None


def _by_platform_words(
    low: str, subject: str, message: str, *, account: bool, settings: VideoSettings | None
) -> CollectorError | None:
    if any(word in low for word in _RATE):
        return RateLimited(f"{subject}: rate limited by the platform ({message}); try later")
    if any(word in low for word in _BLOCKED):
        return FetchError(
            f"{subject}: the platform blocks this IP address ({message}); set [video] proxy "
            "or try later"
        )
    if any(word in low for word in _PRIVATE):
        if account:
            return AccountUnavailable(
                f"{subject}: the account is private ({message})", status="private"
            )
        return ItemUnavailable(f"{subject}: private ({message})")
    if any(word in low for word in _LOGIN):
        return LoginRequired(f"{subject}: behind a login wall ({message}); {login_hint(settings)}")
    if account and any(word in low for word in _ACCOUNT_GONE):
        return AccountUnavailable(f"{subject}: the account is gone ({message})", status="deleted")
    if any(word in low for word in (*_REMOVED, *_ACCOUNT_GONE)):
        if account:
            return AccountUnavailable(f"{subject}: unavailable ({message})")
        return ItemUnavailable(f"{subject}: removed or unavailable ({message})")
    return None
