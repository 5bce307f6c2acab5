"""The Starlette web app: search pages, a JSON API and health.

Contracts:

* ``create_app(settings)`` opens the :class:`~catalogue.engine.Engine` in the
  lifespan, so a missing or corrupt index is detected (and rebuilt) at start-up.
* One exception handler turns every :class:`TieuchuanError` (and any unexpected
  error) into a page in the site's style, or into JSON ``{"error": {"code",
  "message"}}`` under ``/api/``.  No traceback is ever sent.
* Templates autoescape; the CSP allows no inline script.
"""

from __future__ import annotations

import contextlib
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
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from catalogue.engine import Engine
from catalogue.errors import InvalidInput, TieuchuanError
from catalogue.model import DEGREES, STATUS_LABELS, same_subject
from catalogue.search import SearchRequest
from catalogue.settings import Settings
from catalogue.taxonomy import format_hs

__all__ = ["create_app"]

log = logging.getLogger("tieuchuan.web")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
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


def _jinja() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
    )
    env.globals.update(STATUS_LABELS=STATUS_LABELS, DEGREES=DEGREES)
    env.filters["merge_query"] = merge_query
    return env


def _int(request: Request, name: str, default: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} phải là số nguyên / {name} must be a whole number") from None


def _search_request(request: Request, page_size: int) -> SearchRequest:
    params = request.query_params

    def text(name: str) -> str | None:
        value = params.get(name)
        return value.strip() if value and value.strip() else None

    return SearchRequest(
        q=params.get("q", ""),
        kind=text("kind"),
        status=text("status"),
        ics=text("ics"),
        ministry=text("ministry"),
        year_from=_int(request, "year_from", None),
        year_to=_int(request, "year_to", None),
        page=_int(request, "page", 1),  # type: ignore[arg-type]
        limit=_int(request, "limit", page_size),  # type: ignore[arg-type]
        sort=text("sort") or "relevance",
    )


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    jinja = _jinja()
    state: dict[str, Any] = {"engine": engine}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if state["engine"] is None:
            state["engine"] = await run_in_threadpool(Engine.open, settings)
        await run_in_threadpool(state["engine"].searcher.warm_up)
        yield
        state["engine"].close()

    def eng() -> Engine:
        return state["engine"]

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.update(request=request, lang="vi")
        return HTMLResponse(jinja.get_template(name).render(**context), status_code=status)

    async def home(request: Request) -> Response:
        newest = await run_in_threadpool(eng().store.newest, 8)
        counts = {"TCVN": eng().store.count("TCVN"), "QCVN": eng().store.count("QCVN")}
        return render(request, "home.html", newest=newest, counts=counts)

    async def search_page(request: Request) -> Response:
        req = _search_request(request, settings.page_size)
        if req.page == 1 and not req.filters and req.q.strip():
            slugs = await run_in_threadpool(eng().searcher.resolve, req.q)
            if len(slugs) == 1:  # a number naming exactly one standard
                return RedirectResponse(f"/standards/{slugs[0]}", status_code=303)
        result = await run_in_threadpool(eng().search, req)
        return render(request, "search.html", result=result, req=req, params=dict(request.query_params))

    async def api_search(request: Request) -> Response:
        req = _search_request(request, settings.page_size)
        result = await run_in_threadpool(eng().search, req)
        return JSONResponse(result.to_dict())

    async def standard_page(request: Request) -> Response:
        slug = request.path_params["slug"]
        record = await run_in_threadpool(eng().store.get_by_slug, slug)
        ics = eng().store.ics()
        editions = await run_in_threadpool(eng().store.editions, record.ident.edition_key)
        editions = [e for e in editions if e.key == record.key or same_subject(e, record)]
        return render(request, "standard.html", s=record, ics=ics, editions=editions)

    async def recommend_page(request: Request) -> Response:
        product = request.query_params.get("product", "")
        hs = request.query_params.get("hs") or None
        result, error = None, None
        if product.strip() or hs:
            try:
                result = await run_in_threadpool(eng().recommender.recommend, product, hs)
            except InvalidInput as exc:  # shown beside the form, which keeps what was typed
                error = exc.message
        status = 400 if error else 200
        return render(request, "recommend.html", status, result=result, product=product, hs=hs or "", error=error)

    async def api_recommend(request: Request) -> Response:
        product = request.query_params.get("product", "")
        hs = request.query_params.get("hs") or None
        withdrawn = request.query_params.get("include_withdrawn", "").lower() in ("1", "true", "yes")
        result = await run_in_threadpool(eng().recommender.recommend, product, hs, withdrawn)
        return JSONResponse(result.to_dict())

    async def groups_page(request: Request) -> Response:
        groups = await run_in_threadpool(eng().recommender.taxonomy.groups)
        return render(request, "groups.html", groups=groups)

    async def group_page(request: Request) -> Response:
        taxonomy = eng().recommender.taxonomy
        group = await run_in_threadpool(taxonomy.group, request.path_params["slug"])
        regulations = []
        for link in group.regulations:
            current, named = await run_in_threadpool(eng().recommender._current, link["number"], True)
            regulations.append({"link": link, "current": current, "named": named})
        standards = [s for s in (eng().store.get(n) for n in group.standards)]
        ics = eng().store.ics()
        return render(
            request,
            "group.html",
            group=group,
            regulations=regulations,
            standards=standards,
            ics=ics,
            format_hs=format_hs,
        )

    async def healthz(request: Request) -> Response:
        meta = eng().index.meta()
        return JSONResponse(
            {
                "status": "ok",
                "standards": eng().store.count(),
                "indexed": meta["count"],
                "watermark": meta["watermark"],
                "store_seq": eng().store.seq,
            }
        )

    async def handle_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, TieuchuanError):
            status, code, message = exc.status, exc.code, exc.message
        elif isinstance(exc, HTTPException):
            status, code = exc.status_code, "not_found" if exc.status_code == 404 else "http_error"
            message = "Không tìm thấy trang / Page not found" if exc.status_code == 404 else str(exc.detail)
        else:
            log.exception("unexpected error on %s", request.url.path)
            status, code, message = 500, "internal_error", "Lỗi máy chủ / Internal server error"
        if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
        return render(request, "error.html", status=status, status_code=status, message=message)

    routes = [
        Route("/", home),
        Route("/search", search_page),
        Route("/api/search", api_search),
        Route("/standards/{slug}", standard_page),
        Route("/recommend", recommend_page),
        Route("/api/recommend", api_recommend),
        Route("/groups", groups_page),
        Route("/groups/{slug}", group_page),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=TEMPLATES / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={Exception: handle_error, HTTPException: handle_error, TieuchuanError: handle_error},
    )
    app.state.engine_state = state
    return app
