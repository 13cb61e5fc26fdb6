"""The one interface every alert channel implements, and the error a failed send raises."""

from __future__ import annotations

from typing import Protocol

from collectors.errors import PolmonError
from monitor.alerts.message import AlertMessage


class DeliveryError(PolmonError):
    """A send failed. `retry_after`: seconds the receiver asked us to wait (Retry-After);
    `permanent`: retrying the same message cannot help (4xx other than 408/429, bad config)."""

    expected = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(message, permanent=permanent)
        self.retry_after = retry_after


class Channel(Protocol):
    """A configured destination; `send` returns once the receiver accepted the message."""

    name: str

    def send(self, message: AlertMessage) -> None: ...
