"""`[http]`: the proxy collectors' HTTP clients leave through, and the budget their request
slots come from (the database's `rate_budgets`, shared by every process and machine)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import field_validator
from sqlalchemy import Engine

from collectors.http import Egress, current_egress, use_egress
from collectors.settings import Section
from storage.rate_budgets import DatabaseRateBudget

F = TypeVar("F", bound=Callable[..., Any])


class HttpConfig(Section):
    """`[http]`: every HTTP client of the collectors and the photo downloads."""

    # e.g. "http://10.0.0.2:3128" or "socks5://127.0.0.1:9050"; `polmon worker --proxy`
    # overrides it per process. Each proxy is a politeness budget of its own per host.
    proxy: str | None = None
    # true: per-host request slots are shared through the database by every process and
    # machine; false: each process spaces only its own requests.
    shared_budget: bool = True

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError("give the proxy as a URL, e.g. http://10.0.0.2:3128")
        return value or None


_depth = 0
_lock = threading.Lock()
_previous = Egress()


@contextmanager
def egress_scope(http: HttpConfig, engine: Engine) -> Iterator[Egress]:
    """The clients built inside take `[http]`'s proxy and budget. Scopes may nest and overlap
    (the daemon's jobs are threads): the first one entered sets the egress, the last one left
    puts the previous back."""
    global _depth, _previous
    egress = Egress(
        proxy=http.proxy, budget=DatabaseRateBudget(engine) if http.shared_budget else None
    )
    with _lock:
        if _depth == 0:
            _previous = use_egress(egress)
        _depth += 1
        current = current_egress()
    try:
        yield current
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                use_egress(_previous)


def with_egress(run: F) -> F:
    """Run `run(config, engine, …)` inside `egress_scope(config.http, engine)`."""

    @functools.wraps(run)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        config = kwargs["config"] if "config" in kwargs else args[0]
        engine = kwargs["engine"] if "engine" in kwargs else args[1]
        with egress_scope(config.http, engine):
            return run(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
