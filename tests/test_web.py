"""The web app over a real uvicorn on 127.0.0.1."""

import re
from collections import Counter

import httpx
import pytest

from catalogue.seed import bundled_standards
from tests.test_search import BAD_QUERIES

REPOSITORY_PATH = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{7,40}|\.jsonl|\.md\b|legal_docs/|van-ban/")


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
    assert data["standards"] == data["indexed"] == len(list(bundled_standards()))
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


def test_detail_page_shows_the_timeline_and_readable_provenance(http: httpx.Client) -> None:
    page = http.get("/standards/tcvn-5738-2021").text
    timeline = page[page.index('class="timeline"') : page.index('class="sources"')]
    assert timeline.index("TCVN 5738:2001") < timeline.index("TCVN 5738:2021") < timeline.index("TCVN 7568-14:2025")
    assert "bản hiện hành" in timeline and "bản đang xem" in timeline
    assert "Đây là bản cũ. Bản hiện hành:" in page and 'href="/standards/tcvn-7568-14-2025"' in page
    assert "Suy đoán: đã bị thay thế bởi TCVN 7568-14:2025" in page  # the basis, with its rule in words
    assert "bản sao trên trang khác" in page and "thứ cấp" in page  # kind and trust in words
    assert 'href="https://github.com/vvChu/ccba-legal-knowledge"' in page  # the repository, not its path
    assert not REPOSITORY_PATH.search(page), REPOSITORY_PATH.search(page)
    assert "votes" not in page and "candidate" not in page


def test_detail_page_in_english_has_no_internal_notes(live) -> None:
    with httpx.Client(base_url=live.url, cookies={"lang": "en"}) as client:
        page = client.get("/standards/tcvn-13566-6-2022").text
    assert "Split from a list row naming several parts: TCVN 13566:2022." in page
    assert "listed in the standards list for urban railways" in page and "still a draft" in page
    assert "list of standards in a document" in page
    assert not REPOSITORY_PATH.search(page)
    assert "pypdf" not in page and "PDF text-extracted" not in page


def test_the_draft_regulation_says_draft(http: httpx.Client) -> None:
    page = http.get("/standards/qcvn-32-2026-bxd").text
    assert "Đây là dự thảo, chưa có hiệu lực." in page
    assert "status-draft" in page and "status-active" not in page.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_official_status_and_stated_status_show_their_basis(http: httpx.Client) -> None:
    assert "Theo trang danh mục chính thức." in http.get("/standards/tcvn-8430-2010").text
    stated = http.get("/standards/qcvn-18-2010-btttt").text
    assert "Theo văn bản pháp luật (GitHub diepxuan/diepxuan.github.io): “Thông tư này có hiệu lực" in stated


def test_home_empty_results_and_footer_say_what_is_held(http: httpx.Client) -> None:
    held = Counter(r.kind for r in bundled_standards())
    tcvn, qcvn = (f"{held[k]:,}".replace(",", ".") for k in ("TCVN", "QCVN"))
    line = f"Danh mục này có {tcvn} TCVN (trong khoảng 11.650 TCVN đang có hiệu lực) và {qcvn} QCVN"
    home = http.get("/").text
    assert 'data-coverage="home"' in home and line in home
    assert "Không thấy ở đây không có nghĩa là không tồn tại." in home
    empty = http.get("/search", params={"q": "khongcogica xyz"}).text
    assert 'data-coverage="empty"' in empty and line in empty
    assert 'href="https://tieuchuan.vsqi.gov.vn/tim-kiem?si=khongcogica+xyz"' in empty
    assert "Tìm “khongcogica xyz” trên trang danh mục chính thức" in empty
    assert 'data-coverage="footer"' in http.get("/ics").text


def test_untitled_records_are_never_first_and_say_who_confirms_them(http: httpx.Client) -> None:
    untitled = next(r for r in bundled_standards() if not (r.title_vi or r.title_en) and r.kind == "TCVN")
    page = http.get(f"/standards/{untitled.slug}").text
    assert "chưa có tên — số hiệu do " in page and " xác nhận" in page
    home = http.get("/").text
    first = home[home.index('<ul class="results">') :].split("</li>", 1)[0]
    assert "chưa có tên" not in first
    hits = http.get("/search", params={"q": "TCVN 3171"}).text  # a series holding untitled lubricant tests
    ordered = re.findall(r'<div class="title">(.*?)</div>', hits, re.S)
    if any("chưa có tên" in t for t in ordered):
        assert "chưa có tên" not in ordered[0]


def test_search_hits_and_api_records_carry_the_current_edition(http: httpx.Client) -> None:
    hits = http.get("/api/search", params={"q": "QCVN 18:2010/BTTTT"}).json()["hits"]
    old = next(h for h in hits if h["number"] == "QCVN 18:2010/BTTTT")
    assert old["current"] == "QCVN 18:2014/BTTTT" and old["replaced_by"] == ["QCVN 18:2014/BTTTT"]
    record = http.get("/api/standards/QCVN 18:2010/BTTTT").json()
    assert record["current"] == "QCVN 18:2014/BTTTT" and record["status_basis"] == "stated"
    assert record["status_reason"]["ref"].startswith("diepxuan/diepxuan.github.io@")  # raw fields: API only
    assert http.get("/api/standards/TCVN 4091:1985").json()["current"] is None


def test_a_number_known_only_as_a_citation_says_where_it_is_cited(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "QCVN 31:2014/BGTVT"}).text  # qcvn_untitled_citations: linking only
    assert 'data-cited="QCVN 31:2014/BGTVT"' in page
    assert "QCVN 31:2014/BGTVT được nêu trong trích dẫn trong tiêu chuẩn hoặc văn bản khác (GitHub" in page
    assert not REPOSITORY_PATH.search(page)
    hidden = http.get("/search", params={"q": "QCVN 01:2026/BXD"}).text  # low trust: not shown until confirmed
    assert "data-cited" not in hidden
