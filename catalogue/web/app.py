"""The Starlette app: routing, the lifespan, language and health.

Contracts:

* ``create_app(settings)`` opens the :class:`~catalogue.engine.Engine` in the
  lifespan, so a missing or corrupt index is detected (and rebuilt) at start-up.
* Errors of every route go to the one handler, :func:`catalogue.web.http.handle_error`.
* Templates autoescape; the CSP allows no inline script
  (:class:`~catalogue.web.http.SecurityHeaders`).
* Vietnamese by default; ``/lang?to=en`` stores the choice in a cookie.
* Detail pages and API responses carry an ETag and answer ``If-None-Match``
  with 304.
* Request bodies are bounded (:class:`~catalogue.web.limits.BodyLimit`: 413).
* With ``base_url`` every request is seen as addressed to it
  (:class:`~catalogue.web.http.PublicOrigin`); without it only ``allowed_hosts``
  are answered (400 otherwise).

Imports flow one way: this module imports the endpoint modules (pages, api,
admin), which import :mod:`catalogue.web.http`, never this module.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from catalogue.engine import Engine
from catalogue.errors import TieuchuanError
from catalogue.settings import Settings
from catalogue.web import admin, api, pages
from catalogue.web.http import PublicOrigin, SecurityHeaders, Site, handle_error
from catalogue.web.i18n import pick
from catalogue.web.limits import BodyLimit

__all__ = ["Site", "create_app"]


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    site = Site(settings, engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # the pool every blocking call runs in (Starlette's run_in_threadpool): bounded, see Settings.threads
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if site._engine is None:
            site._engine = await run_in_threadpool(Engine.open, settings)
        await run_in_threadpool(site.engine.searcher.warm_up)
        await run_in_threadpool(site.engine.recommender.index)
        await run_in_threadpool(site.engine.ics)
        gc.freeze()  # the models and arrays just loaded live for ever: keep them out of every collection
        yield
        site.engine.close()

    async def set_lang(request: Request) -> Response:
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # never an open redirect
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            "lang", pick(request.query_params.get("to")), max_age=365 * 86400, samesite="lax", httponly=True
        )
        return response

    def health() -> dict[str, Any]:
        meta = site.engine.index.meta()
        return {
            "status": "ok",
            "standards": site.engine.store.count(),
            "indexed": meta["count"],
            "watermark": meta["watermark"],
            "store_seq": site.engine.store.seq,
        }

    async def healthz(request: Request) -> Response:
        return JSONResponse(await site.run(health))

    async def livez(request: Request) -> Response:
        return Response(b"ok\n", media_type="text/plain")  # alive; touches nothing (the load bench's ceiling)

    def bind(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            return await handler(site, request)

        return endpoint

    routes = [Route(path, bind(handler)) for path, handler in (*pages.ROUTES, *api.ROUTES)]
    routes += [Route(path, bind(handler), methods=methods) for path, handler, methods in admin.ROUTES]
    routes += [
        Route("/lang", set_lang),
        Route("/healthz", healthz),
        Route("/livez", livez),
        Mount("/static", site.assets, name="static"),
        Route("/favicon.ico", site.assets.alias("favicon.svg")),
    ]
    origin = settings.public_origin
    if origin is not None:
        host_guard = Middleware(PublicOrigin, scheme=origin[0], netloc=origin[1])
    else:
        host_guard = Middleware(TrustedHostMiddleware, allowed_hosts=settings.host_list or ["127.0.0.1"])
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(SecurityHeaders),
            host_guard,
            Middleware(BodyLimit, upload_limit=settings.max_upload_mb << 20),
            Middleware(
                SessionMiddleware,
                secret_key=settings.session_secret(),
                session_cookie="tieuchuan_admin",
                max_age=None,  # a browser-session cookie; expiry is enforced server-side
                same_site="lax",
                https_only=bool(settings.https),
            ),
        ],
        # OSError and sqlite3.Error are listed so that they are answered here, keeping the connection open,
        # instead of by the last-resort handler, which re-raises and makes the server drop the connection
        exception_handlers={
            Exception: handle_error,
            HTTPException: handle_error,
            TieuchuanError: handle_error,
            OSError: handle_error,
            sqlite3.Error: handle_error,
        },
    )
    app.state.site = site
    return app
