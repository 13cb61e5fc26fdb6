"""The JSON API fuzzed from its own OpenAPI document (schemathesis): no input gives a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from monitor.web.app import create_app
from storage.engine import make_engine, transaction
from tests.conftest import TestDatabase, _database
from tests.support import factories as f
from tests.support.config import make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.web import LiveServer, live_server, sign_in, web_client

# One worker runs this module: its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("web-api-fuzz")


def _operations() -> list[str]:
    """Every operation the API documents, as "METHOD /path" (the document needs no database)."""
    document = create_app(make_config(), make_engine("sqlite://")).openapi()
    return sorted(
        f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops
    )


def _fill(database: TestDatabase) -> None:
    """A little of everything the API reads: versions, a deletion, a transcript, hits, growth."""
    with transaction(database.engine) as session:
        owner = f.actor(session, "Hun Manet")
        channel = f.account(
            session, owner, "telegram", "hunmanet_official", display_name=HOSTILE_TEXTS[101]
        )
        video = f.account(session, owner, "tiktok", "hun.manet")
        first = f.post(session, channel, "they are gangsters", views=1200)
        f.version(session, first, "they are bats", first.published_at + timedelta(hours=1))
        gone = f.post(session, channel, HOSTILE_TEXTS[104], deleted_at=f.T0 + timedelta(days=1))
        clip = f.post(session, video, "speech", kind="video")
        f.transcript(session, clip, [(0.0, "hello"), (12.5, "I will cut your legs", True)])
        f.hit(session, first, "threats", "gangsters")
        f.hit(session, gone, "threats", "bat")
        f.hit(session, clip, "threats", "cut your legs", source="transcript", start_seconds=12.5)
        f.snapshots(session, channel, [(0, 850_000), (1, 851_000), (7, 860_000)])
        f.event(session, channel, "renamed", f.T0 + timedelta(days=2), old="a", new="b")


@pytest.fixture(scope="module")
def api_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, dict[str, Any]]]:
    tmp_path = tmp_path_factory.mktemp("api-fuzz")
    database = next(_database("sqlite", tmp_path, request))
    _fill(database)
    config = make_config(tmp_path, database)
    with (
        live_server(config, database.engine) as server,
        web_client(server.base_url) as client,
    ):
        sign_in(server, client, role="admin")
        yield server, dict(client.cookies)


@pytest.mark.parametrize("operation", _operations())
def test_no_request_the_api_documents_gets_a_server_error(
    operation: str, api_server: tuple[LiveServer, dict[str, Any]]
) -> None:
    server, cookies = api_server
    document = httpx.get(f"{server.base_url}/api/openapi.json", cookies=cookies, timeout=30).json()
    endpoint = schemathesis.openapi.from_dict(document).find_operation_by_label(operation)
    assert endpoint is not None, operation

    @given(case=endpoint.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def call(case: Any) -> None:
        case.call_and_validate(
            base_url=server.base_url,
            cookies=cookies,
            checks=[not_a_server_error, response_schema_conformance],
        )

    call()
