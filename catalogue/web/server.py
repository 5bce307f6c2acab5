"""The HTTP server: uvicorn with every timeout and limit set explicitly from the settings.

uvicorn itself offers a keep-alive timeout (``keep_alive``) and a concurrency
limit (``max_connections``: beyond it, 503).  Through h11 it limits the size of a
request head only while the head is incomplete: a large head arriving in one
piece passes.  It has no timeout for *reading* a request head: a client that
connects and sends half a request line holds the connection for ever
(slowloris).  :class:`GuardedH11Protocol` adds both.

Contracts of :class:`GuardedH11Protocol`:

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

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from catalogue.settings import Settings

__all__ = ["GuardedH11Protocol", "config"]

_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: 16\r\n\r\nRequest Timeout\n"
)


def _head_size(event: h11.Request) -> int:
    return len(event.method) + len(event.target) + 12 + sum(len(k) + len(v) + 4 for k, v in event.headers)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        limit = self.config.h11_max_incomplete_event_size or h11.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        next_event = self.conn.next_event

        def next_event_within_limit() -> Any:  # uvicorn answers RemoteProtocolError with 400 and closes
            event = next_event()
            if isinstance(event, h11.Request) and _head_size(event) > limit:
                raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
            return event

        self.conn.next_event = next_event_within_limit  # type: ignore[method-assign]
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_started = False
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def data_received(self, data: bytes) -> None:
        self._head_started = True
        super().data_received(data)

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

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a complete request head arrived
            self._disarm()

    def on_response_complete(self) -> None:
        self._arm()  # the next request's head must arrive in time (a pipelined one disarms at once)
        super().on_response_complete()

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
        protocol: Any = "catalogue.web.server:SettingsGuardedH11Protocol"
    else:
        protocol = type("GuardedH11Protocol", (GuardedH11Protocol,), {"header_timeout": float(settings.header_timeout)})
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "http": protocol,
        "timeout_keep_alive": int(settings.keep_alive),
        "limit_concurrency": int(settings.max_connections),
        "h11_max_incomplete_event_size": int(settings.max_header_bytes),
        "timeout_graceful_shutdown": 10,
        "proxy_headers": False,  # forwarded headers are trusted in the app, from configured proxies only
        "server_header": False,
        "log_level": "info",
        "lifespan": "on",
    }
    options.update(overrides)
    return options


class SettingsGuardedH11Protocol(GuardedH11Protocol):
    """:class:`GuardedH11Protocol` whose deadline is ``header_timeout`` of the environment's settings."""

    header_timeout = float(os.environ.get("TIEUCHUAN_HEADER_TIMEOUT") or GuardedH11Protocol.header_timeout)
