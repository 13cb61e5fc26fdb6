"""Telegram channel: the alert as a short HTML message through the Bot API's sendMessage."""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from collectors.http import parse_retry_after
from monitor.alerts.channel import DeliveryError
from monitor.alerts.channels.http import failure, request
from monitor.alerts.channels.secret import channel_secret
from monitor.alerts.format import ItemText, item_text
from monitor.alerts.message import AlertMessage
from monitor.digest.render import shorten
from storage.redaction import register_secret

if TYPE_CHECKING:
    from monitor.alerts.config import AlertChannelConfig
    from monitor.config import PolmonConfig

MAX_MESSAGE_CHARS = 4096  # the Bot API's limit, counted in UTF-16 code units after parsing


def text(value: str) -> str:
    """`value` for Telegram HTML text: only &, < and > are special there."""
    return html.escape(value, quote=False)


def attribute(value: str) -> str:
    """`value` inside a double-quoted attribute (an href)."""
    return html.escape(value, quote=True)


def telegram_length(value: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); the HTML source is an upper bound."""
    return len(value.encode("utf-16-le")) // 2


def item_html(parts: ItemText) -> str:
    line = f"<b>{text(parts.when)}</b> {text(parts.who)} {text(parts.what)}"
    if parts.group:
        line += f" <i>[{text(parts.group)}]</i>"
    if parts.snippet:
        line += f"\n“{text(parts.snippet)}”"
    links = []
    if parts.link:
        links.append(f'<a href="{attribute(parts.link)}">post</a>')
    if parts.web_link:
        links.append(f'<a href="{attribute(parts.web_link)}">in polmon</a>')
    if links:
        line += "\n" + " · ".join(links)
    return line


def message_html(message: AlertMessage, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A heading and one block per item, cut at an item boundary to fit `limit`."""
    count = len(message.items)
    heading = f"<b>polmon · {text(message.rule)}</b>: {count} event{'s' if count != 1 else ''}"
    blocks = [item_html(item_text(item, message.timezone)) for item in message.items]
    kept: list[str] = []
    for index, block in enumerate(blocks):
        left = count - index - 1
        tail = f"\n\n… and {left} more" if left else ""
        candidate = "\n\n".join([heading, *kept, block]) + tail
        if telegram_length(candidate) > limit:
            break
        kept.append(block)
    left = count - len(kept)
    tail = f"\n\n… and {left} more" if left else ""
    return "\n\n".join([heading, *kept]) + tail


class TelegramChannel:
    """Posts each message to one chat through a bot; the token stays out of logs and errors."""

    def __init__(
        self,
        name: str,
        chat_id: str,
        token: str,
        *,
        api_base_url: str = "https://api.telegram.org",
        timeout: float = 15.0,
    ) -> None:
        self.name = name
        self.chat_id = chat_id
        self._token = token
        register_secret(token)  # the request URL holds it: redacted wherever it could show
        self.api_base_url = api_base_url.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: PolmonConfig, channel: AlertChannelConfig) -> TelegramChannel:
        return cls(
            channel.name,
            channel.chat_id or "",
            channel_secret(config, channel, "token_file"),
            api_base_url=channel.api_base_url,
            timeout=channel.timeout_seconds,
        )

    def request_body(self, message: AlertMessage) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "text": message_html(message),
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
            "link_preview_options": {"is_disabled": True},
        }

    def send(self, message: AlertMessage) -> None:
        label = f"telegram {self.name}"
        response = request(
            f"{self.api_base_url}/bot{self._token}/sendMessage",
            json_body=self.request_body(message),
            headers={},
            timeout=self.timeout,
            label=label,
        )
        answer = _json(response.content)
        if 200 <= response.status_code < 300 and answer.get("ok") is True:
            return
        code = answer.get("error_code")
        status = code if isinstance(code, int) and not isinstance(code, bool) else None
        parameters = answer.get("parameters")
        wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
        retry_after = None
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
            retry_after = float(wait)
        if status is None:
            status = response.status_code
        if retry_after is None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
        description = answer.get("description")
        said = f" ({shorten(description, 200)})" if isinstance(description, str) else ""
        if 200 <= status < 300:  # a 2xx that is not `ok: true`: not the Bot API we know
            raise DeliveryError(f"{label}: unexpected answer (HTTP {status})", permanent=True)
        raise failure(label, status, retry_after, said)


def _json(content: bytes) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
