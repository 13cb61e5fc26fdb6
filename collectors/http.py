"""A polite HTTP client for collectors: per-host rate limit, retries with backoff, Retry-After."""

from __future__ import annotations

import functools
import logging
import random
import ssl
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from collectors.clock import SYSTEM_CLOCK, Clock
from collectors.errors import (
    FetchError,
    Interrupted,
    NetworkUnreachable,
    RateLimited,
    network_failure,
)

log = logging.getLogger(__name__)

# Answers worth another try: the server is busy, overloaded or briefly broken.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# A page larger than this (decoded) is refused: real pages are a few hundred kB, and a hostile
# or broken server must not make a pass hold gigabytes in memory.
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_REDIRECTS = 10
# Headers that describe the bytes on the wire, not the decoded body kept in memory.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class PageTooLarge(FetchError):
    """A page over MAX_PAGE_BYTES: not worth another try."""

    permanent = True


class _Problem(str):
    """A failed try in words, marked when no connection could be made at all."""

    unreachable: bool

    def __new__(cls, text: str, *, unreachable: bool) -> _Problem:
        problem = super().__new__(cls, text)
        problem.unreachable = unreachable
        return problem


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait between tries."""

    max_retries: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 120.0

    def delay(self, retry: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        ceiling = min(self.max_backoff_seconds, self.backoff_seconds * (2**retry))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RateBudget(Protocol):
    """Where the slots of a host come from: this process (`HostRateLimiter`), or a store that
    every process and machine shares (storage's database budget, wired in by monitor).

    A key is a host, or a host and the proxy its requests leave through (`budget_key`).
    """

    def reserve(self, key: str, interval: float) -> float:
        """Take the key's next slot (the slot after it comes `interval` seconds later);
        the seconds to wait until it, 0 when it is now."""
        ...

    def hold_off(self, key: str, seconds: float) -> None:
        """No slot for `key` in the next `seconds` (a server's Retry-After)."""
        ...


def budget_key(host: str, proxy: str | None = None) -> str:
    """The budget of a host as reached through `proxy` (its address without credentials):
    each egress address is a politeness budget of its own."""
    if not proxy:
        return host
    parts = urlsplit(proxy)
    where = parts.hostname or proxy
    if parts.port:
        where = f"{where}:{parts.port}"
    return f"{host} via {parts.scheme + '://' if parts.scheme else ''}{where}"


class HostRateLimiter:
    """Spaces requests to each host: a request takes the host's next slot, and the slot after
    it comes `interval` seconds later (the interval of the client that sent it).

    One limiter per clock for the whole process (`shared_limiter`): every client, so every
    account and every pass running at the same time (the daemon's jobs are threads), shares
    the slots of a host. A `RateBudget` kept in this process's memory.
    """

    def __init__(self, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self.clock = clock

    def reserve(self, key: str, interval: float) -> float:
        with self._lock:
            now = self.clock.monotonic()
            start = max(now, self._next.get(key, now))
            self._next[key] = start + interval
        return start - now

    def hold_off(self, key: str, seconds: float) -> None:
        with self._lock:
            now = self.clock.monotonic()
            self._next[key] = max(self._next.get(key, now), now + seconds)

    def wait(self, host: str, interval: float) -> None:
        """Sleep until this host's next slot; Interrupted when a stop is requested meanwhile."""
        if (wait := self.reserve(host, interval)) > 0:
            self.clock.sleep(wait)


_limiters: weakref.WeakKeyDictionary[Clock, HostRateLimiter] = weakref.WeakKeyDictionary()
_limiters_lock = threading.Lock()


def shared_limiter(clock: Clock = SYSTEM_CLOCK) -> HostRateLimiter:
    """The process's one limiter for `clock` (a test's virtual clock gets its own)."""
    with _limiters_lock:
        limiter = _limiters.get(clock)
        if limiter is None:
            limiter = _limiters[clock] = HostRateLimiter(clock=clock)
        return limiter


@dataclass(frozen=True, slots=True)
class Egress:
    """How this process's clients reach the platforms: the proxy they leave through and the
    budget their slots come from (None: this process's `shared_limiter`)."""

    proxy: str | None = None
    budget: RateBudget | None = None


_egress = Egress()


def use_egress(egress: Egress) -> Egress:
    """Set the process's egress for the clients built from now on; returns the previous one
    (monitor sets it once it has the config and the database)."""
    global _egress
    previous, _egress = _egress, egress
    return previous


def current_egress() -> Egress:
    return _egress


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings (certifi's CA bundle, or SSL_CERT_FILE/SSL_CERT_DIR), built
    once per process: building them reads the whole bundle (about 40 ms of CPU a client)."""
    return httpx.create_ssl_context()


class PoliteClient:
    """GET with a per-host rate limit and retries; 404 and other 4xx go back to the caller."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout_seconds: float = 30.0,
        requests_per_second: float = 1.0,
        retry: RetryPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
        max_page_bytes: int = MAX_PAGE_BYTES,
        budget: RateBudget | None = None,
        proxy: str | None = None,
    ) -> None:
        """`budget` and `proxy`: default, the process's `current_egress()`; a client on a test's
        own clock takes its slots from that clock's limiter unless given a budget."""
        egress = current_egress()
        self.proxy = proxy if proxy is not None else egress.proxy
        if budget is None:
            budget = egress.budget if clock is SYSTEM_CLOCK else None
        self.budget: RateBudget = budget or shared_limiter(clock)
        self.retry = retry or RetryPolicy()
        self.max_page_bytes = max_page_bytes
        self.timeout_seconds = timeout_seconds
        self.interval = 1.0 / requests_per_second  # between two requests to one host
        self.clock = clock
        self._client = httpx.Client(
            verify=tls_context(),
            proxy=self.proxy or None,
            headers={"User-Agent": user_agent, "Accept-Language": "en-US,en;q=0.9"},
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
        )

    def get(self, url: str, *, params: dict[str, str] | None = None) -> httpx.Response:
        """The response (2xx, 3xx, 4xx other than 408/425/429), or FetchError / RateLimited.

        Waits (the rate limit, retry backoff) end early on a stop request: Interrupted.
        """
        try:
            return self._get(url, params)
        except Interrupted as exc:
            raise Interrupted(f"GET {url}: {exc}") from None

    def _get(self, url: str, params: dict[str, str] | None) -> httpx.Response:
        key = budget_key(urlsplit(url).netloc, self.proxy)
        tries = self.retry.max_retries + 1
        for attempt in range(tries):
            if (wait := self.budget.reserve(key, self.interval)) > 0:
                self.clock.sleep(wait)
            problem, retry_after = self._try_once(url, params)
            if retry_after is not None:  # the host's answer holds for every worker of the budget
                self.budget.hold_off(key, min(retry_after, self.retry.max_backoff_seconds))
            if isinstance(problem, httpx.Response):
                return problem
            last = attempt == tries - 1
            if retry_after is not None and retry_after > self.retry.max_backoff_seconds:
                raise RateLimited(
                    f"GET {url}: {problem}; the server asks to wait {retry_after:.0f}s, more "
                    f"than max_backoff_seconds={self.retry.max_backoff_seconds:g}; try later",
                    retry_after=retry_after,
                )
            if last:
                message = f"GET {url}: {problem} after {tries} tries"
                if problem.startswith("HTTP 429"):
                    raise RateLimited(message + "; try later", retry_after=retry_after)
                if isinstance(problem, _Problem) and problem.unreachable:
                    raise NetworkUnreachable(message)
                raise FetchError(message)
            delay = retry_after if retry_after is not None else self.retry.delay(attempt)
            log.info(
                "GET %s: %s; retry %d/%d in %.1fs", url, problem, attempt + 1, tries - 1, delay
            )
            self.clock.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _try_once(
        self, url: str, params: dict[str, str] | None
    ) -> tuple[httpx.Response, None] | tuple[str, float | None]:
        """The response when final, else a one-line problem and the server's Retry-After."""
        try:
            response = self._read_capped(url, params)
        except httpx.TimeoutException:
            return f"timed out after {self.timeout_seconds:g}s", None
        except httpx.TooManyRedirects as exc:
            raise FetchError(
                f"GET {url}: redirect loop (more than {MAX_REDIRECTS} redirects, the last to "
                f"{exc.request.url})"
            ) from None
        except httpx.TransportError as exc:
            failure = network_failure(exc)
            if failure == "dns":  # a name that does not resolve now will not in a second
                host = urlsplit(url).hostname
                raise NetworkUnreachable(
                    f"GET {url}: cannot resolve {host} (DNS)", dns=True
                ) from exc
            problem = f"connection failed ({type(exc).__name__}: {exc})".replace("\n", " ")
            return _Problem(problem, unreachable=failure is not None), None
        except httpx.HTTPError as exc:  # a malformed URL or body: retrying changes nothing
            raise FetchError(f"GET {url}: {type(exc).__name__}: {exc}".replace("\n", " ")) from None
        if response.status_code not in RETRY_STATUSES:
            return response, None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return f"HTTP {response.status_code}", retry_after

    def _read_capped(self, url: str, params: dict[str, str] | None) -> httpx.Response:
        """GET `url`, reading at most max_page_bytes of (decoded) body, else PageTooLarge."""
        with self._client.stream("GET", url, params=params) as streamed:
            body = bytearray()
            for chunk in streamed.iter_bytes():
                body += chunk
                if len(body) > self.max_page_bytes:
                    raise PageTooLarge(
                        f"GET {streamed.url}: page larger than "
                        f"{self.max_page_bytes // (1024 * 1024)} MB; not read"
                    )
            headers = [
                (name, value)
                for name, value in streamed.headers.multi_items()
                if name.lower() not in _WIRE_HEADERS
            ]
            return httpx.Response(
                streamed.status_code,
                headers=headers,
                content=bytes(body),
                request=streamed.request,
                history=streamed.history,
                extensions=streamed.extensions,
            )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
