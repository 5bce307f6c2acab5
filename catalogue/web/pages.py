"""HTML pages: home, results, standard detail, ICS browser, recommendation and product groups.

Each handler takes the :class:`~catalogue.web.http.Site` and the request; errors are
raised as :class:`~catalogue.errors.TieuchuanError` and rendered by the one handler
(:func:`catalogue.web.http.handle_error`).  Store and index reads run in the thread
pool (``site.run``); ICS names come from the engine's per-generation cache.
"""

from __future__ import annotations

import email.utils
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from catalogue import editions, provenance
from catalogue.coverage import official_search_url
from catalogue.errors import InvalidInput, NotFound, TieuchuanError
from catalogue.identifiers import parse_loose, slug
from catalogue.model import Standard
from catalogue.recommend.taxonomy import format_hs
from catalogue.search.searcher import Hit, SearchRequest
from catalogue.web import present
from catalogue.web.http import Site, with_etag

__all__ = ["ROUTES", "search_request"]


def _int(request: Request, name: str, default: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} phải là số nguyên / {name} must be a whole number") from None


def search_request(request: Request, page_size: int) -> SearchRequest:
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


HOME_NEWEST = 8


async def home(site: Site, request: Request) -> Response:
    newest = await site.run(site.engine.store.newest, HOME_NEWEST * 4)
    titled = [r for r in newest if r.title_vi or r.title_en][:HOME_NEWEST]  # untitled records are never shown first
    return site.render(request, "home.html", newest=titled)


def titled_first(hits: list[Hit]) -> list[Hit]:
    """The page's hits with untitled records after titled ones (order otherwise kept)."""
    return sorted(hits, key=lambda h: not (h.title_vi or h.title_en))


async def search_page(site: Site, request: Request) -> Response:
    req = search_request(request, site.settings.page_size)
    lang, params = site.lang(request), dict(request.query_params)

    def made() -> bytes:  # b"redirect " + url, or b"page " + html
        page = results_page(site, req, lang)
        if isinstance(page, str):
            return b"redirect " + page.encode("utf-8")
        return b"page " + site.render_text(request, "search.html", params=params, **page).encode("utf-8")

    def kept() -> bytes:  # the page shows the store's coverage and product boxes: its sequence too
        key = ("search.html", lang, site.engine.store.seq, request.url.path, request.url.query)
        return site.rendered(key, made)

    kind, _, body = (await site.compute(kept)).partition(b" ")  # one trip to the thread pool, not five
    if kind == b"redirect":
        return RedirectResponse(body.decode("utf-8"), status_code=303)
    return HTMLResponse(body)


def results_page(site: Site, req: SearchRequest, lang: str) -> dict[str, Any] | str:
    """What the results page shows for ``req`` (blocking: run it in the pool), or the URL to redirect to
    when the query is a number naming exactly one standard."""
    if req.page == 1 and not req.filters and req.q.strip():
        slugs = site.engine.searcher.resolve(req.q)
        if len(slugs) == 1:  # a number naming exactly one standard opens it
            return f"/standards/{slugs[0]}"
    result = site.engine.search(req)
    result.hits = titled_first(result.hits)
    ics = site.engine.ics()
    ics_names = {  # (name, its language): ISO's English name where no Vietnamese one is held
        code: (ics[code]["title_vi"], "vi") if lang == "vi" and ics[code]["title_vi"] else (ics[code]["title_en"], "en")
        for code in result.facets.get("ics_field", {})
        if code in ics
    }
    box = site.engine.boxes.for_query(req.q) if req.page == 1 else None
    closest = []
    if result.total == 0 and req.q.strip():  # the closest product groups, never "type without diacritics"
        closest = _closest_groups(site, req.q)
    cited = None
    if result.total == 0:  # a number the catalogue only knows as cited: say where it is cited
        ident = parse_loose(result.query)
        ref = site.references().get(ident.key) if ident is not None and ident.is_complete else None
        if ref is not None and ref["why"] in ("cited", "historic"):
            cited = {
                "number": ref["number"],
                "sources": [
                    present.source_words(d["kind"], d["name"], lang) for d in map(provenance.describe, ref["sources"])
                ],
            }
    return {
        "cited": cited,
        "result": result,
        "req": req,
        "ics_names": ics_names,
        "box": box,
        "closest": closest,
        "official_search": official_search_url(result.query),
    }


def _closest_groups(site: Site, q: str) -> list[Any]:
    """Up to three product groups close to ``q``, from the recommender's reading (blocking)."""
    try:
        answer = site.engine.recommender.recommend(q)
    except TieuchuanError:
        return []
    return (answer.groups or answer.closest)[:3]


def _last_modified(record: Standard) -> str | None:
    if not record.updated_at:
        return None
    return email.utils.format_datetime(datetime.fromisoformat(record.updated_at), usegmt=True)


