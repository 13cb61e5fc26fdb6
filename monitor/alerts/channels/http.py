"""POST to an alert receiver and turn its answer into success or a DeliveryError (retry or not)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx

from collectors.http import parse_retry_after, tls_context
from monitor import __version__
from monitor.alerts.channel import DeliveryError
from storage.redaction import redact

USER_AGENT = f"polmon-alerts/{__version__}"
# Statuses worth retrying: the receiver timed out, asked us to slow down, or failed itself.
RETRYABLE_STATUSES = frozenset({408, 429})


class _RedactHttpxRecords(logging.Filter):
    """httpx logs each request's URL at INFO; a Bot API URL carries the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        return True


def _install_redaction() -> None:
    logger = logging.getLogger("httpx")  # httpcore's own lines name no URL
    if not any(isinstance(f, _RedactHttpxRecords) for f in logger.filters):
        logger.addFilter(_RedactHttpxRecords())


_install_redaction()


def retryable_status(status: int) -> bool:
    """Whether an HTTP status means the same request may succeed later."""
    return status in RETRYABLE_STATUSES or status >= 500


def request(
    url: str,
    *,
    json_body: object | None = None,
    content: bytes | None = None,
    headers: Mapping[str, str],
    timeout: float,
    label: str,
) -> httpx.Response:
    """POST and return the response, whatever its status; a DeliveryError when none came.

    `label` names the receiver in errors, never the URL itself (a Bot API URL holds a token),
    and no exception's text is kept: it may quote the URL.
    """
    sent_headers = {"User-Agent": USER_AGENT, **headers}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, verify=tls_context()) as client:
            return client.post(url, content=content, json=json_body, headers=sent_headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise DeliveryError(
            f"{label}: the URL is not a usable http(s) URL", permanent=True
        ) from None
    except httpx.TimeoutException:
        raise DeliveryError(f"{label}: no answer within {timeout:g}s") from None
    except httpx.RequestError as exc:  # refused, reset, cut short, undecodable: try again later
        raise DeliveryError(f"{label}: no usable answer ({type(exc).__name__})") from None


def failure(label: str, status: int, retry_after: float | None, what: str = "") -> DeliveryError:
    """The DeliveryError for a refused request: retryable for 408, 429 and 5xx, else permanent."""
    shown = f"{label}: HTTP {status}{what}"
    if retryable_status(status):
        wait = f", asked to wait {retry_after:.0f}s" if retry_after is not None else ""
        return DeliveryError(shown + wait, retry_after=retry_after)
    return DeliveryError(shown + ", not retried", permanent=True)


def post(
    url: str,
    *,
    content: bytes,
    headers: Mapping[str, str],
    timeout: float,
    label: str,
) -> httpx.Response:
    """POST `content`; the 2xx response, else a DeliveryError that says whether to retry
    (from the status code and Retry-After, seconds or an HTTP date)."""
    response = request(url, content=content, headers=headers, timeout=timeout, label=label)
    status = response.status_code
    if 200 <= status < 300:
        return response
    raise failure(label, status, parse_retry_after(response.headers.get("Retry-After")))
