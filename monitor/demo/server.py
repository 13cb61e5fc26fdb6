"""A local stand-in for t.me on 127.0.0.1 that serves the demo sample, one capture at a time."""

from __future__ import annotations

import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from monitor.demo.sample import CHANNEL, SamplePass, capture_time, channel_page, profile_page

MEDIA_DIR = Path(__file__).resolve().parent / "media"
# A 1×1 grey JPEG for avatars and video thumbnails.
THUMB = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc000"
    "0b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400"
    "b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c1"
    "1552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a63"
    "6465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
    "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008"
    "010100003f00fbd3ffd9"
)


class SampleServer:
    """Serves /s/<channel>, /<channel> and /media/<file> for the capture chosen by `show`."""

    def __init__(self, passes: list[SamplePass]) -> None:
        self.passes = passes
        self.current = 0
        self.now: datetime = capture_time()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def show(self, index: int) -> None:
        self.current, self.now = index, capture_time()

    def __enter__(self) -> SampleServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _page(self, path: str) -> tuple[int, str, bytes]:
        capture = self.passes[self.current]
        media_base = f"{self.base_url}/media"
        if path == f"/s/{CHANNEL}":
            body = channel_page(capture, self.now, media_base)
            return 200, "text/html; charset=utf-8", body.encode()
        if path == f"/{CHANNEL}":
            return 200, "text/html; charset=utf-8", profile_page(capture, media_base).encode()
        if path == "/media/thumb.jpg":
            return 200, "image/jpeg", THUMB
        if path.startswith("/media/"):
            file = MEDIA_DIR / Path(path).name
            if file.is_file():
                return 200, "video/mp4", file.read_bytes()
        return 404, "text/plain", b"not found"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, kind, body = server._page(urlsplit(self.path).path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
