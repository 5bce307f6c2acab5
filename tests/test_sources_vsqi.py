"""The official catalogue's source: canonical URLs and the list walk, on small literal list pages."""

from __future__ import annotations

from catalogue.seed import bundled_standards
from indexer.sources.vsqi import PORTALS, VsqiSource
from tests.fixture_site import render_detail, sohieu_url

BASE = "https://tieuchuan.vsqi.gov.vn"
CANON = f"{BASE}/tieuchuan/view?sohieu=TCVN+7413%3A2004"


def listing(*hrefs: str) -> str:
    return "<html><body>" + "".join(f"<a href='{h}'>{i}</a>" for i, h in enumerate(hrefs)) + "</body></html>"


def test_seeds_page_the_whole_catalogue_or_each_keyword() -> None:
    assert VsqiSource(BASE).seeds() == [(f"{BASE}/tim-kiem?si=1&page=1", "list")]
    keyed = VsqiSource(BASE, keywords=["nước mắm", "thép"]).seeds()
    assert keyed == [
        (f"{BASE}/tim-kiem?si=n%C6%B0%E1%BB%9Bc+m%E1%BA%AFm&page=1", "list"),
        (f"{BASE}/tim-kiem?si=th%C3%A9p&page=1", "list"),
    ]
    assert VsqiSource(BASE).allowed_hosts() == PORTALS


def test_every_spelling_of_a_detail_link_is_one_canonical_url() -> None:
    source = VsqiSource(BASE)
    spellings = [f"{BASE}{sohieu_url('TCVN 7413:2004', s)}" for s in range(3)]
    spellings += [CANON.replace("https", "http"), f"{BASE}/tieuchuan/view?sohieu=TCVN%C2%A0%207413:2004&x=1"]
    assert {source.canonical_detail(u) for u in spellings} == {CANON}
    assert source.canonical_detail(f"{BASE}/gioi-thieu") == f"{BASE}/gioi-thieu"
    other = "http://example.org/tieuchuan/view?sohieu=A"
    assert source.canonical_detail(other) == other  # another host keeps its scheme


def test_the_walk_follows_its_own_searchs_pager_only() -> None:
    source = VsqiSource(BASE)
    html = listing(
        sohieu_url("TCVN 7413:2004"),
        sohieu_url("TCVN 7413:2004", 1),
        "/tim-kiem?si=1&page=2",
        "/tim-kiem?page=3&si=1",
        "/tim-kiem?si=thep&page=2",
        "/tim-kiem?si=1&page=1",
    )
    found = source.read_list(f"{BASE}/tim-kiem?si=1&page=1", html)
    assert found == [
        (CANON, "detail"),
        (f"{BASE}/tim-kiem?si=1&page=2", "list"),
        (f"{BASE}/tim-kiem?si=1&page=3", "list"),
    ]


def test_a_page_without_a_pager_tries_the_next_and_a_repeated_page_ends_the_walk() -> None:
    source = VsqiSource(BASE)
    html = listing(sohieu_url("TCVN 7413:2004"))
    first = source.read_list(f"{BASE}/tim-kiem?si=1&page=4", html)
    assert first == [(CANON, "detail"), (f"{BASE}/tim-kiem?si=1&page=5", "list")]
    assert source.read_list(f"{BASE}/tim-kiem?si=1&page=5", html) == []  # the site repeats its last page
    assert source.read_list(f"{BASE}/tim-kiem?si=1&page=6", listing()) == []  # no results: the end


def test_a_detail_page_becomes_a_record_citing_the_crawl() -> None:
    record = next(r for r in bundled_standards() if r.status_basis == "official")
    url = BASE + sohieu_url(record.number)
    read = VsqiSource(BASE).read_detail(url, render_detail(record))
    assert read.number == record.number
    assert read.sources == [{"ref": url, "kind": "official catalogue detail page (crawled)"}]
    assert VsqiSource(BASE).raw(url, render_detail(record))["fields"]["number"] == [record.number]
