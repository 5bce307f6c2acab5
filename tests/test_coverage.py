"""Holdings against what exists: the official search link, a record's problems, the quality page's counts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from catalogue import coverage
from catalogue.seed import bundled_standards
from tests.conftest import BUNDLED, make_standard

RECORDS = list(bundled_standards())
BY_NUMBER = {r.number: r for r in RECORDS}


def test_the_official_search_is_for_the_same_words_collapsed_and_bounded() -> None:
    assert coverage.official_search_url() == "https://tieuchuan.vsqi.gov.vn/tim-kiem"
    assert coverage.official_search_url("   ") == "https://tieuchuan.vsqi.gov.vn/tim-kiem"
    url = coverage.official_search_url("  nước   mắm & muối ")
    assert parse_qs(urlsplit(url).query) == {"si": ["nước mắm & muối"]}
    assert len(parse_qs(urlsplit(coverage.official_search_url("x" * 500)).query)["si"][0]) == 200


def test_a_records_problems_come_in_the_declared_order() -> None:
    cited = BY_NUMBER["QCVN 05A:2020/BCT"]  # unknown status, no ICS, known only by citation
    assert coverage.problems(cited) == ["unknown_status", "no_ics", "citation_only"]
    untitled = BY_NUMBER["QCVN 01-183:2024/BNNPTNT"]
    assert "no_title" in coverage.problems(untitled)
    clean = make_standard(status="active", ics=["67.120"], sources=[{"kind": "official_catalogue", "ref": "x"}])
    assert coverage.problems(clean) == []


def test_the_figures_count_every_bundled_record_once_per_table() -> None:
    fig = coverage.figures(RECORDS)
    assert sum(fig["kind"].values()) == BUNDLED
    assert sum(fig["basis"].values()) == BUNDLED
    assert list(fig["basis"]) == ["official", "stated", "presumed", "unknown"]
    assert sum(fig["ministry"].values()) == fig["kind"]["QCVN"]
    assert list(fig["problem"]) == list(coverage.PROBLEMS)
    assert fig["problem"]["no_title"] == sum(1 for r in RECORDS if not (r.title_vi or r.title_en))
    assert list(fig["ics_field"]) == sorted(fig["ics_field"])
    assert fig["in_force"] == {"TCVN": coverage.TCVN_IN_FORCE, "QCVN": coverage.QCVN_ISSUED}


def test_a_record_counts_once_per_ics_field_and_untagged_records_under_a_dash() -> None:
    two = make_standard(ics=["67.120.10", "67.120.20", "71.100"])
    none = make_standard("TCVN 5108:2003")
    assert coverage.figures([two, none])["ics_field"] == {"67": 1, "71": 1, "—": 1}
