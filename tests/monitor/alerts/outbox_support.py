"""A loopback HTTP receiver with scripted answers, and a plain JSON channel that posts to it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from monitor.alerts.channel import DeliveryError
from monitor.alerts.message import AlertMessage


@dataclass
class Received:
    """One request the receiver got."""

    message_id: str
    body: dict[str, Any]
    status: int


@dataclass
class Receiver:
    """Answers each POST with the next scripted (status, headers), then 200; records all."""

    url: str = ""
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def delivered(self) -> list[Received]:
        return [r for r in self.received if r.status < 300]

    def event_ids(self) -> list[str]:
        """Event ids of accepted messages, one per (message id, event): duplicates of a
        message resent with the same id count once, as a deduplicating receiver sees them."""
        seen: dict[str, list[str]] = {}
        for request in self.delivered():
            seen[request.message_id] = [item["event_id"] for item in request.body["items"]]
        return sorted(event for events in seen.values() for event in events)


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 for the block."""
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                status, headers = state.script.pop(0) if state.script else (200, {})
                state.received.append(Received(self.headers["webhook-id"], body, status))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class JsonChannel:
    """A minimal channel: the message as JSON, its id in `webhook-id`; HTTP status → outcome."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url

    def send(self, message: AlertMessage) -> None:
        body = json.dumps(
            {
                "id": message.id,
                "rule": message.rule,
                "items": [
                    {"event_id": i.event_id, "kind": i.kind, "term": i.term, "link": i.link}
                    for i in message.items
                ],
            }
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            headers={"Content-Type": "application/json", "webhook-id": message.id},
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except urllib.error.HTTPError as exc:
            retry = exc.headers.get("Retry-After")
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise DeliveryError(
                f"HTTP {exc.code}",
                retry_after=float(retry) if retry else None,
                permanent=permanent,
            ) from exc
        except OSError as exc:
            raise DeliveryError(f"unreachable: {type(exc).__name__}") from exc
