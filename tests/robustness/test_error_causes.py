"""Issue 12 item 5: errors name the real cause (TSA, keys, certificates)."""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
import time

import pytest

from zvhsign.pdf.signing import check_timestamper, retrying


def _problem(url: str, timeout: float = 1) -> str | None:
    from pyhanko.sign.timestamps import HTTPTimeStamper

    async def run():
        return await check_timestamper(retrying(HTTPTimeStamper(url, timeout=timeout)))

    return asyncio.run(run())


class _Server:
    def __init__(self, handler):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/tsa"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _handler(status: int, ctype: str, body: bytes, delay: float = 0):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return H


def test_tsa_refusing_the_connection_says_refused():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    msg = _problem(f"http://127.0.0.1:{port}/tsa")
    assert "connection was refused" in msg and f"127.0.0.1:{port}" in msg
    assert "within" not in msg and "(tried twice)" in msg


def test_tsa_host_that_does_not_resolve_says_so():
    msg = _problem("http://tsa.does-not-exist.invalid/tsr")
    assert "does not resolve" in msg and "tsa.does-not-exist.invalid" in msg
    assert "within" not in msg


def test_tsa_timing_out_says_within():
    with _Server(_handler(200, "application/timestamp-reply", b"", delay=3)) as url:
        msg = _problem(url, timeout=0.5)
    assert "did not answer within 0.5 s (tried twice)" in msg


def test_tsa_answering_garbage_says_garbage():
    with _Server(_handler(200, "application/timestamp-reply", b"\x30\x03\x02\x01")) as url:
        msg = _problem(url)
    assert "garbage" in msg or "not usefully" in msg
    assert "within" not in msg


def test_tsa_answering_html_names_the_content_type():
    with _Server(_handler(200, "text/html", b"<html>login</html>")) as url:
        msg = _problem(url)
    assert "not with a timestamp (content type text/html)" in msg


def test_tsa_answering_an_http_error_names_the_status():
    with _Server(_handler(503, "text/plain", b"busy")) as url:
        msg = _problem(url)
    assert "HTTP 503" in msg and "within" not in msg
