"""End to end over a real uvicorn on 127.0.0.1: the few things where the socket matters.

Everything else about the web app is tested in process (test_app, test_http, test_pages,
test_api, test_admin).
"""

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    """A real HTTP client on the real uvicorn (this file's tests are about the wire)."""
    with httpx.Client(base_url=live.url, timeout=30, follow_redirects=False) as client:
        yield client


def test_home_credits_iso_open_data(http: httpx.Client) -> None:
    r = http.get("/")
    assert r.status_code == 200
    assert '<html lang="vi">' in r.text
    assert "ISO Open Data" in r.text and "ODC" in r.text
    assert 'action="/search"' in r.text


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


def test_security_headers(http: httpx.Client) -> None:
    r = http.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
    assert "<script>" not in r.text  # no inline script anywhere


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


def test_static_files_and_a_detail_page_on_the_wire(http: httpx.Client) -> None:
    css = http.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    page = http.get("/standards/tcvn-5107-2003")
    assert page.status_code == 200 and "Nước mắm" in page.text and page.headers["etag"]
