"""The crawler against a fixture site over real HTTP (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
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
from tests.conftest import LiveServer
from tests.fixture_site import Faults, FixtureSite, render_detail, sohieu_url

TITLED = [r for r in bundled_standards() if r.title_vi and r.kind == "TCVN"][:24] + [
    r for r in bundled_standards() if r.title_vi and r.kind == "QCVN"
][:12]
BAD_PAGES = {
    "TCVN ABC": "<html><body><table><tr><td>Số hiệu</td><td>TCVN ABC</td></tr>"
    "<tr><td>Tên tiếng Việt</td><td>Không có số</td></tr></table></body></html>",
    "TCVN 99001:2020": "<html><body><dl><dt>Số hiệu</dt><dd>TCVN 99001:2020</dd><dt>Tên tiếng Anh</dt><dd></dd>"
    "</dl></body></html>",
    "TCVN 99002:2020": "<html><body><div>Số hiệu TCVN 99002:2020</div><div>Tên tiếng Việt Bánh</div>"
    "<div>Quyết định công bố</div><div>1/QĐ-BKHCN , Ngày 30-12-2063</div></body></html>",
}


def fast(**kw) -> FetchSettings:
    return FetchSettings(delay=0, backoff=0.05, max_backoff=1.5, timeout=1.0, max_tries=3, **kw)


def site_with_faults() -> FixtureSite:
    numbers = [r.number for r in TITLED]
    faults = Faults(
        burst_500={numbers[1]: 2},
        rate_limited={numbers[2]: 1},
        slow={numbers[3]},
        truncated={numbers[4]},
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
    good = [n for n in numbers if n not in (numbers[3], numbers[4])]
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
    assert any(numbers[4].replace(" ", "+").replace(":", "%3A") in q["url"] for q in quarantine)  # truncated
    assert summary.quarantined == 4
    # faults: 500 and 429 retried to success, slow page and redirect loop failed, robots obeyed
    assert paths.count(sohieu_url(numbers[1])) == 3
    assert paths.count(sohieu_url(numbers[2])) == 2
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
    assert report["runs"][0]["summary"]["quarantined"] == 4
    assert len(report["quarantine"]) == 4
    assert json.dumps(report, ensure_ascii=False)


def test_rendered_variants_parse_to_the_same_record() -> None:
    from indexer.sources.page import read_detail, to_standard

    record = next(r for r in TITLED if r.equivalents and r.ics)
    parsed = [to_standard(read_detail("http://x/tieuchuan/view", render_detail(record, v))) for v in range(3)]
    assert all(p.title_vi == record.title_vi and p.ics == record.ics for p in parsed)
    for p in parsed:
        assert any("X-42" in v for v in p.extra.pop("raw_fields").values())
    assert parsed[0].to_dict() == parsed[1].to_dict() == parsed[2].to_dict()


def test_titles_that_begin_with_a_label_word_are_not_taken_for_labels() -> None:
    """ "Giá" is the price label, and also the first word of "Giá trị …" (value) titles."""
    from indexer.sources.page import read_detail, to_standard
    from tests.conftest import make_standard

    record = make_standard("TCVN 99401:2020", title_vi="Giá trị dinh dưỡng của thực phẩm", title_en="Page layout")
    for variant in range(3):
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
