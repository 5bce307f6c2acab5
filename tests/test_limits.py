"""Request bodies are bounded however they arrive; forwarded addresses count only from configured proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import anyio
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from catalogue.errors import TieuchuanError
from catalogue.web.limits import MAX_BODY, BodyLimit, client_ip


async def echo(request: Request) -> Response:
    return JSONResponse({"bytes": len(await request.body())})


async def refuse(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TieuchuanError)
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)


APP = Starlette(
    routes=[Route("/admin/import", echo, methods=["POST"]), Route("/other", echo, methods=["POST"])],
    exception_handlers={TieuchuanError: refuse},
)
LIMITED = BodyLimit(APP, upload_limit=3 * MAX_BODY)


def _post(path: str, content: bytes | AsyncIterator[bytes]) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=LIMITED), base_url="http://t") as c:
            return await c.post(path, content=content)

    return anyio.run(go)


def test_bodies_within_their_path_limit_pass() -> None:
    assert _post("/other", b"a" * MAX_BODY).json() == {"bytes": MAX_BODY}
    assert _post("/admin/import", b"a" * (2 * MAX_BODY)).json() == {"bytes": 2 * MAX_BODY}


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    r = _post("/other", b"a" * (MAX_BODY + 1))
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large" and "1 MiB" in r.json()["message"]
    assert _post("/admin/import", b"a" * (3 * MAX_BODY + 1)).status_code == 413


def test_a_streamed_body_is_cut_off_when_it_passes_the_limit() -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length
        for _ in range(4):
            yield b"a" * MAX_BODY

    assert _post("/admin/import", chunks()).status_code == 413


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 1), "headers": headers, "method": "GET", "path": "/"})


def test_forwarded_for_counts_only_from_a_configured_proxy() -> None:
    proxies = [ipaddress.ip_network("10.0.0.0/24")]
    assert client_ip(_request("203.0.113.5", "1.2.3.4"), proxies) == "203.0.113.5"  # not a proxy: ignored
    assert client_ip(_request("203.0.113.5", "1.2.3.4"), []) == "203.0.113.5"
    assert client_ip(_request("10.0.0.2", "1.2.3.4"), proxies) == "1.2.3.4"
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.9"), proxies) == "1.2.3.4"  # nearest non-proxy
    assert client_ip(_request("10.0.0.2", "not an address"), proxies) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2"), proxies) == "10.0.0.2"
