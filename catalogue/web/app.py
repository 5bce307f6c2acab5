"""The Starlette app: routing, rendering, language, caching headers and the one error handler.

Contracts:

* ``create_app(settings)`` opens the :class:`~catalogue.engine.Engine` in the
  lifespan, so a missing or corrupt index is detected (and rebuilt) at start-up.
* One exception handler turns every :class:`TieuchuanError` (and any unexpected
  error) into a page in the site's style, or into JSON ``{"error": {"code",
  "message"}}`` under ``/api/``.  No traceback is ever sent.
* Templates autoescape; the CSP allows no inline script.
* Vietnamese by default; ``/lang?to=en`` stores the choice in a cookie.
* Detail pages and API responses carry an ETag and answer ``If-None-Match``
  with 304.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from catalogue.engine import Engine
from catalogue.errors import TieuchuanError
from catalogue.model import DEGREES, STATUS_LABELS
from catalogue.settings import Settings
from catalogue.web import admin, api, pages
from catalogue.web.assets import Assets
from catalogue.web.i18n import pick, translator

__all__ = ["Site", "create_app"]

log = logging.getLogger("tieuchuan.web")
# A checkout keeps templates/ at the top level; a wheel ships the same folder as catalogue/templates.
_CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TEMPLATES = _CHECKOUT_TEMPLATES if _CHECKOUT_TEMPLATES.is_dir() else Path(__file__).resolve().parents[1] / "templates"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.decode().lower() for k, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def merge_query(params: dict[str, str], **changes: Any) -> str:
    """Query string of ``params`` with ``changes`` applied (``None`` removes a key)."""
    merged = {k: v for k, v in params.items() if v not in ("", None)}
    for k, v in changes.items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = str(v)
    return urlencode(merged)


class Site:
    """What every endpoint needs: settings, the engine, templates and response helpers."""

    def __init__(self, settings: Settings, engine: Engine | None) -> None:
        self.settings = settings
        self._engine = engine
        self.jinja = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        )
        self.jinja.globals.update(STATUS_LABELS=STATUS_LABELS, DEGREES=DEGREES)
        self.jinja.filters["merge_query"] = merge_query
        self.assets = Assets(TEMPLATES / "static")
        self.jinja.globals["static"] = self.assets.url

    @property
    def engine(self) -> Engine:
        assert self._engine is not None, "engine opened in the lifespan"
        return self._engine

    @staticmethod
    def lang(request: Request) -> str:
        return pick(request.cookies.get("lang"))

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = self.lang(request)
        context.update(request=request, lang=lang, _=translator(lang))
        return HTMLResponse(self.jinja.get_template(name).render(**context), status_code=status)

    async def run(self, func: Any, *args: Any) -> Any:
        return await run_in_threadpool(func, *args)


def with_etag(request: Request, response: Response, last_modified: str | None = None) -> Response:
    """A weak ETag over the body; 304 when the client already has it."""
    etag = 'W/"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"etag": etag})
    response.headers["etag"] = etag
    response.headers["cache-control"] = "no-cache"
    if last_modified:
        response.headers["last-modified"] = last_modified
    return response


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    site = Site(settings, engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if site._engine is None:
            site._engine = await run_in_threadpool(Engine.open, settings)
        await run_in_threadpool(site.engine.searcher.warm_up)
        await run_in_threadpool(site.engine.recommender.index)
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

    async def healthz(request: Request) -> Response:
        meta = site.engine.index.meta()
        return JSONResponse(
            {
                "status": "ok",
                "standards": site.engine.store.count(),
                "indexed": meta["count"],
                "watermark": meta["watermark"],
                "store_seq": site.engine.store.seq,
            }
        )

    async def livez(request: Request) -> Response:
        return Response(b"ok\n", media_type="text/plain")  # alive; touches nothing (the load bench's ceiling)

    async def handle_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, TieuchuanError):
            status, code, message = exc.status, exc.code, exc.message
        elif isinstance(exc, HTTPException):
            status, code = exc.status_code, "not_found" if exc.status_code == 404 else "http_error"
            message = "Không tìm thấy trang / Page not found" if exc.status_code == 404 else str(exc.detail)
        else:
            log.exception("unexpected error on %s", request.url.path)
            status, code, message = 500, "internal_error", "Lỗi máy chủ / Internal server error"
        if request.url.path.startswith(("/api/", "/admin/api/")) or "application/json" in request.headers.get(
            "accept", ""
        ):
            return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
        try:
            return site.render(request, "error.html", status=status, status_code=status, message=message)
        except Exception:  # the error page itself failed: plain text, still no traceback
            log.exception("error page failed")
            return Response(f"{status} {message}", status_code=status, media_type="text/plain; charset=utf-8")

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
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.session_secret(),
                session_cookie="tieuchuan_admin",
                max_age=None,  # a browser-session cookie; expiry is enforced server-side
                same_site="lax",
                https_only=bool(settings.https),
            ),
        ],
        exception_handlers={Exception: handle_error, HTTPException: handle_error, TieuchuanError: handle_error},
    )
    app.state.site = site
    return app
