"""The crawler: on the in-memory source double (no socket), then against a fixture site over real HTTP."""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from catalogue.search.searcher import Searcher, SearchRequest
from catalogue.seed import bundled_standards
from catalogue.store.database import Store
from indexer.crawl.crawler import Crawler
from indexer.crawl.fetcher import FetchSettings
from indexer.crawl.frontier import Frontier
from indexer.index import Index
from indexer.sources import VsqiSource
from indexer.sources.memory import StaticSource
from tests.conftest import LiveServer
from tests.fixture_site import BROKEN, STYLES, Faults, FixtureSite, render_detail, sohieu_url

TITLED = [r for r in bundled_standards() if r.title_vi and r.kind == "TCVN"][:24] + [
    r for r in bundled_standards() if r.title_vi and r.kind == "QCVN"
][:12]
BAD_PAGES = {number: html for number, (html, _) in BROKEN.items()}


def fast(**kw) -> FetchSettings:
    return FetchSettings(delay=0, backoff=0.05, max_backoff=1.5, timeout=1.0, max_tries=3, **kw)


def memory_site() -> StaticSource:
    """Twelve good records and one page that is not a record, in memory."""
    return StaticSource(TITLED[:12], raw_pages={"not-a-record": "<html>Lỗi máy chủ</html>"}, per_page=5)


def test_a_crawl_of_the_memory_source_stores_audits_and_quarantines(empty) -> None:
    store, index = empty
    source = memory_site()
    summary = Crawler(store, index, source, fast()).run(transport=source.transport())
    assert (summary.new, summary.quarantined, summary.failed) == (12, 1, 0)
    assert store.count() == 12 and store.get(TITLED[0].number).title_vi == TITLED[0].title_vi
    crawled = [e for e in store.audit.entries(limit=100) if e["action"] == "crawl"]
    assert {e["target"] for e in crawled} == {r.number for r in TITLED[:12]}
    assert all(e["user"] == "crawl:memory" for e in crawled)
    assert Frontier(store, "memory").quarantined()[0]["url"].endswith("/item/not-a-record")
    assert index.meta()["watermark"] == store.seq  # indexed by key at the end of the run
    assert source.paths()[0] == "/robots.txt"


def test_a_second_crawl_of_an_unchanged_memory_source_writes_nothing(empty) -> None:
    store, index = empty
    source = memory_site()
    Crawler(store, index, source, fast()).run(transport=source.transport())
    seq, entries = store.seq, store.audit.count()
    source.requests.clear()
    summary = Crawler(store, index, source, fast()).run(transport=source.transport())
    assert summary.not_modified == summary.fetched and (summary.new, summary.changed) == (0, 0)
    assert all("if-none-match" in r.headers for r in source.requests if r.url.path != "/robots.txt")
    assert (store.seq, store.audit.count()) == (seq, entries)


def test_a_crash_in_a_pages_store_step_loses_that_page_whole_and_the_rerun_completes(empty, monkeypatch) -> None:
    store, index = empty
    source = memory_site()
    real, calls = store.audit.append, []

    def fail_on_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(store.audit, "append", fail_on_the_fifth)
    with pytest.raises(OSError):
        Crawler(store, index, source, fast(concurrency=1)).run(transport=source.transport())
    states = store.frontier.url_states()
    # every stored record has its frontier mark and its entry; the failed page has neither
    assert (
        store.count()
        == store.audit.count()
        == sum(1 for url, state in states.items() if state == "done" and "/item/" in url)
    )
    monkeypatch.setattr(store.audit, "append", real)
    summary = Crawler(store, index, source, fast()).run(transport=source.transport())
    assert summary.resumed and store.count() == 12 and store.audit.count() == 12


def site_with_faults() -> FixtureSite:
    numbers = [r.number for r in TITLED]
    faults = Faults(
        burst_500={numbers[1]: 2},
        rate_limited={numbers[2]: 1},
        slow={numbers[3]},
        truncated={numbers[4]: 1},
        wrong_charset={numbers[5]},
    )
    extra = [
        "/private/tieuchuan/view?sohieu=TCVN+1%3A2020",  # robots.txt disallows /private/
        "/tieuchuan/view?sohieu=LOOP",  # redirects forever
        "/tieuchuan/view?sohieu=" + numbers[0].replace(" ", "%20"),  # the same record under a second URL
    ] + [sohieu_url(n) for n in BAD_PAGES]
    return FixtureSite(TITLED, faults, extra_links=extra, raw_pages=BAD_PAGES)


