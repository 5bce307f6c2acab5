"""What a request may cost: its body's size, and which address it counts as coming from.

Contracts:

* :class:`BodyLimit` refuses a body over its path's limit with
  :class:`PayloadTooLarge` (413, a clear page or JSON from the app's one error
  handler): at once when ``Content-Length`` says so, else as soon as the
  streamed body passes the limit — so a chunked upload cannot get around it, and
  no more than the limit is ever read.  Uploads (``/admin/import``) may carry
  ``max_upload_mb``; every other body at most :data:`MAX_BODY`.
* :func:`client_ip` is the peer's address, unless the peer is one of the
  configured ``trusted_proxies``: then it is the nearest address in
  ``X-Forwarded-For`` that is not itself a trusted proxy.  With no proxies
  configured the header is ignored, so nobody can pick the address their
  requests count against.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalogue.errors import PayloadTooLarge

__all__ = ["MAX_BODY", "BodyLimit", "client_ip"]

MAX_BODY = 1 << 20
UPLOAD_PATHS = ("/admin/import",)


def _too_large(limit: int) -> PayloadTooLarge:
    mib = limit / (1 << 20)
    return PayloadTooLarge(
        f"Dữ liệu gửi lên quá lớn (tối đa {mib:g} MiB). / The request body is too large (at most {mib:g} MiB)."
    )


class BodyLimit:
    def __init__(self, app: ASGIApp, upload_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit

    def limit_for(self, path: str) -> int:
        return self.upload_limit if path.rstrip("/") in UPLOAD_PATHS else MAX_BODY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers", [])).get(b"content-length")
        too_big_already = declared is not None and declared.isdigit() and int(declared) > limit
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if too_big_already:
                raise _too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, limited, send)


def client_ip(request: Request, proxies: list[Any]) -> str:
    peer = request.client.host if request.client else "unknown"
    if not proxies or not _within(peer, proxies):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a forged or garbled hop: count the request against the proxy's own address
    return peer


def _within(address: str, networks: list[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)
