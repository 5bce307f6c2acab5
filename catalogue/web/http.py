"""What every endpoint shares: the :class:`Site`, response helpers, security headers and the one error handler.

Pages, the API and admin import this module; :mod:`catalogue.web.app` imports
them and wires routes.  Nothing here imports an endpoint module, so the web
package has no import cycle.

Contracts:

* :func:`handle_error` is the only place errors become responses.  Every
  :class:`~catalogue.errors.TieuchuanError` (and any unexpected error, logged)
  becomes a page in the site's style, or JSON ``{"error": {"code", "message"}}``
  under ``/api/`` and ``/admin/api/`` (or when the client asks for JSON), with
  the error's ``status``.  No traceback is ever sent; admin answers are
  ``Cache-Control: no-store``.  A full disk (``OSError`` ENOSPC, SQLite's "disk
  is full") is :class:`~catalogue.errors.DiskFull`: 507 with a clear message.
* Absolute URLs never come from a client's Host header: with ``base_url`` set,
  :class:`PublicOrigin` makes every request look addressed to it; without it the
  app answers only ``allowed_hosts`` (Starlette's ``TrustedHostMiddleware``).
* :meth:`Site.run` runs blocking work (SQLite, argon2, Whoosh) in the thread
  pool; async handlers call nothing that blocks otherwise.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote_plus

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from catalogue import provenance
from catalogue.coverage import official_search_url
from catalogue.errors import TieuchuanError, from_os_error
from catalogue.identifiers import MINISTRY_NAMES, parse_loose
from catalogue.model import DEGREES, STATUS_LABELS
from catalogue.recommend.hs import classify
from catalogue.seed import bundled_references
from catalogue.settings import Settings
from catalogue.store.bodies import SharedBodies, code_version
from catalogue.web import present
from catalogue.web.assets import Assets
from catalogue.web.i18n import (
    LANGS,
    ConstantTranslations,
    in_lang,
    mark_quotes,
    messenger,
    number,
    pick,
    plural,
    translator,
)

if TYPE_CHECKING:
    from catalogue.engine import Engine

__all__ = [
    "SECURITY_HEADERS",
    "TEMPLATES",
    "PublicOrigin",
    "SecurityHeaders",
    "Site",
    "handle_error",
    "merge_query",
    "with_etag",
]

log = logging.getLogger("tieuchuan.web")
T = TypeVar("T")
# A checkout keeps templates/ at the top level; a wheel ships the same folder as catalogue/templates.
_CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TEMPLATES = _CHECKOUT_TEMPLATES if _CHECKOUT_TEMPLATES.is_dir() else Path(__file__).resolve().parents[1] / "templates"
JSON_PREFIXES = ("/api/", "/admin/api/")
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
                given = {k.decode().lower() for k, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k not in given]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PublicOrigin:
    """Makes every request look addressed to the configured origin (scheme and Host header).

    ``request.url``, ``request.base_url`` and Starlette's own redirects are then built
    from ``base_url``, whatever Host a client sent.
    """

    def __init__(self, app: ASGIApp, scheme: str, netloc: str) -> None:
        self.app = app
        self.scheme = scheme
        self.host = netloc.encode("latin-1")
        name, sep, port = netloc.rpartition(":")
        if not (sep and port.isdigit()):
            name, port = netloc, ""
        self.server = (name, int(port) if port else (443 if scheme == "https" else 80))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            scope["scheme"] = self.scheme if scope["type"] == "http" else self.scheme.replace("http", "ws")
            scope["server"] = self.server
            scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k != b"host"] + [(b"host", self.host)]
        await self.app(scope, receive, send)


# A results page builds some twenty links from the same few parameters: each key and value is quoted once.
_quoted = lru_cache(maxsize=4096)(quote_plus)


def merge_query(params: dict[str, str], **changes: Any) -> str:
    """Query string of ``params`` with ``changes`` applied (``None`` removes a key); as ``urlencode``."""
    merged = {k: v for k, v in params.items() if v not in ("", None)}
    for k, v in changes.items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = str(v)
    return "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in merged.items())


def no_store(response: Response) -> Response:
    """Never cached: admin data must not survive a logout in the back button."""
    response.headers["cache-control"] = "no-store"
    response.headers["pragma"] = "no-cache"
    return response


class Site:
    """What every endpoint needs: settings, the engine, templates and response helpers."""

    def __init__(self, settings: Settings, engine: Engine | None) -> None:
        self.settings = settings
        self._engine = engine
        self.proxies = settings.proxy_networks  # parsed once: whose X-Forwarded-For is believed
        self.assets = Assets(TEMPLATES / "static")  # fingerprinted, immutable, gzip-compressed
        # one environment per language: _("…") is translated when a template is compiled, not on each page
        self._jinja = {lang: self._environment(lang) for lang in LANGS}
        self.jinja = self._jinja["vi"]
        self._coverage: tuple[int, dict[str, int]] | None = None
        self._references: dict[str, dict[str, Any]] | None = None
        self._compute: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None
        #: bodies shared by the server's processes (setting shared_bodies), or None
        self.bodies: SharedBodies | None = None
        if settings.shared_bodies:
            self.bodies = SharedBodies(settings.bodies_path, _code() + _digest(settings.values))

    def _environment(self, lang: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
            auto_reload=False,  # templates ship with the code: compiled once per process, never stat()ed per page
            extensions=[ConstantTranslations],
        )
        env.page_lang = lang  # type: ignore[attr-defined]
        env.globals.update(
            STATUS_LABELS=STATUS_LABELS,
            DEGREES=DEGREES,
            confirmed_by=provenance.confirmed_by,
            official_search_url=official_search_url,
            MINISTRY_NAMES=MINISTRY_NAMES,
            measure=classify,  # an HS line's quality measure in words (vi, en)
            static=self.assets.url,
        )
        env.filters["merge_query"] = merge_query
        env.filters["mark_quotes"] = mark_quotes  # Vietnamese quotations in English text get lang="vi"
        env.filters["in_lang"] = in_lang  # a "tiếng Việt / English" message in the page's language
        return env

    @property
    def engine(self) -> Engine:
        assert self._engine is not None, "engine opened in the lifespan"
        return self._engine

    @staticmethod
    def lang(request: Request) -> str:
        return pick(request.cookies.get("lang"))

    def references(self) -> dict[str, dict[str, Any]]:
        """Numbers the bundle knows of without holding them (:func:`catalogue.seed.bundled_references`), by key."""
        if self._references is None:
            found = {}
            for ref in bundled_references():
                ident = parse_loose(ref["number"])
                if ident is not None:
                    found[ident.key] = ref
            self._references = found
        return self._references

    def coverage(self) -> dict[str, int] | None:
        """How many TCVN and QCVN the store holds (recounted when the store changes)."""
        if self._engine is None:
            return None
        store = self._engine.store
        seq = store.seq
        if self._coverage is None or self._coverage[0] != seq:
            self._coverage = (seq, {"tcvn": store.count("TCVN"), "qcvn": store.count("QCVN")})
        return self._coverage[1]

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.render_text(request, name, **context), status_code=status)

    def render_text(self, request: Request, name: str, **context: Any) -> str:
        """The page ``name`` for ``request`` with ``context`` and what every page shows (language, coverage)."""
        lang = self.lang(request)
        msg, held = messenger(lang), self.coverage()
        context.update(
            request=request,
            lang=lang,
            _=translator(lang),
            msg=msg,
            coverage=held,
            coverage_text=msg("coverage", tcvn=number(held["tcvn"], lang), qcvn=number(held["qcvn"], lang))
            if held
            else None,
            untitled=lambda confirmed: present.untitled(confirmed, lang),
            plural=lambda n, key: plural(n, key, lang),
            status_names={k: v[0 if lang == "vi" else 1] for k, v in STATUS_LABELS.items()},
        )
        env = self._jinja.get(lang, self.jinja)
        return env.get_template(name).render(**context)

    def rendered(self, key: tuple[Any, ...], make: Callable[[], bytes]) -> bytes:
        """``make()``, kept with the served snapshot under ``key`` (blocking: run it in the pool), and in
        the body cache the server's processes share (:attr:`bodies`) under the snapshot's identity.

        For what depends on nothing but the served snapshot, the curations and ``key``: ``key`` must
        hold everything else (the request's fields, the language, the store's sequence when the
        body shows store data).  What is kept with a snapshot was made from it or from a later
        one, never an earlier: it is never staler than the snapshot it is served with.
        """
        searcher = self.engine.searcher
        snap = searcher.snapshot()
        full = (searcher.curations.current().version, *key)
        found = snap.rendered.get(full)
        if found is None:
            shared = self.bodies
            found = shared.get(snap.identity, full) if shared is not None else None
            if found is None:
                found = make()
                if shared is not None:
                    shared.put(snap.identity, full, found)
            snap.rendered.put(full, found)
        return found

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in the thread pool: the event loop never waits on SQLite, argon2 or Whoosh."""
        return await run_in_threadpool(func, *args)

    async def compute(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in the thread pool, at most :attr:`Settings.compute_threads` at once: for searches,
        recommendations and result pages, Python that holds the GIL (:meth:`run` is for waiting on I/O)."""
        loop = asyncio.get_running_loop()
        if self._compute is None or self._compute[0] is not loop:  # a limiter belongs to one event loop
            self._compute = (loop, anyio.CapacityLimiter(self.settings.compute_threads))
        return await anyio.to_thread.run_sync(func, *args, limiter=self._compute[1])


@lru_cache(maxsize=1)
def _code() -> str:
    """The version of what makes a body: this code, the templates, the bundled data (once per process)."""
    import catalogue
    import indexer

    return code_version(Path(catalogue.__file__).parent, Path(indexer.__file__).parent, TEMPLATES)


def _digest(values: dict[str, Any]) -> str:
    """The settings a body may show (page size, origin, …), as a key: other settings, other bodies."""
    return hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:16]


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


def _describe(request: Request, exc: Exception) -> tuple[int, str, str]:
    known = exc if isinstance(exc, TieuchuanError) else from_os_error(exc)
    if known is not None:
        if known.status >= 500:
            log.warning("%s on %s: %s", known.code, request.url.path, known.message)
        return known.status, known.code, known.message
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return 404, "not_found", "Không tìm thấy trang / Page not found"
        return exc.status_code, "http_error", str(exc.detail)
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return 500, "internal_error", "Lỗi máy chủ / Internal server error"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES) or "application/json" in request.headers.get("accept", "")


async def handle_error(request: Request, exc: Exception) -> Response:
    """The one handler: a page or JSON for ``exc``, public and admin alike."""
    status, code, message = _describe(request, exc)
    if wants_json(request):
        response: Response = JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    else:
        site: Site = request.app.state.site
        try:
            response = site.render(request, "error.html", status=status, status_code=status, message=message)
        except Exception:  # the error page itself failed: plain text, still no traceback
            log.exception("error page failed")
            response = Response(f"{status} {message}", status_code=status, media_type="text/plain; charset=utf-8")
    if request.url.path.startswith("/admin"):
        no_store(response)
    return response