@pytest.fixture
def empty(tmp_path: Path):
    store = Store(tmp_path / "s.sqlite3")
    index = Index(tmp_path / "index")
    index.rebuild([], 0)
    yield store, index
    index.close()
    store.close()


def test_every_fault_mode_over_real_http(empty) -> None:
    store, index = empty
    site = site_with_faults()
    numbers = [r.number for r in TITLED]
    with LiveServer(site.app) as server:
        summary = Crawler(store, index, VsqiSource(server.url), fast()).run()
    paths = site.paths()
    # every good page stored exactly once, with its fields right
    good = [n for n in numbers if n != numbers[3]]
    assert store.count() == len(good)
    for original in TITLED:
        if original.number in good:
            got = store.get(original.number)
            assert got.title_vi == original.title_vi
            assert got.ics == original.ics
            assert [e.number for e in got.equivalents] == [e.number for e in original.equivalents]
            assert any("X-42" in v for v in got.extra["raw_fields"].values())  # unknown label kept raw
    assert store.get(numbers[5]).title_vi == TITLED[5].title_vi  # wrong charset header, right text
    # bad pages quarantined with reasons
    quarantine = Frontier(store, "vsqi").quarantined()
    reasons = " | ".join(q["reason"] for q in quarantine)
    assert "bad standard number" in reasons
    assert "no title" in reasons
    assert "2063" in reasons
    assert summary.quarantined == len(BAD_PAGES)
    # faults: 500, 429 and a connection cut before Content-Length retried to success; slow page and
    # redirect loop failed, robots obeyed
    assert paths.count(sohieu_url(numbers[1])) == 3
    assert paths.count(sohieu_url(numbers[2])) == 2
    assert paths.count(sohieu_url(numbers[4])) == 2
    assert store.get(numbers[4]).title_vi == TITLED[4].title_vi
    assert not any(sohieu_url(numbers[4])[-12:] in q["url"] for q in quarantine)
    assert summary.failed == 2
    assert not any(p.startswith("/private") for p in paths)
    assert summary.disallowed == 1
    assert sum(1 for p in paths if p.startswith("/loop/")) <= fast().max_redirects + 1
    assert summary.new == len(good)


def test_user_agent_and_robots_first(empty) -> None:
    store, index = empty
    site = FixtureSite(TITLED[:3])
    with LiveServer(site.app) as server:
        Crawler(
            store, index, VsqiSource(server.url), fast(user_agent="tieuchuan-test (contact: t@example.invalid)")
        ).run()
    assert site.requests[0][0] == "/robots.txt"
    assert all("tieuchuan-test" in headers["user-agent"] for _, headers in site.requests)


def test_crawl_delay_and_per_host_delay_are_obeyed(empty) -> None:
    store, index = empty
    site = FixtureSite(TITLED[:4], Faults(crawl_delay=0.2))
    with LiveServer(site.app) as server:
        started = time.monotonic()
        Crawler(store, index, VsqiSource(server.url), fast(concurrency=2)).run()
        elapsed = time.monotonic() - started
    pages = len(site.requests) - 1  # robots.txt first
    assert elapsed >= 0.2 * (pages - 1) * 0.9


def test_second_crawl_of_an_unchanged_site_is_conditional_and_writes_nothing(empty) -> None:
    store, index = empty
    site = FixtureSite(TITLED[:15])
    with LiveServer(site.app) as server:
        Crawler(store, index, VsqiSource(server.url), fast()).run()
        seq, generation = store.seq, index.meta()
        first = len(site.requests)
        summary = Crawler(store, index, VsqiSource(server.url), fast()).run()
    second = site.requests[first:]
    assert second
    pages = [(p, h) for p, h in second if p != "/robots.txt"]
    assert all("if-none-match" in h for _, h in pages)
    assert summary.not_modified == len(pages)
    assert (summary.new, summary.changed) == (0, 0)
    assert store.seq == seq
    assert index.meta()["watermark"] == generation["watermark"]


