"""The page reader's list links and record building (the label grammar itself: tests/test_page.py)."""

from __future__ import annotations

import pytest

from catalogue.errors import ValidationError
from catalogue.seed import bundled_standards
from indexer.sources.page import read_detail, read_list, to_standard
from tests.fixture_site import render_detail, sohieu_url

BASE = "https://tieuchuan.vsqi.gov.vn"
URL = f"{BASE}/tieuchuan/view?sohieu=x"
BY_NUMBER = {r.number: r for r in bundled_standards()}


def table(*rows: tuple[str, str]) -> str:
    cells = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in rows)
    return f"<html><body><table>{cells}</table><footer>Hotline: 024 0000</footer></body></html>"


def test_a_list_page_gives_absolute_detail_and_list_links_once_each() -> None:
    html = (
        "<a href='/tieuchuan/view?sohieu=TCVN+5107%3A2003'>1</a><a href='/tieuchuan/view?sohieu=TCVN+5107%3A2003'>1</a>"
        "<a href='quychuan/view?sohieu=QCVN+1%3A2015%2FBKHCN'>2</a><a href='/tim-kiem?si=1&page=2'>›</a>"
        "<a href='javascript:void(0)'>x</a><a href='#top'>↑</a><a href='mailto:a@b'>@</a><a href='/gioi-thieu'>?</a>"
    )
    details, lists = read_list(f"{BASE}/tim-kiem?si=1&page=1", html)
    assert details == [
        f"{BASE}/tieuchuan/view?sohieu=TCVN+5107%3A2003",
        f"{BASE}/quychuan/view?sohieu=QCVN+1%3A2015%2FBKHCN",
    ]
    assert lists == [f"{BASE}/tim-kiem?si=1&page=2"]
    assert read_list(BASE, "") == ([], [])


def test_a_real_records_page_reads_back_into_a_record_citing_the_page() -> None:
    record = BY_NUMBER["TCVN 11041-6:2018"]
    url = BASE + sohieu_url(record.number)
    read = to_standard(read_detail(url, render_detail(record)), source_kind="crawled")
    assert (read.number, read.title_vi, read.status) == (record.number, record.title_vi, record.status)
    assert read.status_basis == "official"
    assert read.sources == [{"ref": url, "kind": "crawled"}]


def test_status_decision_equivalents_and_pages_are_read_from_their_words() -> None:
    page = read_detail(
        URL,
        table(
            ("Số hiệu / Standard Number", "TCVN 5107:2003"),
            ("Tên tiếng Việt", "Nước mắm"),
            ("Tình trạng / Status", "W - Hết hiệu lực (Withdrawn)"),
            ("Quyết định công bố", "1234/QĐ-BKHCN ngày 31-12-2003"),
            ("Tiêu chuẩn tương đương", "CODEX STAN 302-2011<br>IDT - Tương đương hoàn toàn"),
            ("Số trang", "12 trang"),
        ),
    )
    record = to_standard(page)
    assert record.status == "withdrawn"
    assert (record.decision, record.decision_date) == ("1234/QĐ-BKHCN", "2003-12-31")
    assert [(e.number, e.degree) for e in record.equivalents] == [("CODEX STAN 302-2011", "IDT")]
    assert record.pages == 12


def test_every_problem_of_a_page_is_listed_at_once() -> None:
    with pytest.raises(ValidationError) as bad_number:
        to_standard(read_detail(URL, table(("Số hiệu", "không phải số hiệu"), ("Tên tiếng Việt", "X"))))
    assert bad_number.value.problems == ["bad standard number"]
    page = read_detail(
        URL,
        table(
            ("Số hiệu", "TCVN 5107:2003"),
            ("Tên tiếng Việt", "Nước mắm"),
            ("Ngày ban hành", "31-02-2003"),
            ("Ngày có hiệu lực", "45-13-2004"),
        ),
    )
    with pytest.raises(ValidationError) as impossible:
        to_standard(page)
    found = impossible.value.problems
    assert any("issue_date: 31-02-2003" in p for p in found) and any("effective_date: 45-13-2004" in p for p in found)
