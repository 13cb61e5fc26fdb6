"""Collector errors; `expected` ones print one line saying what to do, others keep the traceback."""

from __future__ import annotations


class CollectorError(Exception):
    """A failure while collecting one account or item."""

    expected: bool = False

    def __init__(self, message: str, *, expected: bool | None = None) -> None:
        super().__init__(message)
        if expected is not None:
            self.expected = expected


class ParseError(CollectorError):
    """A page or payload lacked an identity field (id, url, time) or had unknown markup."""

    expected = True


class UnsupportedURL(CollectorError):
    """No extractor knows the URL: retrying cannot help; the config needs another URL."""

    expected = True


class Interrupted(CollectorError):
    """A stop was requested while waiting (rate limit, retry backoff): the item is unfinished."""

    expected = True


class FetchError(CollectorError):
    """The platform could not be reached or kept failing after retries."""

    expected = True


class RateLimited(FetchError):
    """The platform asked us to wait longer than we are willing to (flood wait, 429)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LoginRequired(CollectorError):
    """Content sits behind a login wall; the message says how to pass cookies or a session."""

    expected = True


class AccountUnavailable(CollectorError):
    """The account no longer exists, went private, or cannot be shown: an account event."""

    expected = True

    def __init__(self, message: str, *, status: str = "unavailable") -> None:
        super().__init__(message)
        if status not in ("deleted", "private", "unavailable"):
            raise ValueError(f"unknown account status {status!r}")
        self.status = status


class ItemUnavailable(CollectorError):
    """One post or video is private, removed or blocked; the pass goes on."""

    expected = True
