"""Hostile servers against the polite client: redirect loops and endless pages are one line."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Response

from collectors.errors import FetchError
from collectors.http import MAX_REDIRECTS, PageTooLarge, PoliteClient, RetryPolicy
from monitor.config import load_config
from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import CollectionRun
from tests.conftest import TestDatabase, write_config
from tests.support.telegram_scenario import scenario_toml
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite


def client(**overrides: object) -> PoliteClient:
    retry = RetryPolicy(max_retries=2, backoff_seconds=0.01, max_backoff_seconds=0.05)
    options: dict[str, object] = {
        "user_agent": "polmon-test/1",
        "timeout_seconds": 5.0,
        "requests_per_second": 1000.0,
        "retry": retry,
    }
    options.update(overrides)
    return PoliteClient(**options)  # type: ignore[arg-type]


def test_redirect_loop_is_one_line_with_the_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/s/loop").respond_with_response(
        Response(status=302, headers={"Location": "/s/loop"})
    )
    url = httpserver.url_for("/s/loop")
    with client() as http, pytest.raises(FetchError) as info:
        http.get(url)
    assert str(info.value) == (
        f"GET {url}: redirect loop (more than {MAX_REDIRECTS} redirects, the last to {url})"
    )
    assert info.value.expected
    # No retries of a loop. (Only this path counts: the server is shared by the session's
    # tests, and a stalled request of an earlier test may still reach it.)
    loops = [request for request, _response in httpserver.log if request.path == "/s/loop"]
    assert len(loops) == MAX_REDIRECTS + 1


def test_page_over_the_cap_is_refused_without_retry(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    with client(max_page_bytes=4096) as http, pytest.raises(PageTooLarge) as info:
        http.get(httpserver.url_for("/big"))
    assert "page larger than" in str(info.value)
    assert len(httpserver.log) == 1


def test_compressed_page_is_capped_on_its_decoded_size(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"a" * 100_000)  # 100 kB from a few hundred bytes
    httpserver.expect_request("/bomb").respond_with_response(
        Response(bomb, headers={"Content-Encoding": "gzip"})
    )
    httpserver.expect_request("/small").respond_with_response(
        Response(gzip.compress("héllo".encode()), headers={"Content-Encoding": "gzip"})
    )
    with client(max_page_bytes=50_000) as http:
        with pytest.raises(PageTooLarge):
            http.get(httpserver.url_for("/bomb"))
        assert http.get(httpserver.url_for("/small")).text == "héllo"


def test_redirect_loop_on_t_me_fails_the_account_and_the_pass_goes_on(
    db: TestDatabase, httpserver: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = TelegramSite()
    site.add(SiteChannel("calm", "Calm", 2, 10)).add(SitePost(1, NOW - timedelta(hours=1)))
    httpserver.expect_request("/loop").respond_with_response(
        Response(status=302, headers={"Location": "/loop"})
    )
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    toml = scenario_toml(httpserver.url_for("/"), ["loop", "calm"])
    report = run_collect(load_config(write_config(tmp_path, db, toml)), db.engine)
    statuses = {a.handle: (a.status, a.error) for a in report.accounts}
    assert statuses["calm"] == ("ok", None)
    status, error = statuses["loop"]
    assert status == "failed" and error is not None
    assert error.startswith(f"GET {httpserver.url_for('/loop')}: redirect loop")
    assert "\n" not in error
    assert "Traceback" not in caplog.text
    with transaction(db.engine) as session:
        assert sorted(session.scalars(select(CollectionRun.status))) == ["failed", "ok"]
