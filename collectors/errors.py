"""polmon's errors: `PolmonError`, the one base every project error derives from, and the
collectors' own. An `expected` error prints one line saying what to do; others keep the traceback.
"""

from __future__ import annotations

import errno
import socket


class PolmonError(Exception):
    """Every error polmon raises on purpose; the root command group handles it once.

    `expected`: a known situation (bad input, unreachable host, missing file) that prints one
    line telling the user what to do, without a traceback; an unexpected one keeps it.
    `permanent`: retrying the same item cannot help (the queue fails its row for good).
    `exit_code`: the CLI's exit status for it (2: the user's input or config is wrong).
    Subclasses set these as class attributes; `expected=`/`permanent=` override one instance.
    """

    expected: bool = False
    permanent: bool = False
    exit_code: int = 1

    def __init__(
        self, *args: object, expected: bool | None = None, permanent: bool | None = None
    ) -> None:
        super().__init__(*args)
        if expected is not None:
            self.expected = expected
        if permanent is not None:
            self.permanent = permanent

    def user_line(self) -> str:
        """The one line the CLI prints after `Error: ` for an expected error."""
        return str(self)


class UserError(PolmonError):
    """A mistake in what the user asked for (an option, a name, a path): exit status 2."""

    expected = True
    exit_code = 2


class CollectorError(PolmonError):
    """A failure while collecting one account or item."""


class ParseError(CollectorError):
    """A page or payload lacked an identity field (id, url, time) or had unknown markup."""

    expected = True


class UnsupportedURL(CollectorError):
    """No extractor knows the URL: retrying cannot help; the config needs another URL."""

    expected = True
    permanent = True


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


class HandleReassigned(AccountUnavailable):
    """The account's handle now names another account (its platform id differs from the one
    stored): a renamed channel whose old username someone else took. Collecting it would file
    another account's posts under this one, so the account is `unavailable` until followed."""

    def __init__(self, platform: str, handle: str, old_id: str, new_id: str) -> None:
        super().__init__(
            f"{platform}: @{handle} now belongs to another channel (id {new_id}; this account "
            f"is id {old_id}): renamed, and its old username taken? Nothing collected",
            status="unavailable",
        )
        self.old_id, self.new_id = old_id, new_id


class ItemUnavailable(CollectorError):
    """One post or video is private, removed or blocked; the pass goes on."""

    expected = True


class NetworkUnreachable(FetchError):
    """No connection could be made: the host name did not resolve (`dns`), or the network,
    proxy or host refused or could not be reached. When a whole pass fails so, the
    machine is offline or the proxy is wrong, not the platform."""

    def __init__(self, message: str, *, dns: bool = False) -> None:
        super().__init__(message)
        self.dns = dns


# errno values of a network that is down or has no route (besides refused connections).
_UNREACHABLE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})


def network_failure(exc: BaseException) -> str | None:
    """`"dns"` when a name lookup failed somewhere in `exc`'s causes, `"connect"` when a
    connection was refused or the network unreachable, else None; told by exception types
    and errno only (httpx, urllib3 and yt-dlp keep the socket error as a cause)."""
    found: str | None = None
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen or len(seen) > 32:
            continue
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "dns"
        if isinstance(current, ConnectionRefusedError) or (
            isinstance(current, OSError) and current.errno in _UNREACHABLE_ERRNOS
        ):
            found = "connect"
        exc_info = getattr(current, "exc_info", None)  # yt-dlp's DownloadError
        wrapped = getattr(current, "cause", None)  # yt-dlp's RequestError
        for nxt in (
            current.__cause__,
            current.__context__,
            wrapped,
            exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) > 1 else None,
        ):
            if isinstance(nxt, BaseException):
                pending.append(nxt)
    return found
