"""A real S3-compatible server on 127.0.0.1 (moto's server mode) and media roots in it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "polmon-test",
    "AWS_SECRET_ACCESS_KEY": "polmon-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
_buckets = itertools.count(1)


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def new_root(self, prefix: str = "polmon/media") -> str:
        """An empty bucket of its own; the media root URL `s3://<bucket>/<prefix>`."""
        import s3fs

        bucket = f"polmon-test-{next(_buckets)}"
        s3fs.S3FileSystem(endpoint_url=self.endpoint_url).mkdir(bucket)
        return f"s3://{bucket}/{prefix}"

    @property
    def options(self) -> dict[str, str | int | bool]:
        """`[paths] media_root_options` for it (credentials come from the environment)."""
        return {"endpoint_url": self.endpoint_url}


@contextmanager
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """moto's ThreadedMotoServer on a free port of 127.0.0.1, credentials in the environment
    (so nothing ever asks an instance-metadata service)."""
    from moto.server import ThreadedMotoServer

    for name, value in _CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()
