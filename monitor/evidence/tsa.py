"""Asking an RFC 3161 timestamp authority over HTTP for a token over a digest."""

from __future__ import annotations

from pathlib import Path

import httpx

from collectors.http import tls_context
from monitor.evidence.token import (
    TokenError,
    load_certificates,
    timestamp_request,
    token_from_response,
    verify_token,
)


def request_token(
    url: str, digest: bytes, *, timeout: float = 30.0, ca_file: Path | None = None
) -> bytes:
    """The TSA's DER TimeStampToken over `digest` (checked against `ca_file` when given)."""
    query, nonce = timestamp_request(digest)
    try:
        with httpx.Client(timeout=timeout, verify=tls_context()) as client:
            response = client.post(
                url, content=query, headers={"Content-Type": "application/timestamp-query"}
            )
    except httpx.HTTPError as exc:
        raise TokenError(f"TSA {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise TokenError(f"TSA {url}: HTTP {response.status_code}")
    token = token_from_response(response.content, digest, nonce)
    if ca_file is not None:
        verify_token(token, digest, load_certificates(ca_file))
    return token
