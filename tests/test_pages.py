"""The HTML pages, in process over ASGI: results, highlighting, facets, escaping, ICS names."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.requests import Request

from catalogue.errors import InvalidInput
from catalogue.web.pages import search_request
from tests.test_search import BAD_QUERIES


def test_results_page_highlights_and_links(http: httpx.Client) -> None:
    r = http.get("/search", params={"q": "nuoc mam"})
    assert r.status_code == 200
    assert "<mark>Nước</mark> <mark>mắm</mark>" in r.text
    assert 'href="/standards/tcvn-5107-2003"' in r.text


def test_facet_links_narrow_the_results(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "an toàn"}).text
    link = re.search(r'href="/search\?([^"]*kind=QCVN[^"]*)"', page)
    assert link
    narrowed = http.get("/api/search?" + link.group(1).replace("&amp;", "&")).json()
    everything = http.get("/api/search", params={"q": "an toàn"}).json()
    assert narrowed["total"] == everything["facets"]["kind"]["QCVN"] < everything["total"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_never_500(http: httpx.Client, query: str) -> None:
    for path in ("/search", "/api/search"):
        r = http.get(path, params={"q": query})
        assert r.status_code in (200, 303), (path, query, r.status_code)
        assert "Traceback" not in r.text


def test_reflected_xss_is_escaped(http: httpx.Client) -> None:
    for payload in ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']:
        r = http.get("/search", params={"q": payload})
        assert payload not in r.text
        assert "<script>alert" not in r.text
        assert "<img src=x" not in r.text


def test_the_ics_table_is_not_read_per_page(http: httpx.Client, monkeypatch) -> None:
    engine = http.app.state.site.engine  # type: ignore[attr-defined]
    calls = []
    monkeypatch.setattr(engine.store, "ics", lambda: calls.append(1) or {})
    for path in ("/search?q=mat+ong", "/standards/tcvn-8430-2010", "/ics/67", "/groups/mu-bao-hiem"):
        assert http.get(path).status_code == 200, path
    assert calls == []  # served from the engine's per-generation cache


def test_home_counts_and_newest(http: httpx.Client) -> None:
    page = http.get("/").text
    assert "714" in page and "488" in page  # TCVN and QCVN counts of the bundle


def _request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/search", "query_string": query.encode(), "headers": []})


def test_search_request_reads_the_query_string() -> None:
    req = search_request(_request("q=nuoc+mam&kind=QCVN&year_from=2010&page=2&status=+"), page_size=10)
    assert (req.q, req.kind, req.year_from, req.page, req.limit, req.status) == ("nuoc mam", "QCVN", 2010, 2, 10, None)
    with pytest.raises(InvalidInput, match="page"):
        search_request(_request("page=two"), page_size=10)
