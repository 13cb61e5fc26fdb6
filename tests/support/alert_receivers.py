"""Real alert receivers on 127.0.0.1 (signed webhooks, a Bot API stand-in) and sample alerts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Request, Response

from monitor.alerts.message import AlertItem, AlertMessage

WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the spec's own example secret
HANG_UP = 0  # a WebhookReceiver answer: close the connection, no response
HOSTILE_POST = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def sample_item(**overrides: Any) -> AlertItem:
    """A keyword hit said in a video, with every field set."""
    values: dict[str, Any] = {
        "event_id": "evt_1",
        "kind": "keyword_hit",
        "occurred_at": datetime(2026, 5, 2, 6, 30, 5, tzinfo=UTC),
        "detected_at": datetime(2026, 5, 2, 6, 31, 0, tzinfo=UTC),
        "actor": "Hun Manet",
        "account": "hunmanet",
        "platform": "youtube",
        "link": "https://www.youtube.com/watch?v=abc123&t=75s",
        "web_link": "https://polmon.example.org/posts/42",
        "snippet": "we will cut the legs of those who",
        "term": "cut the legs",
        "group": "threats",
        "source": "transcripts",
        "seconds": 75.4,
        "detail": {"post_id": 42},
    }
    values.update(overrides)
    return AlertItem(**values)


def sample_message(*items: AlertItem, **overrides: Any) -> AlertMessage:
    values: dict[str, Any] = {
        "id": "msg_2f1c9a",
        "rule": "threats",
        "channel": "team-webhook",
        "items": items or (sample_item(),),
    }
    values.update(overrides)
    return AlertMessage(**values)


@dataclass
class ReceivedWebhook:
    headers: dict[str, str]
    body: bytes
    verified: bool  # the signature checked out with the receiver's secret
    payload: Any  # the parsed JSON, None if the signature did not verify


@dataclass
class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that verifies each POST's signature and records it.

    `answers` is a queue of (status, headers) to reply with, then 204 for good once it is
    empty (status HANG_UP: close the connection without answering); a request whose signature
    does not verify is answered 401.
    """

    secret: str | bytes = WEBHOOK_SECRET
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[ReceivedWebhook] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None, "start the receiver first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/polmon"

    def verify(self, body: bytes, headers: dict[str, str]) -> Any:
        """The parsed payload; WebhookVerificationError if the signature does not verify."""
        return Webhook(self.secret).verify(body, headers)

    def _handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        try:
            payload, verified = self.verify(body, headers), True
        except WebhookVerificationError:
            payload, verified = None, False
        with self._lock:
            self.received.append(ReceivedWebhook(headers, body, verified, payload))
            if not verified:
                return 401, {}
            return self.answers.pop(0) if self.answers else (204, {})

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, headers = receiver._handle(dict(self.headers.items()), body)
                if status == HANG_UP:
                    self.close_connection = True
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def webhook_receiver(**kwargs: Any) -> Iterator[WebhookReceiver]:
    """For a fixture: `yield from webhook_receiver()`."""
    with WebhookReceiver(**kwargs) as receiver:
        yield receiver


BOT_TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # the shape of a real token
TELEGRAM_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "blockquote",
    }
)


class _TelegramHtml(HTMLParser):
    """Telegram's HTML parse mode, as far as the stand-in checks it: known tags only, an <a> with
    an href, and the visible text (entities decoded) that the chat shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.visible: list[str] = []
        self.unknown_tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.unknown_tags.append(tag)
        if tag == "a":
            self.hrefs.extend(value or "" for name, value in attrs if name == "href")

    def handle_endtag(self, tag: str) -> None:
        if tag not in TELEGRAM_TAGS:
            self.unknown_tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


@dataclass
class SentMessage:
    body: dict[str, Any]  # the sendMessage request as JSON
    visible: str  # the text the chat shows
    hrefs: list[str]


@dataclass
class BotApiStandIn:
    """The Bot API's sendMessage on pytest-httpserver: records each call and answers in turn
    from `answers` (HTTP status, JSON), then `ok: true`; HTML with a tag Telegram does not know
    is refused with 400, as the real API refuses it."""

    server: HTTPServer
    token: str = BOT_TOKEN
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    sent: list[SentMessage] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def install(self) -> BotApiStandIn:
        self.server.expect_request(
            f"/bot{self.token}/sendMessage", method="POST"
        ).respond_with_handler(self._handle)
        return self

    def _handle(self, request: Request) -> Response:
        body = json.loads(request.get_data())
        if self.answers:
            status, answer = self.answers.pop(0)
            self.refused.append(body)
            return Response(json.dumps(answer), status=status, content_type="application/json")
        parser = _TelegramHtml()
        parser.feed(body.get("text", ""))
        parser.close()
        visible = "".join(parser.visible)
        too_long = len(visible.encode("utf-16-le")) // 2 > 4096
        if (
            body.get("parse_mode") != "HTML"
            or parser.unknown_tags
            or too_long
            or not body.get("chat_id")
        ):
            self.refused.append(body)
            answer = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: can't parse entities",
            }
            return Response(json.dumps(answer), status=400, content_type="application/json")
        self.sent.append(SentMessage(body, visible, parser.hrefs))
        result = {
            "ok": True,
            "result": {"message_id": len(self.sent), "chat": {"id": body["chat_id"]}},
        }
        return Response(json.dumps(result), status=200, content_type="application/json")


def bot_error(
    code: int, description: str, retry_after: int | None = None
) -> tuple[int, dict[str, Any]]:
    """A Bot API error answer, e.g. bot_error(429, "Too Many Requests: retry after 5", 5)."""
    answer: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        answer["parameters"] = {"retry_after": retry_after}
    return code, answer
