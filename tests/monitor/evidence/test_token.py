"""Token checks against a real `openssl ts -reply` TSA: imprint, signature, certificate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from monitor.evidence.token import TokenError, load_certificates, token_time, verify_token
from monitor.evidence.tsa import request_token
from tests.support.tsa import local_tsa, make_ca


def test_a_token_proves_its_digest_only_and_only_under_its_ca(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"root").digest()
    with local_tsa(tmp_path / "tsa") as tsa:
        token = request_token(tsa.url, digest, ca_file=tsa.ca_file)
    trusted = load_certificates(tsa.ca_file)
    check = verify_token(token, digest, trusted)
    assert check.gen_time == token_time(token) and "polmon test TSA" in check.tsa
    with pytest.raises(TokenError, match="another digest"):
        verify_token(token, hashlib.sha256(b"other").digest(), trusted)
    (tmp_path / "other").mkdir()
    other_ca, _key = make_ca(tmp_path / "other")
    with pytest.raises(TokenError, match="not issued by the trusted CA"):
        verify_token(token, digest, load_certificates(other_ca))
    with pytest.raises(TokenError):
        verify_token(token[:-30] + bytes(30), digest, trusted)
    with pytest.raises(TokenError, match=r"cannot be read|not CMS"):
        verify_token(b"not a token", digest, trusted)


def test_a_tsa_that_refuses_gives_no_token(tmp_path: Path) -> None:
    with local_tsa(tmp_path / "tsa") as tsa, pytest.raises(TokenError, match="refused"):
        request_token(tsa.url, b"not a sha256 digest", ca_file=tsa.ca_file)
