"""The HTML pages, in process over ASGI: results, highlighting, facets, escaping, ICS names."""

from __future__ import annotations

import re
from collections import Counter

import httpx
import pytest
from starlette.requests import Request

from catalogue.errors import InvalidInput, NotFound
from catalogue.search.searcher import SearchRequest
from catalogue.seed import bundled_standards
from catalogue.web.pages import detail_page, results_page, search_request
from tests.test_search import BAD_QUERIES

REPOSITORY_PATH = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{7,40}|\.jsonl|\.md\b|legal_docs/|van-ban/")


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


def test_the_results_page_reads_everything_in_one_call(http: httpx.Client) -> None:
    site = http.app.state.site  # type: ignore[attr-defined]
    assert results_page(site, SearchRequest(q="TCVN 5107:2003"), "vi") == "/standards/tcvn-5107-2003"
    page = results_page(site, SearchRequest(q="mũ bảo hiểm"), "en")
    assert isinstance(page, dict) and page["result"].total > 0 and page["box"] is not None
    broad = results_page(site, SearchRequest(q="an toàn"), "en")
    assert isinstance(broad, dict) and set(broad["ics_names"]) == set(broad["result"].facets["ics_field"])
    ics = site.engine.ics()
    assert all(name == (ics[code]["title_en"], "en") for code, name in broad["ics_names"].items())
    on_page_two = results_page(site, SearchRequest(q="mũ bảo hiểm", page=2), "vi")
    assert isinstance(on_page_two, dict) and on_page_two["box"] is None  # the box is shown above page 1 only
    nothing = results_page(site, SearchRequest(q="zzqxw"), "vi")
    assert isinstance(nothing, dict) and nothing["result"].total == 0


def test_the_detail_page_reads_everything_in_one_call(http: httpx.Client) -> None:
    site = http.app.state.site  # type: ignore[attr-defined]
    assert detail_page(site, "TCVN-8430-2010", "vi") == "/standards/tcvn-8430-2010"
    page = detail_page(site, "tcvn-5738-2021", "en")
    assert isinstance(page, dict) and page["s"].number == "TCVN 5738:2021"
    assert page["current"] == "TCVN 7568-14:2025" and page["slugs"]["TCVN 7568-14:2025"] == "tcvn-7568-14-2025"
    assert page["ics"] is site.engine.ics() and page["timeline"]
    with pytest.raises(NotFound):
        detail_page(site, "no-such-standard", "vi")


def test_home_counts_and_newest(http: httpx.Client) -> None:
    page = http.get("/").text
    held = Counter(r.kind for r in bundled_standards())
    for kind in ("TCVN", "QCVN"):  # the coverage line gives the bundle's counts (Vietnamese digit grouping)
        assert f"{held[kind]:,}".replace(",", ".") + f" {kind}" in page, kind


def _request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/search", "query_string": query.encode(), "headers": []})


def test_search_request_reads_the_query_string() -> None:
    req = search_request(_request("q=nuoc+mam&kind=QCVN&year_from=2010&page=2&status=+"), page_size=10)
    assert (req.q, req.kind, req.year_from, req.page, req.limit, req.status) == ("nuoc mam", "QCVN", 2010, 2, 10, None)
    with pytest.raises(InvalidInput, match="page"):
        search_request(_request("page=two"), page_size=10)


def test_a_product_query_shows_the_recommenders_answer_above_the_results(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "mũ bảo hiểm"})
    assert page.status_code == 200
    head, _, _rest = page.text.partition('class="results"')
    assert 'class="product-box"' in head and "QCVN 2:2021/BKHCN" in head
    assert "/recommend?product=" in head


def test_empty_results_offer_groups_and_ics_never_typing_without_accents(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "qwxzv"})
    assert page.status_code == 200 and "/ics" in page.text
    assert "không dấu" not in page.text


def test_the_recommend_page_links_back_to_search(http: httpx.Client) -> None:
    page = http.get("/recommend", params={"product": "nồi cơm điện"})
    assert page.status_code == 200
    assert 'href="/search?q=n%E1%BB%93i%20c%C6%A1m%20%C4%91i%E1%BB%87n"' in page.text


# -- issue 12: timeline, readable provenance, coverage, untitled records, current edition ----
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


def test_detail_page_in_english_has_no_internal_notes(http: httpx.Client) -> None:
    http.cookies.set("lang", "en")
    page = http.get("/standards/tcvn-13566-6-2022").text
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


