"""The HTTP server's configuration and GuardedProtocol, on a real uvicorn with a tiny app."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from catalogue.settings import Settings
from catalogue.web import server
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


async def hello(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    settings = Settings.load(
        {"header_timeout": 1, "keep_alive": 1, "max_connections": 50, "max_header_bytes": 4096}, environ={}
    )
    number = free_port()
    config = server.config(hello, settings, host="127.0.0.1", port=number, log_level="warning", lifespan="off")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not live.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield number
    live.should_exit = True
    thread.join(timeout=10)


def _exchange(port: int, data: bytes, wait: float = 5) -> tuple[bytes, float]:
    """Send ``data``, then read until the server closes (or ``wait`` s): what came back and when it closed."""
    with contextlib.closing(socket.create_connection(("127.0.0.1", port), timeout=wait)) as sock:
        sock.sendall(data)
        started, received = time.monotonic(), b""
        sock.settimeout(0.2)
        while time.monotonic() - started < wait:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            received += chunk
        return received, time.monotonic() - started


def test_config_sets_every_timeout_and_limit_from_the_settings() -> None:
    settings = Settings.load({"keep_alive": 7, "max_connections": 9, "max_header_bytes": 5000}, environ={})
    config = server.config(hello, settings)
    assert (config.timeout_keep_alive, config.limit_concurrency, config.http.max_header_bytes) == (7, 9, 5000)
    assert issubclass(config.http, server.GuardedProtocol)
    assert config.http.header_timeout == settings.header_timeout
    assert config.proxy_headers is False


def test_workers_protocol_reads_its_limits_from_the_environment() -> None:
    env = {"TIEUCHUAN_HEADER_TIMEOUT": "3", "TIEUCHUAN_MAX_HEADER_BYTES": "2048", "PATH": ""}
    code = "from catalogue.web.server import SettingsGuardedProtocol as p; print(p.header_timeout, p.max_header_bytes)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["3.0", "2048"]
    assert server.options(Settings.load(environ={}), importable=True)["http"].endswith(":SettingsGuardedProtocol")


def test_a_partial_head_gets_408_when_the_deadline_passes(port: int) -> None:
    received, elapsed = _exchange(port, b"GET / HTTP/1.1\r\nHost: x")
    assert received.startswith(b"HTTP/1.1 408") and 0.8 < elapsed < 3


def test_a_head_over_the_limit_gets_400_even_in_one_piece(port: int) -> None:
    big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 6000 + b"\r\n\r\n"
    assert _exchange(port, big)[0].startswith(b"HTTP/1.1 400")
    small = b"GET / HTTP/1.1\r\nHost: x\r\nX-Small: " + b"a" * 1000 + b"\r\nConnection: close\r\n\r\n"
    assert _exchange(port, small)[0].startswith(b"HTTP/1.1 200")


def test_a_head_over_the_limit_in_many_pieces_gets_400(port: int) -> None:
    with contextlib.closing(socket.create_connection(("127.0.0.1", port), timeout=5)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for i in range(6):  # six headers of 1,000 bytes: each piece is small, the head is not
            sock.sendall(b"X-Part-%d: " % i + b"a" * 1000 + b"\r\n")
            time.sleep(0.01)
        sock.sendall(b"\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 400")


def test_a_second_request_on_a_kept_alive_connection_gets_its_own_deadline(port: int) -> None:
    with contextlib.closing(socket.create_connection(("127.0.0.1", port), timeout=5)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x")  # half a head, then nothing
        started, received = time.monotonic(), b""
        while chunk := sock.recv(65536):
            received += chunk
        assert received.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 3


def test_pipelined_requests_are_answered_then_the_idle_connection_closes(port: int) -> None:
    two = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 2
    received, elapsed = _exchange(port, two)
    assert received.count(b"HTTP/1.1 200") == 2 and b"408" not in received
    assert elapsed < 3  # closed by the keep-alive timeout (1 s), not left open
