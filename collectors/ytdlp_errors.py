"""yt-dlp's exceptions as our collector errors, with one-line messages saying what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from yt_dlp.networking.exceptions import RequestError
from yt_dlp.utils import DownloadError, ExtractorError, GeoRestrictedError, UnsupportedError

from collectors.errors import (
    AccountUnavailable,
    CollectorError,
    FetchError,
    ItemUnavailable,
    LoginRequired,
    NetworkUnreachable,
    RateLimited,
    network_failure,
)

if TYPE_CHECKING:
    from monitor.config import PolmonConfig

_RATE = ("http error 429", "too many requests", "rate-limited", "rate limit")
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
    "http error 404",
    "http error 410",
)
_NETWORK = ("timed out", "timeout", "connection", "unable to download", "network", "ssl")


def error_message(exc: BaseException) -> str:
    """yt-dlp's own message, without its `ERROR:` prefix and `[Extractor] id:` noise."""
    original = exc
    if isinstance(exc, DownloadError) and exc.exc_info and exc.exc_info[1] is not None:
        original = exc.exc_info[1]
    message = getattr(original, "orig_msg", None) or getattr(original, "msg", None)
    text = str(message or original or exc).strip()
    return text.removeprefix("ERROR:").strip().splitlines()[0] if text else type(exc).__name__


def _cause(exc: BaseException) -> BaseException:
    if isinstance(exc, DownloadError) and exc.exc_info and exc.exc_info[1] is not None:
        return exc.exc_info[1]
    return exc


def login_hint(config: PolmonConfig | None) -> str:
    if config is not None and config.video.cookies_file is not None:
        return (
            f"the cookies in [video] cookies_file ({config.video.cookies_file}) were not "
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
    config: PolmonConfig | None = None,
) -> CollectorError:
    """Turn a yt-dlp exception about `subject` into one of our errors with a clear message.

    `account` says the failing URL was the account itself (its listing or profile), so a
    private or missing target is an AccountUnavailable rather than one unavailable item.
    """
    if isinstance(exc, CollectorError):
        return exc
    cause = _cause(exc)
    message = error_message(exc)
    failure = network_failure(exc)
    if failure is not None:  # no connection at all: not the platform's answer
        return NetworkUnreachable(f"{subject}: {message}", dns=failure == "dns")
    low = message.lower()
    if isinstance(cause, UnsupportedError) or low.startswith("unsupported url"):
        return CollectorError(
            f"{subject}: yt-dlp does not support this URL ({message}); check the url in config",
            expected=True,
        )
    if isinstance(cause, GeoRestrictedError):
        return ItemUnavailable(f"{subject}: blocked in this country ({message}); set [video] proxy")
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
        return LoginRequired(f"{subject}: behind a login wall ({message}); {login_hint(config)}")
    if account and any(word in low for word in _ACCOUNT_GONE):
        return AccountUnavailable(f"{subject}: the account is gone ({message})", status="deleted")
    if any(word in low for word in (*_REMOVED, *_ACCOUNT_GONE)):
        if account:
            return AccountUnavailable(f"{subject}: unavailable ({message})")
        return ItemUnavailable(f"{subject}: removed or unavailable ({message})")
    if isinstance(cause, RequestError) or any(word in low for word in _NETWORK):
        return FetchError(f"{subject}: {message}")
    expected = bool(getattr(cause, "expected", False)) and isinstance(cause, ExtractorError)
    return CollectorError(f"{subject}: yt-dlp failed: {message}", expected=expected)
