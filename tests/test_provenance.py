"""Provenance in words: source kinds, trust labels, public links, on the sources of real bundled records."""

from __future__ import annotations

from catalogue import provenance
from catalogue.seed import bundled_standards

BY_NUMBER = {r.number: r for r in bundled_standards()}


def test_the_shared_files_spellings_map_to_one_kind_each() -> None:
    cases = {
        "official VSQI catalogue detail page (text rendering of the public page)": "official_page",
        "official_catalogue": "official_page",
        "crawled": "official_page",
        "official_decision": "decision",
        "phap_dien": "legal_text",
        "legal_text_summary": "legal_text",
        "citation": "citation",
        "list": "list",
        "secretariat (edit)": "secretariat",
        "import": "import",
        "mirror": "copy",
        "news": "copy",
    }
    for raw, kind in cases.items():
        assert provenance.kind_of({"kind": raw}) == kind, raw
    # an official detail URL is the official page whatever the kind says
    url = "https://tieuchuan.vsqi.gov.vn/tieuchuan/view?sohieu=TCVN+5107%3A2003"
    assert provenance.kind_of({"kind": "mirror", "ref": url}) == "official_page"
    every = {provenance.kind_of(s) for r in BY_NUMBER.values() for s in r.sources}
    assert every <= set(provenance.KINDS)


def test_trust_is_the_sources_own_label_else_its_kinds() -> None:
    assert provenance.trust_of({"kind": "legal_text", "trust": "medium"}) == "secondary"
    assert provenance.trust_of({"kind": "legal_text", "trust": "HIGH"}) == "official"
    assert provenance.trust_of({"kind": "legal_text"}) == "official"
    assert provenance.trust_of({"kind": "mirror", "trust": "nonsense"}) == "secondary"
    strongest = provenance.strongest([{"kind": "citation"}, {"kind": "list"}, {"kind": "official_decision"}])
    assert strongest == {"kind": "official_decision"}
    assert provenance.strongest([]) is None


def test_a_repository_source_shows_its_repository_never_a_path_or_commit() -> None:
    record = BY_NUMBER["QCVN 104:2019/BGTVT"]
    name, url = provenance.link_of(record.sources[0])
    assert (name, url) == ("GitHub diepxuan/diepxuan.github.io", "https://github.com/diepxuan/diepxuan.github.io")
    described = provenance.describe(record.sources[0])
    assert "fbaa690" not in str(described) and ".md" not in str(described)
    assert provenance.link_of({"ref": "https://www.example.org/a"}) == ("example.org", "https://www.example.org/a")
    assert provenance.link_of({"ref": "tieuchuan.vsqi.gov.vn"}) == (None, None)


def test_citation_only_and_what_confirms_an_untitled_number() -> None:
    cited = BY_NUMBER["QCVN 05A:2020/BCT"]  # known only from a reference list
    assert provenance.citation_only(cited.sources)
    assert not provenance.citation_only(BY_NUMBER["QCVN 104:2019/BGTVT"].sources)
    assert not provenance.citation_only([])
    untitled = BY_NUMBER["QCVN 01-183:2024/BNNPTNT"]
    assert provenance.confirmed_by(untitled.sources) == "legal_text|GitHub diepxuan/diepxuan.github.io"
    assert provenance.confirmed_by([{"kind": "news", "ref": None, "trust": "low"}]) == "copy|"
    assert provenance.confirmed_by([]) is None