async def standard_page(site: Site, request: Request) -> Response:
    page = await site.run(detail_page, site, request.path_params["slug"], site.lang(request))  # one trip
    if isinstance(page, str):
        return RedirectResponse(page, status_code=301)
    record = page["s"]
    return with_etag(request, site.render(request, "standard.html", **page), _last_modified(record))


def detail_page(site: Site, wanted: str, lang: str) -> dict[str, Any] | str:
    """What the page of the standard at ``wanted`` shows (blocking: run it in the pool), or the canonical
    URL to redirect to when ``wanted`` is another spelling of a number; :class:`NotFound` otherwise."""
    store = site.engine.store
    try:
        record = store.get_by_slug(wanted)
    except NotFound:
        # any other spelling of a number: 301 to the canonical URL
        candidate = slug(wanted)
        ident = parse_loose(wanted) or parse_loose(wanted.replace("-", " "))
        try:
            record = store.get_by_slug(candidate)
        except NotFound:
            if ident is None:
                raise
            record = store.get(ident.format())
        return f"/standards/{record.slug}"
    current = editions.current_number(store, record)
    related = sorted(store.related(record), key=lambda r: not (r.title_vi or r.title_en))  # untitled ones never first
    return {
        "s": record,
        "ics": site.engine.ics(),
        "timeline": editions.timeline(store, record),
        "current": current,
        "related": related,
        "slugs": store.slugs_for([*record.replaces, *record.replaced_by, *([current] if current else [])]),
        "basis": present.basis_text(record, lang),
        "sources": present.sources(record, lang),
        "remarks": present.remarks(record, lang),
        "notes": present.notes(record, lang),
    }


def _ics_children(site: Site, code: str | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict]]:
    """The node for ``code``, its children and the trail from the top; blocking (run it in the pool)."""
    ics = site.engine.ics()
    if code is not None and code not in ics:
        raise NotFound(f"không có mã ICS / no ICS code {code[:20]!r}")
    node = ics.get(code) if code else None
    children = (
        [c for c in ics.values() if c["parent"] == code] if code else [c for c in ics.values() if c["level"] == "field"]
    )
    trail = []
    parent = node["parent"] if node else None
    while parent:
        trail.insert(0, ics[parent])
        parent = ics[parent]["parent"]
    if node:
        trail.append(node)
    return node, children, trail


async def ics_page(site: Site, request: Request) -> Response:
    code = request.path_params.get("code")
    node, children, trail = await site.run(_ics_children, site, code)
    counts = await site.run(site.engine.store.ics_counts)
    return site.render(request, "ics.html", node=node, children=children, counts=counts, trail=trail[:-1])


ROLES = {"make": "sản xuất", "import": "nhập khẩu", "export": "xuất khẩu", "sell": "kinh doanh"}


def recommend_query(request: Request) -> tuple[str, str | None]:
    """(product, HS code) of a recommendation request."""
    return request.query_params.get("product", ""), request.query_params.get("hs") or None


async def recommend_page(site: Site, request: Request) -> Response:
    product, hs = recommend_query(request)
    result, error = None, None
    if product.strip() or hs:
        try:
            result = await site.compute(site.engine.recommender.recommend, product, hs)
        except InvalidInput as exc:  # shown beside the form, which keeps what was typed
            error = exc.message
    status = 400 if error else 200
    return site.render(
        request, "recommend.html", status, result=result, product=product, hs=hs or "", error=error, ROLES=ROLES
    )


async def checklist_page(site: Site, request: Request) -> Response:
    """The compliance checklist of a product, printable on A4 (print CSS)."""
    from catalogue.recommend.checklist import COLUMNS, build

    product, hs = recommend_query(request)
    result = await site.compute(site.engine.recommender.recommend, product, hs)
    checklist = build(result, site.lang(request))
    query = {"product": product, "hs": hs or ""}
    return site.render(request, "checklist.html", checklist=checklist, COLUMNS=COLUMNS, query=query)


async def groups_page(site: Site, request: Request) -> Response:
    groups = await site.run(site.engine.recommender.taxonomy.groups)
    return site.render(request, "groups.html", groups=groups)


async def group_page(site: Site, request: Request) -> Response:
    store = site.engine.store
    group = await site.run(site.engine.recommender.taxonomy.group, request.path_params["slug"])
    regulations = []
    for link in group.regulations:
        current, named = await site.run(editions.current_edition, store, link["number"], True)
        regulations.append({"link": link, "current": current, "named": named})
    standards = await site.run(lambda: [site.engine.store.get(n) for n in group.standards])
    return site.render(
        request,
        "group.html",
        group=group,
        regulations=regulations,
        standards=standards,
        ics=await site.run(site.engine.ics),
        format_hs=format_hs,
    )


ROUTES = [
    ("/", home),
    ("/search", search_page),
    ("/standards/{slug:path}", standard_page),
    ("/ics", ics_page),
    ("/ics/{code}", ics_page),
    ("/recommend", recommend_page),
    ("/recommend/checklist", checklist_page),
    ("/groups", groups_page),
    ("/groups/{slug}", group_page),
]
