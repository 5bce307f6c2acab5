"""Faults at the HTTP edge: silent and trickling clients, idle connections, floods, huge heads, forged Hosts.

Issue 13, items 10 and 13.  One real server (``tieuchuan serve``) with small
limits from the environment; each test opens raw sockets and bounds every wait.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from tests.faults.support import Server, copy_data

LIMITS = {
    "TIEUCHUAN_HEADER_TIMEOUT": "1",
    "TIEUCHUAN_KEEP_ALIVE": "1",
    "TIEUCHUAN_MAX_CONNECTIONS": "8",
    "TIEUCHUAN_MAX_HEADER_BYTES": "8192",
}


@pytest.fixture(scope="module")
def server(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = copy_data(base_dir, tmp_path_factory.mktemp("http") / "data")
    with Server(data_dir, env=LIMITS) as live:
        yield live


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.settimeout(10)
    return sock


def _closed_after(sock: socket.socket, limit: float) -> tuple[float, bytes]:
    """Seconds until the server closed ``sock`` (at most ``limit``), and what it sent."""
    started, received = time.monotonic(), b""
    sock.settimeout(0.2)
    while time.monotonic() - started < limit:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return time.monotonic() - started, received


def _response(sock: socket.socket) -> bytes:
    """One whole response (head and a Content-Length body) from ``sock``; what came if it closed early."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _get(server: Server, path: str = "/healthz", host: str | None = None) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{server.port}'}\r\n\r\n".encode()


def test_a_silent_partial_request_is_answered_408_and_closed(server: Server) -> None:
    open_after = []
    for _ in range(3):
        with contextlib.closing(_connect(server)) as sock:
            sock.sendall(b"GET /search?q=nuoc HTTP/1.1\r\nHost: 127.0.0.1")
            elapsed, received = _closed_after(sock, 8)
            if elapsed >= 8:
                open_after.append(elapsed)
            else:
                assert received.startswith(b"HTTP/1.1 408")
    assert open_after == []


def test_a_trickled_request_head_does_not_extend_the_deadline(server: Server) -> None:
    head = _get(server, "/search?q=" + "a" * 200)
    with contextlib.closing(_connect(server)) as sock:
        started, closed = time.monotonic(), False
        for byte in head[:-4]:  # one byte every 50 ms, never the final blank line
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
            if time.monotonic() - started > 6:
                break
        if not closed:
            closed = _closed_after(sock, 1)[0] < 1
        assert closed and time.monotonic() - started < 4


def test_an_idle_keep_alive_connection_is_closed_and_a_partial_second_request_too(server: Server) -> None:
    with contextlib.closing(_connect(server)) as sock:
        sock.sendall(_get(server))
        assert _response(sock).startswith(b"HTTP/1.1 200")
        elapsed, _ = _closed_after(sock, 6)
        assert elapsed < 3  # keep_alive = 1 s
    with contextlib.closing(_connect(server)) as sock:
        sock.sendall(_get(server))
        assert _response(sock).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # and then nothing: the keep-alive timer is off now
        elapsed, received = _closed_after(sock, 8)
        assert elapsed < 3 and received.startswith(b"HTTP/1.1 408")


@pytest.fixture(scope="module")
def crowded(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose head deadline (4 s) outlasts a slow machine's time to open eight sockets."""
    data_dir = copy_data(base_dir, tmp_path_factory.mktemp("crowded") / "data")
    with Server(data_dir, env={**LIMITS, "TIEUCHUAN_HEADER_TIMEOUT": "4"}) as live:
        yield live


def test_connections_beyond_the_limit_get_503_until_the_silent_ones_time_out(crowded: Server) -> None:
    hogs = [_connect(crowded) for _ in range(8)]
    try:
        for sock in hogs:
            sock.sendall(b"GET / HTTP/1.1\r\n")  # half a head each, and then nothing
        # a loaded server may take a moment to accept all eight; well inside the 4 s head deadline
        codes, started = [], time.monotonic()
        while time.monotonic() - started < 3 and 503 not in codes:
            codes.append(httpx.get(crowded.url + "/healthz", timeout=10).status_code)
            time.sleep(0.1)
        assert codes[-1] == 503, codes
        # the server itself ends the silent ones (408) and makes room: nobody closes them here
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if httpx.get(crowded.url + "/healthz", timeout=10).status_code == 200:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the server did not recover while the silent connections stayed open")
        for sock in hogs:
            assert _closed_after(sock, 5)[1].startswith(b"HTTP/1.1 408")
    finally:
        for sock in hogs:
            sock.close()


def test_an_oversized_request_head_gets_400(server: Server) -> None:
    with contextlib.closing(_connect(server)) as sock:
        sock.sendall(_get(server).replace(b"\r\n\r\n", b"\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n"))
        _, received = _closed_after(sock, 5)
        assert received.startswith(b"HTTP/1.1 400")
    with contextlib.closing(_connect(server)) as sock:
        sock.sendall(_get(server).replace(b"\r\n\r\n", b"\r\nX-Fine: " + b"a" * 4_000 + b"\r\n\r\n"))
        assert _response(sock).startswith(b"HTTP/1.1 200")


def test_a_forged_host_header_is_refused_and_never_reaches_absolute_links(server: Server) -> None:
    for path in ("/opensearch.xml", "/feed.atom", "/search.csv?q=nuoc"):
        forged = httpx.get(server.url + path, headers={"host": "evil.example"}, timeout=30)
        assert forged.status_code == 400, path
        assert "evil.example" not in forged.text
        honest = httpx.get(server.url + path, timeout=30)
        assert honest.status_code == 200 and "evil.example" not in honest.text


def test_with_base_url_every_absolute_link_uses_it_whatever_the_host(data_dir: Path) -> None:
    from catalogue.engine import Engine
    from catalogue.errors import InvalidInput
    from catalogue.settings import Settings
    from catalogue.web.app import create_app

    settings = Settings.load({"data_dir": str(data_dir), "base_url": "https://tieuchuan.example"}, environ={})
    engine = Engine.open(settings)
    try:
        app = create_app(settings, engine)
        paths = ("/opensearch.xml", "/feed.atom", "/search.csv?q=nuoc")

        async def fetch() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as c:
                return [await c.get(path) for path in paths]

        for path, r in zip(paths, anyio.run(fetch), strict=True):
            assert r.status_code == 200, path
            assert "evil.example" not in r.text and "https://tieuchuan.example/" in r.text, path
    finally:
        engine.close()
    with pytest.raises(InvalidInput, match="origin"):
        _ = Settings.load({"base_url": "https://tieuchuan.example/sub/path"}, environ={}).public_origin