# -- labels, selected filters, counts (issue 14) ----------------------------------------------------------
def test_chips_and_facets_speak_in_words_and_show_what_is_selected(http: httpx.Client) -> None:
    params = {"q": "an toàn", "kind": "QCVN", "status": "active", "year_from": "2010", "ministry": "BYT"}
    page = http.get("/search", params=params).text
    chips = re.findall(r'<a class="chip"[^>]*>(.*?) <span aria-hidden="true">✕</span></a>', page)
    assert chips == ["Loại: QCVN", "Tình trạng: Còn hiệu lực", "Bộ ban hành: Bộ Y tế (BYT)", "Năm từ 2010"]
    selected = re.findall(r'class="selected" aria-current="true">([^<]*)</a>', page)
    assert "QCVN" in selected and "Còn hiệu lực" in selected and "Bộ Y tế (BYT)" in selected
    assert '<h1 class="page-title">Kết quả tìm kiếm</h1>' in page
    http.cookies.set("lang", "en")
    page = http.get("/search", params=params).text
    chips = re.findall(r'<a class="chip"[^>]*>(.*?) <span aria-hidden="true">✕</span></a>', page)
    assert chips == ["Kind: QCVN", "Status: Active", "Ministry: Ministry of Health (BYT)", "Year from 2010"]


def test_counts_and_decades_read_right_in_both_languages(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "an toàn"}).text
    assert re.search(r'<p class="summary" role="status">\d+ kết quả', page)
    assert re.search(r">Thập niên (19|20)\d0</a>", page) and not re.search(r">(19|20)\d0s</a>", page)
    http.cookies.set("lang", "en")
    page = http.get("/search", params={"q": "an toàn"}).text
    assert re.search(r">(19|20)\d0s</a>", page) and re.search(r"\d+ results for", page)
    from catalogue.web.i18n import plural

    assert [plural(n, "results", "en") for n in (0, 1, 2, 1200)] == [
        "0 results",
        "1 result",
        "2 results",
        "1,200 results",
    ]
    assert plural(1200, "results", "vi") == "1.200 kết quả"
    assert [plural(n, "standards", "en") for n in (1, 3)] == ["1 standard", "3 standards"]
    assert [plural(n, "hs_lines", "en") for n in (1, 3)] == ["1 HS line", "3 HS lines"]
    assert "1 HS lines" not in http.get("/recommend", params={"product": "mũ bảo hiểm"}).text


def test_the_sort_applies_on_change_when_javascript_runs(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "nuoc mam"}).text
    assert '<button type="submit" class="apply">' in page  # without JavaScript the button applies it
    assert re.search(r'<script src="/static/site\.[0-9a-f]{12}\.js" defer>', page)
    js = http.get(re.search(r'src="(/static/site\.[0-9a-f]{12}\.js)"', page).group(1)).text
    assert "button.hidden = true" in js and 'addEventListener("change"' in js
    assert '<details class="facets-box" open>' in page


def test_the_search_notices_are_worded_in_the_page_language_one_by_one(http: httpx.Client) -> None:
    long = "khongco " * 120
    page = http.get("/search", params={"q": long}).text
    assert (
        '<p class="message">Truy vấn quá dài đã được cắt ngắn.' in page
        and " / " not in page.split('"message">')[1][:200]
    )
    http.cookies.set("lang", "en")
    page = http.get("/search", params={"q": long}).text
    assert '<p class="message">The query was too long and has been shortened.' in page
    assert http.get("/api/search", params={"q": long}).json()["notices"][0] == "truncated"
    page = http.get("/search", params={"q": "khongcogica zzz"}).text
    assert '<p class="message">Nothing found: try removing filters, other words, or browsing by ICS.</p>' in page


def test_kept_pages_and_json_never_outlive_the_snapshot_or_the_language(writable_engine) -> None:
    """The results page and /api/search bodies are kept with the served snapshot (Site.rendered): a save
    makes a new one, so the next request shows the change; the language cookie keys its own page."""
    from catalogue.editing import Editor
    from catalogue.web.app import create_app
    from tests.conftest import asgi

    client = asgi(create_app(writable_engine.settings, writable_engine))
    params = {"q": "pho mat tuoi"}
    before = client.get("/search", params=params).text
    api_before = client.get("/api/search", params=params).json()
    assert client.get("/search", params=params).text == before  # kept: the same body
    snap = writable_engine.searcher.snapshot()
    assert len(snap.rendered) >= 2
    record = writable_engine.store.get("TCVN 8430:2010")
    record.title_vi = "Phô mát tươi SYNTHETIC đã sửa"
    Editor(writable_engine).save(record, "synthetic", expected_version=record.version)
    after = client.get("/search", params=params).text
    assert "SYNTHETIC" in after and "SYNTHETIC" not in before
    titles = [h["title_vi"] for h in client.get("/api/search", params=params).json()["hits"]]
    assert "Phô mát tươi SYNTHETIC đã sửa" in titles
    assert "Phô mát tươi SYNTHETIC đã sửa" not in [h["title_vi"] for h in api_before["hits"]]
    client.cookies.set("lang", "en")
    english = client.get("/search", params=params).text
    assert '<html lang="en">' in english and '<html lang="vi">' in after
