"""The HTTP server's configuration and GuardedH11Protocol, on a real uvicorn with a tiny app."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from catalogue.settings import Settings
from catalogue.web import server
from tests.conftest import free_port


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
    assert (config.timeout_keep_alive, config.limit_concurrency, config.h11_max_incomplete_event_size) == (7, 9, 5000)
    assert issubclass(config.http, server.GuardedH11Protocol)
    assert config.http.header_timeout == settings.header_timeout
    assert config.proxy_headers is False


def test_a_partial_head_gets_408_when_the_deadline_passes(port: int) -> None:
    received, elapsed = _exchange(port, b"GET / HTTP/1.1\r\nHost: x")
    assert received.startswith(b"HTTP/1.1 408") and 0.8 < elapsed < 3


def test_a_head_over_the_limit_gets_400_even_in_one_piece(port: int) -> None:
    big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 6000 + b"\r\n\r\n"
    assert _exchange(port, big)[0].startswith(b"HTTP/1.1 400")
    small = b"GET / HTTP/1.1\r\nHost: x\r\nX-Small: " + b"a" * 1000 + b"\r\nConnection: close\r\n\r\n"
    assert _exchange(port, small)[0].startswith(b"HTTP/1.1 200")


def test_pipelined_requests_are_answered_then_the_idle_connection_closes(port: int) -> None:
    two = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 2
    received, elapsed = _exchange(port, two)
    assert received.count(b"HTTP/1.1 200") == 2 and b"408" not in received
    assert elapsed < 3  # closed by the keep-alive timeout (1 s), not left open