def test_status_change_updates_the_record_both_sides_and_search_without_rebuild(empty) -> None:
    store, index = empty
    old = copy.deepcopy(next(r for r in TITLED if r.kind == "TCVN"))
    new = copy.deepcopy(next(r for r in TITLED if r.kind == "TCVN" and r.number != old.number))
    site = FixtureSite([old, new])
    with LiveServer(site.app) as server:
        Crawler(store, index, VsqiSource(server.url), fast()).run()
        generation = index.current_name
        searcher = Searcher(index)
        assert searcher.search(SearchRequest(q=old.number)).hits[0].status in ("active", "unknown")
        # the site now says the old one is withdrawn and replaced by the new one
        old.status = "withdrawn"
        old.replaced_by = [new.number]
        Crawler(store, index, VsqiSource(server.url), fast()).run()
    assert store.get(old.number).status == "withdrawn"
    assert store.get(old.number).replaced_by == [new.number]
    assert old.number in store.get(new.number).replaces
    assert index.current_name == generation  # updated by key, not rebuilt
    hit = searcher.search(SearchRequest(q=old.number)).hits[0]
    assert hit.status == "withdrawn"


def test_new_record_on_the_site_is_searchable_after_the_crawl(empty) -> None:
    store, index = empty
    site = FixtureSite(TITLED[:2])
    with LiveServer(site.app) as server:
        Crawler(store, index, VsqiSource(server.url), fast()).run()
        added = TITLED[10]
        site.records[added.number] = added
        site.order.insert(0, added.number)
        Crawler(store, index, VsqiSource(server.url), fast()).run()
    hits = Searcher(index).search(SearchRequest(q=added.number)).hits
    assert hits and hits[0].number == added.number


def test_max_pages(empty) -> None:
    store, index = empty
    site = FixtureSite(TITLED)
    with LiveServer(site.app) as server:
        summary = Crawler(store, index, VsqiSource(server.url), fast(), max_pages=5).run()
    assert summary.fetched == 5


