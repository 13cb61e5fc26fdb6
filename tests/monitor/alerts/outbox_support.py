"""The signed-webhook receiver, recording what it answered, and the `[alerts]` of the tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.alert_receivers import WEBHOOK_SECRET, WebhookReceiver


@dataclass
class Received:
    """One request the receiver got: its webhook-id, the payload's data, the status answered."""

    message_id: str
    body: dict[str, Any]
    status: int


@dataclass
class Receiver(WebhookReceiver):
    """A verifying webhook receiver that also keeps the status it answered to each request."""

    statuses: list[int] = field(default_factory=list)
    # With `hold_first`, the first request waits for `release` after setting `arrived`.
    hold_first: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def _handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        status, answer = super()._handle(headers, body)
        self.statuses.append(status)
        if self.hold_first and not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(120)
        return status, answer

    def requests(self) -> list[Received]:
        """Every verified request, in order."""
        out = []
        for request, status in zip(self.received, self.statuses, strict=True):
            assert request.verified, "a request whose signature did not verify"
            headers = {name.lower(): value for name, value in request.headers.items()}
            out.append(Received(headers["webhook-id"], request.payload["data"], status))
        return out

    def event_ids(self) -> list[str]:
        """Event ids of accepted messages as a receiver deduplicating on webhook-id sees them;
        a message sent twice must carry the same items under the same id."""
        seen: dict[str, list[str]] = {}
        for request in self.requests():
            if request.status >= 300:
                continue
            events = [item["event_id"] for item in request.body["items"]]
            assert seen.setdefault(request.message_id, events) == events
        return sorted(event for events in seen.values() for event in events)


def alerts_toml(
    tmp_path: Path,
    on: str,
    urls: dict[str, str],
    rule_channels: list[str] | None = None,
    **settings: object,
) -> str:
    """`[alerts]` with one signed webhook channel per url and one rule `watch` on `on`."""
    secret = tmp_path / "webhook-secret"
    secret.write_text(WEBHOOK_SECRET)
    secret.chmod(0o600)
    lines = ["[alerts]", "bundle_seconds = 0", "max_items_per_message = 50"]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    for name, url in urls.items():
        lines += ["[[alerts.channels]]", f'name = "{name}"', 'kind = "webhook"']
        lines += [f'url = "{url}"', f'secret_file = "{secret}"']
    names = ", ".join(f'"{name}"' for name in rule_channels or urls)
    lines += ["[[alerts.rules]]", 'name = "watch"', f"on = [{on}]", f"channels = [{names}]"]
    return "\n".join(lines) + "\n"
