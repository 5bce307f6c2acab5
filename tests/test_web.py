"""The web app over a real uvicorn on 127.0.0.1."""

import re

import httpx
import pytest

from tests.test_search import BAD_QUERIES


def test_home_credits_iso_open_data(http: httpx.Client) -> None:
    r = http.get("/")
    assert r.status_code == 200
    assert '<html lang="vi">' in r.text
    assert "ISO Open Data" in r.text and "ODC" in r.text
    assert 'action="/search"' in r.text


def test_results_page_highlights_and_links(http: httpx.Client) -> None:
    r = http.get("/search", params={"q": "nuoc mam"})
    assert r.status_code == 200
    assert "<mark>Nước</mark> <mark>mắm</mark>" in r.text
    assert 'href="/standards/tcvn-5107-2003"' in r.text


def test_a_number_matching_one_standard_goes_to_its_page(http: httpx.Client) -> None:
    r = http.get("/search", params={"q": "tcvn 8430:2010"})
    assert r.status_code == 303
    assert r.headers["location"] == "/standards/tcvn-8430-2010"
    page = http.get(r.headers["location"])
    assert page.status_code == 200
    assert "Phomat không ủ chín" in page.text
    assert "CODEX STAN 221" in page.text


def test_api_search_shape(http: httpx.Client) -> None:
    r = http.get("/api/search", params={"q": "xi măng", "kind": "TCVN", "limit": 3})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert set(data) >= {"query", "total", "page", "hits", "facets", "suggestion"}
    assert len(data["hits"]) == 3
    for hit in data["hits"]:
        assert set(hit) >= {"number", "kind", "title_vi", "title_en", "status", "year", "ics", "score", "highlight"}
        assert hit["kind"] == "TCVN"


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


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "limit=0",
        "limit=1000",
        "page=0",
        "page=-1",
        "page=x",
        "kind=ISO",
        "status=%00",
        "sort=x",
        "year_from=abc",
        "ics=<b>",
    ],
)
def test_bad_parameters_get_400_with_a_message(http: httpx.Client, query: str) -> None:
    r = http.get(f"/api/search?q=mat+ong&{query}")
    assert r.status_code == 400
    assert r.json()["error"]["message"]
    page = http.get(f"/search?q=mat+ong&{query}")
    assert page.status_code == 400
    assert "<html" in page.text


def test_404_in_site_style_and_json(http: httpx.Client) -> None:
    r = http.get("/standards/tcvn-0-1900")
    assert r.status_code == 404
    assert "<html" in r.text and "Về trang chủ" in r.text
    r = http.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_security_headers(http: httpx.Client) -> None:
    r = http.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
    assert "<script>" not in r.text  # no inline script anywhere


def test_healthz(http: httpx.Client) -> None:
    data = http.get("/healthz").json()
    assert data["status"] == "ok"
    assert data["standards"] == data["indexed"] == 1202
    assert data["watermark"] == data["store_seq"]


def test_bounded_concurrent_load(live) -> None:
    """40 searches from 8 threads: all answered, none fails (correctness, not speed)."""
    from concurrent.futures import ThreadPoolExecutor

    queries = ["nuoc mam", "xi măng", "TCVN 6096", "ISO 9001", "an toàn điện", "mat ong", "cement", "thép"] * 5

    def one(q: str) -> int:
        with httpx.Client(base_url=live.url, timeout=60) as c:
            return c.get("/api/search", params={"q": q}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, queries))
    assert codes == [200] * len(queries)
