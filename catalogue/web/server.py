"""The HTTP server: uvicorn with every timeout and limit set explicitly from the settings.

uvicorn itself offers a keep-alive timeout (``keep_alive``) and a concurrency
limit (``max_connections``: beyond it, 503).  It has no limit on the size of a
request head through httptools, and no timeout for *reading* one: a client that
connects and sends half a request line holds the connection for ever
(slowloris).  :class:`GuardedProtocol` adds both to uvicorn's httptools
protocol (llhttp, in C: about 30% more requests a second than h11 here).

Contracts of :class:`GuardedProtocol`:

* from the moment a connection opens, or a response completes on a kept-alive
  connection, the client has ``header_timeout`` seconds to deliver a complete
  request head; otherwise the connection is closed, after a ``408 Request
  Timeout`` when part of a request had come.  Trickling bytes does not extend
  the deadline;
* a request head (request line and headers) over ``max_header_bytes`` gets 400
  and the connection is closed, however it arrived.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from catalogue.errors import InvalidInput
from catalogue.settings import Settings
from catalogue.settings import get as declared

__all__ = ["GuardedProtocol", "config"]

_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: 16\r\n\r\nRequest Timeout\n"
)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for each request head."""

    header_timeout: float = float(declared("header_timeout").default)
    max_header_bytes: int = int(declared("max_header_bytes").default)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_started = False
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            if self._head_started:  # half a request came: say why; an idle connection just closes
                self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self._head_started = True
        super().data_received(data)

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            # from a parser callback httptools re-raises it as HttpParserError, which uvicorn answers with 400
            raise InvalidInput(f"request head over {self.max_header_bytes} bytes")

    def on_message_begin(self) -> None:
        self._head_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count(len(url) + 12)  # with the method and " HTTP/1.1\r\n"
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)  # its head is complete already: no deadline for it
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration for ``app``; ``overrides`` (e.g. ``port``, ``log_level``) win."""
    return uvicorn.Config(app, **options(settings, **overrides))


def options(settings: Settings, *, importable: bool = False, **overrides: Any) -> dict[str, Any]:
    """uvicorn's keyword arguments for ``settings``.

    ``importable``: the protocol is named by its import string, as worker processes need
    (they are spawned, so a class made here cannot reach them); it reads the header
    deadline from the settings the workers load.
    """
    if importable:
        protocol: Any = "catalogue.web.server:SettingsGuardedProtocol"
    else:
        limits = {"header_timeout": float(settings.header_timeout), "max_header_bytes": int(settings.max_header_bytes)}
        protocol = type("GuardedProtocol", (GuardedProtocol,), limits)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "http": protocol,
        "timeout_keep_alive": int(settings.keep_alive),
        "limit_concurrency": int(settings.max_connections),
        "timeout_graceful_shutdown": 10,
        "proxy_headers": False,  # forwarded headers are trusted in the app, from configured proxies only
        "server_header": False,
        "log_level": "info",
        "lifespan": "on",
    }
    options.update(overrides)
    return options


def _environment(name: str) -> Any:
    """Setting ``name`` from the environment (cast as declared), else its default: the workers' settings."""
    setting = declared(name)
    return setting.cast(os.environ[setting.env]) if setting.env in os.environ else setting.default


class SettingsGuardedProtocol(GuardedProtocol):
    """:class:`GuardedProtocol` with ``header_timeout`` and ``max_header_bytes`` from the environment's settings."""

    header_timeout = float(_environment("header_timeout"))
    max_header_bytes = int(_environment("max_header_bytes"))
