"""A real HTTP server on 127.0.0.1 standing in for platforms and CDNs in tests and benchmarks.

Routes serve bytes with Range support; a route can also misbehave the way networks do:
`truncate` announces the full length but closes the connection early, `stall` sends a
little and then goes silent until the server stops. Dynamic routes answer from the query.

Used as an HTTP proxy (`[video] proxy`), it also serves HTTPS hosts: a CONNECT tunnel is
answered with a self-signed certificate (tests/fixtures/tls/server.pem), so clients that do
not verify certificates (`[video] verify_certificates = false`) reach the same routes as if
they were https://www.tiktok.com. Routes match on the path only, whatever the host.
"""

from __future__ import annotations

import re
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

Mode = Literal["ok", "truncate", "stall"]
# query -> (status, content type, body)
Dynamic = Callable[[dict[str, list[str]]], tuple[int, str, bytes]]
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
TLS_CERT = Path(__file__).resolve().parents[1] / "fixtures" / "tls" / "server.pem"


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    status: int = 200
    mode: Mode = "ok"
    headers: dict[str, str] = field(default_factory=dict)


class LocalServer:
    """Serves registered paths (query strings ignored); unknown paths are 404."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency  # seconds before each answer (a distant server)
        self.routes: dict[str, Route] = {}
        self.dynamic: dict[str, Dynamic] = {}
        self.hits: Counter[str] = Counter()
        self.last_headers: dict[str, dict[str, str]] = {}
        self.stop_event = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: bytes | str, content_type: str = "text/html", **kw: Any) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        if isinstance(body, str) and "charset" not in content_type:
            content_type += "; charset=utf-8"
        self.routes[path] = Route(data, content_type, **kw)
        return self.url(path)

    def add_file(self, path: str, file: Path, content_type: str = "video/mp4", **kw: Any) -> str:
        return self.add(path, file.read_bytes(), content_type, **kw)

    def add_dynamic(self, path: str, answer: Dynamic) -> str:
        self.dynamic[path] = answer
        return self.url(path)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_CONNECT(self) -> None:
            """An HTTPS tunnel: terminate TLS here and serve the routes inside it."""
            self.send_response(200, "Connection established")
            self.end_headers()
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(TLS_CERT)
            try:
                tls = context.wrap_socket(self.connection, server_side=True)
            except (ssl.SSLError, OSError):
                self.close_connection = True
                return
            Handler(tls, self.client_address, self.server)
            self.close_connection = True

        def _serve(self, *, send_body: bool) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            server.hits[path] += 1
            if server.latency:
                time.sleep(server.latency)
            server.last_headers[path] = dict(self.headers.items())
            route = server.routes.get(path)
            if path in server.dynamic:
                status, content_type, data = server.dynamic[path](parse_qs(parts.query))
                route = Route(data, content_type, status)
            if route is None:
                self._plain(404, b"not found")
                return
            if route.status >= 400:
                self._plain(route.status, route.body)
                return
            body, status, extra = route.body, route.status, dict(route.headers)
            match = _RANGE.match(self.headers.get("Range", "").strip())
            if match and route.mode == "ok" and body:
                start = int(match.group(1) or 0)
                end = int(match.group(2)) if match.group(2) else len(body) - 1
                end = min(end, len(body) - 1)
                if start >= len(body):
                    self._plain(416, b"range not satisfiable")
                    return
                extra["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
                body, status = body[start : end + 1], 206
            self.send_response(status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            if not send_body:
                return
            if route.mode == "truncate":
                self.wfile.write(body[: max(1, len(body) * 2 // 5)])
                self.wfile.flush()
                self.close_connection = True
                return
            if route.mode == "stall":
                self.wfile.write(body[:1024])
                self.wfile.flush()
                server.stop_event.wait(60)
                self.close_connection = True
                return
            self.wfile.write(body)

        def _plain(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