def _store_state(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT key, content_hash FROM standards").fetchall()
    conn.close()
    return dict(rows)


def _crawl_cmd(url: str, data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "catalogue.cli",
        "crawl",
        "--base-url",
        url,
        "--delay",
        "0",
        "--data-dir",
        str(data_dir),
    ]


def test_sigkill_and_restart_ends_like_an_uninterrupted_crawl(tmp_path: Path) -> None:
    site = FixtureSite(TITLED, Faults(latency=0.05))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with LiveServer(site.app) as server:
        reference = tmp_path / "reference"
        subprocess.run(_crawl_cmd(server.url, reference), check=True, env=env, timeout=300, capture_output=True)
        killed = tmp_path / "killed"
        site.requests.clear()
        proc = subprocess.Popen(_crawl_cmd(server.url, killed), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        db = killed / "catalogue.sqlite3"
        deadline = time.monotonic() + 120
        done_before: set[str] = set()
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    conn = sqlite3.connect(db, timeout=1)
                    done_before = {
                        u for (u,) in conn.execute("SELECT url FROM frontier WHERE state = 'done' AND kind = 'detail'")
                    }
                    conn.close()
                except sqlite3.OperationalError:
                    pass
            if len(done_before) >= 8:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert 8 <= len(done_before) < len(TITLED)
        conn = sqlite3.connect(db)
        done_at_kill = {u for (u,) in conn.execute("SELECT url FROM frontier WHERE state = 'done'")}
        conn.close()
        cut = len(site.requests)
        result = subprocess.run(_crawl_cmd(server.url, killed), env=env, timeout=300, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "resumed" in result.stdout
        after = [p for p, _ in site.requests[cut:]]
    refetched = [u for u in done_at_kill if any(u.endswith(p) for p in after)]
    assert refetched == []
    assert _store_state(killed / "catalogue.sqlite3") == _store_state(reference / "catalogue.sqlite3")


def test_report(empty, capsys) -> None:
    store, index = empty
    site = site_with_faults()
    with LiveServer(site.app) as server:
        crawler = Crawler(store, index, VsqiSource(server.url), fast())
        crawler.run()
        report = crawler.report()
    assert report["runs"][0]["summary"]["quarantined"] == len(BAD_PAGES)
    assert len(report["quarantine"]) == len(BAD_PAGES)
    assert json.dumps(report, ensure_ascii=False)


def test_rendered_variants_parse_to_the_same_record() -> None:
    from indexer.sources.page import read_detail, to_standard

    record = next(r for r in bundled_standards() if r.title_vi and r.equivalents and r.ics and r.status != "draft")
    parsed = [to_standard(read_detail("http://x/tieuchuan/view", render_detail(record, v))) for v in range(len(STYLES))]
    assert all(p.title_vi == record.title_vi and p.ics == record.ics for p in parsed)
    for p in parsed:
        assert any("X-42" in v for v in p.extra.pop("raw_fields").values())
    assert all(p.to_dict() == parsed[0].to_dict() for p in parsed)


def test_titles_that_begin_with_a_label_word_are_not_taken_for_labels() -> None:
    """ "Giá" is the price label, and also the first word of "Giá trị …" (value) titles."""
    from indexer.sources.page import read_detail, to_standard
    from tests.conftest import make_standard

    record = make_standard("TCVN 99401:2020", title_vi="Giá trị dinh dưỡng của thực phẩm", title_en="Page layout")
    for variant in range(len(STYLES)):
        parsed = to_standard(read_detail("http://x/tieuchuan/view", render_detail(record, variant)))
        assert (parsed.title_vi, parsed.title_en) == (record.title_vi, record.title_en), variant


def test_the_real_page_text_renderings_parse() -> None:
    """The six stored renderings of official pages (wrapped line by line in divs)."""
    from indexer.sources.page import read_detail

    page = read_detail(
        "https://tieuchuan.vsqi.gov.vn/tieuchuan/view?sohieu=TCVN+8430%3A2010",
        "".join(
            f"<div>{line}</div>"
            for line in [
                "Tiêu chuẩn quốc gia",
                "Số hiệu",
                "Standard Number",
                "TCVN 8430:2010",
                "Năm ban hành 2010",
                "Publication date",
                "Tình trạng",
                "A - Còn hiệu lực (Active)",
                "Status |",
                "Tên tiếng Việt",
                "Title in Vietnamese Phomat không ủ chín bao gồm cả phomat tươi",
                "|",
                "Giá:",
                "Price",
                "Bản Giấy (Paper): 50,000 VNĐ",
                "Số trang",
                "Page 10",
            ]
        ),
    )
    assert page.first("number") == "TCVN 8430:2010"
    assert page.first("status").startswith("A - ")
    assert page.text("title_vi") == "Phomat không ủ chín bao gồm cả phomat tươi"
    assert page.fields["price"] == ["Bản Giấy (Paper): 50,000 VNĐ"]
    assert page.first("pages") == "10"


# -- the whole catalogue (tim-kiem?si=1&page=N) ---------------------------------------------------


def _list_pages_requested(paths: list[str]) -> list[int]:
    return [int(re.search(r"page=(\d+)", p).group(1)) for p in paths if p.startswith("/tim-kiem")]


def _sohieu(path: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return " ".join(parse_qs(urlsplit(path).query)["sohieu"][0].split())


def test_whole_catalogue_crawl_stores_or_quarantines_every_page_once(empty) -> None:
    """SYNTHETIC catalogue of 1,500 pages in nine label layouts, QCVN pages, transient faults."""
    store, _ = empty
    site = FixtureSite.whole_catalogue(1500, seed=11)
    numbers = [n for n in site.order if n in site.records]
    site.faults = Faults.sprinkled(numbers, share=0.02, retry_after="0")
    with LiveServer(site.app) as server:
        summary = Crawler(store, None, VsqiSource(server.url), fast(concurrency=4)).run()
    paths = site.paths()
    quarantine = Frontier(store, "vsqi").quarantined(limit=10_000)
    # every page stored or quarantined, none twice, nothing lost
    assert summary.failed == 0, summary.failures[:5]
    assert store.count() + len(quarantine) == site.detail_pages()
    assert summary.new + summary.quarantined == site.detail_pages()
    assert len({q["url"] for q in quarantine}) == len(quarantine)
    assert all(any(reason in q["reason"] for q in quarantine) for _, reason in BROKEN.values())
    assert len(quarantine) == len(BROKEN)  # 0 quarantined for label layout
    conn = store._conn()
    details = conn.execute("SELECT count(*), count(DISTINCT url) FROM frontier WHERE kind = 'detail'").fetchone()
    assert tuple(details) == (site.detail_pages(), site.detail_pages())
    retried = set(site.faults.burst_500) | set(site.faults.rate_limited) | set(site.faults.truncated)
    fetched = Counter(_sohieu(p) for p in paths if "/view?" in p)
    assert all(n == 1 for number, n in fetched.items() if number not in retried)
    # the list walk: every list page once, and nothing past the last one
    last = -(-site.detail_pages() // site.page_size)
    assert sorted(_list_pages_requested(paths)) == list(range(1, last + 1))
    # every field read back, TCVN and QCVN, in every layout (Validation Status included)
    for number in numbers:
        got, original = store.get(number), site.records[number]
        assert (got.title_vi, got.ics, got.replaces, got.pages) == (
            original.title_vi,
            original.ics,
            original.replaces,
            original.pages,
        ), number
        assert got.status == ("withdrawn" if original.status == "replaced" else original.status), number
        assert "SYNTHETIC" in json.dumps(got.extra["raw_fields"], ensure_ascii=False)
    qcvn = [store.get(n) for n in numbers if n.startswith("QCVN")]
    assert qcvn and all("/quychuan/view" in r.sources[0]["ref"] for r in qcvn)
    agency = ("cơ quan ban hành", "issuing agency")  # a label the reader does not know, in any case
    assert all(any(a in k.casefold() for a in agency for k in r.extra["raw_fields"]) for r in qcvn)


@pytest.mark.parametrize("clamp", [False, True])
def test_a_list_without_pager_is_walked_page_by_page_to_its_end(empty, clamp: bool) -> None:
    store, _ = empty
    site = FixtureSite(TITLED, page_size=7, pager="none", clamp=clamp)
    with LiveServer(site.app) as server:
        summary = Crawler(store, None, VsqiSource(server.url), fast()).run()
    last = -(-len(TITLED) // 7)
    assert store.count() == len(TITLED)
    assert sorted(_list_pages_requested(site.paths())) == list(range(1, last + 2))  # one probe past the end
    assert summary.list_pages == last + 1


def test_a_second_whole_catalogue_crawl_is_conditional(empty) -> None:
    store, _ = empty
    site = FixtureSite.whole_catalogue(200, seed=3)
    with LiveServer(site.app) as server:
        Crawler(store, None, VsqiSource(server.url), fast()).run()
        seq, first = store.seq, len(site.requests)
        summary = Crawler(store, None, VsqiSource(server.url), fast()).run()
    second = [(p, h) for p, h in site.requests[first:] if p != "/robots.txt"]
    assert all("if-none-match" in h for _, h in second)
    assert summary.not_modified == len(second) == site.detail_pages() + -(-site.detail_pages() // site.page_size)
    assert (summary.new, summary.changed, summary.quarantined) == (0, 0, 0)
    assert store.seq == seq


def test_list_urls_and_detail_urls_are_canonical() -> None:
    source = VsqiSource("https://tieuchuan.vsqi.gov.vn")
    spellings = [
        "https://tieuchuan.vsqi.gov.vn/tieuchuan/view?sohieu=TCVN+7413%3A2004",
        "http://tieuchuan.vsqi.gov.vn/tieuchuan/view?sohieu=TCVN%207413:2004",
        "https://tieuchuan.vsqi.gov.vn/tieuchuan/view?sohieu=%C2%A0TCVN+7413%3A2004",
    ]
    assert {source.canonical_detail(u) for u in spellings} == {spellings[0]}
    html = (
        "<ul>" + "".join(f"<li><a href='{u}'>TCVN 7413:2004</a></li>" for u in spellings) + "</ul>"
        "<a href='/tim-kiem?page=3&amp;si=1'>3</a><a href='/tim-kiem?si=1&amp;page=3'>3</a>"
        "<a href='/tim-kiem?si=TCVN&amp;page=9'>another search</a>"
    )
    links = source.read_list("https://tieuchuan.vsqi.gov.vn/tim-kiem?si=1&page=2", html)
    assert links == [
        (spellings[0], "detail"),
        ("https://tieuchuan.vsqi.gov.vn/tim-kiem?si=1&page=3", "list"),
    ]
    assert source.seeds() == [("https://tieuchuan.vsqi.gov.vn/tim-kiem?si=1&page=1", "list")]


def test_a_body_shorter_than_its_content_length_is_retried_even_if_the_transport_lets_it_through() -> None:
    import asyncio

    import httpx

    from indexer.crawl.fetcher import Fetcher

    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        body = "<html><body>Số hiệu TCVN 1:2000</body></html>".encode()
        if len(calls) == 2:  # the first page request: cut short, as a proxy might pass it on
            return httpx.Response(200, headers={"content-length": str(len(body))}, content=body[:20])
        return httpx.Response(200, content=body)

    async def go():
        async with Fetcher(fast(), httpx.MockTransport(handler)) as fetcher:
            return await fetcher.fetch("http://site.test/tieuchuan/view?sohieu=TCVN+1%3A2000")

    page = asyncio.run(go())
    assert "TCVN 1:2000" in page.text
    assert calls.count("/tieuchuan/view") == 2
