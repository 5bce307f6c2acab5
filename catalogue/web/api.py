"""Machine-readable endpoints: the JSON API, OpenAPI, CSV export, Atom feed and OpenSearch.

Every JSON response validates against :data:`catalogue.web.openapi.SPEC`; errors are
``{"error": {"code", "message"}}`` with a 4xx status, produced by the one handler
(:func:`catalogue.web.http.handle_error`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import fields
from xml.sax.saxutils import escape, quoteattr

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from catalogue import editions
from catalogue.errors import InvalidInput, NotFound
from catalogue.exporter import write_csv
from catalogue.search.searcher import MAX_WINDOW
from catalogue.web.http import Site, with_etag
from catalogue.web.openapi import SPEC
from catalogue.web.pages import _ics_children, search_request

__all__ = ["ROUTES"]

FEED_SIZE = 50


async def api_search(site: Site, request: Request) -> Response:
    req = search_request(request, site.settings.page_size)
    key = ("api/search", *(getattr(req, f.name) for f in fields(req)))
    body = await site.compute(site.rendered, key, lambda: JSONResponse(site.engine.search(req).to_dict()).body)
    return with_etag(request, Response(body, media_type="application/json"))


async def api_standard(site: Site, request: Request) -> Response:
    store = site.engine.store
    record = await site.run(store.get, request.path_params["number"])
    data = record.to_dict()
    current = await site.run(editions.current_number, store, record)
    data.update(kind=record.kind, year=record.year, url=f"/standards/{record.slug}", current=current)
    data.pop("version", None)
    return with_etag(request, JSONResponse(data))


async def api_suggest(site: Site, request: Request) -> Response:
    q = request.query_params.get("q", "")
    suggestions = await site.compute(site.engine.searcher.suggest, q) if q.strip() else []
    return JSONResponse({"query": q, "suggestions": suggestions})


async def api_ics(site: Site, request: Request) -> Response:
    code = request.query_params.get("code") or None
    _, children, _ = await site.run(_ics_children, site, code)
    counts = await site.run(site.engine.store.ics_counts)
    nodes = [
        {
            "code": c["code"],
            "title_en": c["title_en"],
            "title_vi": c["title_vi"],
            "count": counts.get(c["code"], 0),
            "level": c["level"],
        }
        for c in children
    ]
    return with_etag(request, JSONResponse({"nodes": nodes}))


async def api_recommend(site: Site, request: Request) -> Response:
    product = request.query_params.get("product", "")
    hs = request.query_params.get("hs") or None
    withdrawn = request.query_params.get("include_withdrawn", "").lower() in ("1", "true", "yes")
    result = await site.compute(site.engine.recommender.recommend, product, hs, withdrawn)
    return JSONResponse(result.to_dict())


async def _checklist(site: Site, request: Request):  # type: ignore[no-untyped-def]
    from catalogue.recommend.checklist import build
    from catalogue.web.pages import recommend_query

    product, hs = recommend_query(request)
    result = await site.compute(site.engine.recommender.recommend, product, hs)
    return build(result, site.lang(request))


def _download_name(checklist, ext: str) -> str:  # type: ignore[no-untyped-def]
    from catalogue.identifiers import slug

    stem = slug(checklist.product or checklist.hs or "san-pham")[:60] or "san-pham"
    return f'attachment; filename="checklist-{stem}.{ext}"'


async def checklist_csv(site: Site, request: Request) -> Response:
    from catalogue.recommend.checklist import to_csv

    checklist = await _checklist(site, request)
    return Response(
        to_csv(checklist),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": _download_name(checklist, "csv")},
    )


async def checklist_xlsx(site: Site, request: Request) -> Response:
    from catalogue.recommend.checklist import to_xlsx

    checklist = await _checklist(site, request)
    body = await site.run(to_xlsx, checklist)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": _download_name(checklist, "xlsx")},
    )


async def openapi(site: Site, request: Request) -> Response:
    return JSONResponse(SPEC)


async def api_docs(site: Site, request: Request) -> Response:
    return site.render(request, "api.html", spec=SPEC)


def _all_matches(site: Site, request: Request) -> list:
    """Every record of a result set (for CSV and feeds), up to the search window."""
    req = search_request(request, 100)
    req.limit, req.page = 100, 1
    numbers = []
    while True:
        result = site.engine.search(req)
        numbers += [h.number for h in result.hits]
        if len(numbers) >= min(result.total, MAX_WINDOW) or not result.hits:
            break
        req.page += 1
    return [site.engine.store.get(n) for n in numbers]


async def search_csv(site: Site, request: Request) -> Response:
    if not (
        request.query_params.get("q", "").strip()
        or any(request.query_params.get(k) for k in ("kind", "status", "ics", "ministry", "year_from", "year_to"))
    ):
        raise InvalidInput("Cần từ khóa hoặc bộ lọc / a query or a filter is required")
    records = await site.run(_all_matches, site, request)
    out = io.StringIO()
    write_csv(records, out, base_url=str(request.base_url).rstrip("/"), bom=True)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="tieuchuan.csv"'},
    )


def _iso(value: str | None) -> str:
    if value:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "1970-01-01T00:00:00Z"


async def feed(site: Site, request: Request) -> Response:
    """Atom feed of new and changed standards, newest change first; ``q`` and filters narrow it."""
    base = str(request.base_url).rstrip("/")
    query = request.query_params.get("q", "").strip()
    filtered = query or any(request.query_params.get(k) for k in ("kind", "status", "ics", "ministry"))
    if filtered:
        records = await site.run(_all_matches, site, request)
    else:
        records = await site.run(site.engine.store.recently_changed, FEED_SIZE)
    records = sorted(records, key=lambda r: r.updated_at or "", reverse=True)[:FEED_SIZE]
    title = f"tieuchuan: {query}" if query else "tieuchuan: tiêu chuẩn mới và thay đổi"
    updated = _iso(records[0].updated_at) if records else _iso(None)
    self_url = str(request.url)
    entries = []
    for r in records:
        link = f"{base}/standards/{r.slug}"
        summary = f"{r.title_en or ''} — {r.status}".strip(" —")
        entries.append(
            f"<entry><id>{escape(link)}</id><title>{escape(r.number + ' ' + (r.title_vi or r.title_en or ''))}</title>"
            f"<link href={quoteattr(link)}/><updated>{_iso(r.updated_at)}</updated>"
            f"<summary>{escape(summary)}</summary></entry>"
        )
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(self_url)}</id><title>{escape(title)}</title><updated>{updated}</updated>"
        f'<link rel="self" href={quoteattr(self_url)}/><author><name>tieuchuan</name></author>'
        + "".join(entries)
        + "</feed>"
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


async def opensearch(site: Site, request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">'
        "<ShortName>tieuchuan</ShortName><Description>Tra cứu TCVN, QCVN</Description>"
        "<InputEncoding>UTF-8</InputEncoding><Language>vi</Language>"
        f'<Url type="text/html" template={quoteattr(base + "/search?q={searchTerms}")}/>'
        f'<Url type="application/json" rel="suggestions" template={quoteattr(base + "/api/suggest?q={searchTerms}")}/>'
        "</OpenSearchDescription>"
    )
    return Response(body, media_type="application/opensearchdescription+xml")


async def not_found_api(site: Site, request: Request) -> Response:
    raise NotFound("Không có điểm cuối này / No such API endpoint")


ROUTES = [
    ("/api/search", api_search),
    ("/api/standards/{number:path}", api_standard),
    ("/api/suggest", api_suggest),
    ("/api/ics", api_ics),
    ("/api/recommend", api_recommend),
    ("/recommend/checklist.csv", checklist_csv),
    ("/recommend/checklist.xlsx", checklist_xlsx),
    ("/openapi.json", openapi),
    ("/api", api_docs),
    ("/search.csv", search_csv),
    ("/feed.atom", feed),
    ("/opensearch.xml", opensearch),
    ("/api/{rest:path}", not_found_api),
]
