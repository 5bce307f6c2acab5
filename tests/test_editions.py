"""Status with a basis: each rule of catalogue/editions.py on real records of the bundle."""

from __future__ import annotations

import copy

import pytest

from catalogue.bundle.build import LISTS
from catalogue.editions import (
    RECENT_LIST_FROM,
    RULES,
    ListBasis,
    MemoryHoldings,
    Statement,
    current_edition,
    current_number,
    link_relations,
    settle,
    timeline,
)
from catalogue.model import BASES, Standard
from catalogue.seed import bundled_standards


@pytest.fixture(scope="module")
def bundle() -> dict[str, Standard]:
    return {r.number: r for r in bundled_standards()}


@pytest.fixture
def held(bundle: dict[str, Standard]) -> MemoryHoldings:
    return MemoryHoldings(copy.deepcopy(list(bundle.values())))


def reason(bundle: dict[str, Standard], number: str) -> tuple[str, str, str | None, str | None]:
    r = bundle[number]
    return r.status, r.status_basis, r.status_reason.get("rule"), r.status_reason.get("via")


def test_the_rules_are_an_ordered_list_with_names() -> None:
    names = [r.name for r in RULES]
    assert names == [
        "replacement-held",
        "newer-edition-held",
        "replaces-unreplaced",
        "newest-edition",
        "listed-in-force",
        "listed-in-ministry-draft",
        "amendment-follows-base",
    ]
    assert RECENT_LIST_FROM == 2020


def test_every_record_has_a_basis_and_a_presumption_names_its_rule(bundle: dict[str, Standard]) -> None:
    for r in bundle.values():
        assert r.status_basis in BASES, r.number
        assert (r.status == "unknown") == (r.status_basis == "unknown"), r.number
        if r.status_basis == "presumed":
            assert r.status_reason["rule"] in {rule.name for rule in RULES}, r.number
        if r.status_basis == "stated":
            assert r.status_reason.get("ref"), r.number


def test_replacement_in_the_catalogue_means_replaced(bundle: dict[str, Standard]) -> None:
    # TCVN 7568-14:2025's foreword: "thay thế TCVN 7568-14:2015 và TCVN 5738:2021"
    assert reason(bundle, "TCVN 5738:2021") == ("replaced", "presumed", "replacement-held", "TCVN 7568-14:2025")
    assert "TCVN 7568-14:2025" in bundle["TCVN 5738:2021"].replaced_by  # filled both ways
    assert "TCVN 5738:2021" in bundle["TCVN 7568-14:2025"].replaces


def test_a_replacement_nothing_replaces_is_presumed_current(bundle: dict[str, Standard]) -> None:
    assert reason(bundle, "QCVN 18:2014/BTTTT") == ("active", "presumed", "replaces-unreplaced", "QCVN 18:2010/BTTTT")
    assert reason(bundle, "TCVN 1872:2007") == ("active", "presumed", "replaces-unreplaced", "TCVN 1872:1986")
    # a historic construction code counts as what it replaces
    assert reason(bundle, "TCVN 9208:2012")[2:] == ("replaces-unreplaced", "TCXDVN 263:2002")


def test_an_older_edition_is_replaced_and_the_newest_presumed_current(bundle: dict[str, Standard]) -> None:
    assert reason(bundle, "QCVN 14:2015/BGTVT") == ("replaced", "presumed", "newer-edition-held", "QCVN 14:2024/BGTVT")
    assert reason(bundle, "QCVN 14:2024/BGTVT") == ("active", "presumed", "newest-edition", "QCVN 14:2015/BGTVT")
    assert reason(bundle, "QCVN 1:2009/BKHCN")[2:] == ("newer-edition-held", "QCVN 1:2015/BKHCN")


def test_qcvn_sharing_a_number_across_subjects_are_not_editions(bundle: dict[str, Standard]) -> None:
    lpg, cord = bundle["QCVN 04:2013/BCT"], bundle["QCVN 04:2015/BCT"]
    assert lpg.status_reason.get("via") != cord.number
    assert lpg.status == "active"  # not "replaced by" the detonating-cord regulation


def test_recent_official_lists_and_the_ministry_draft(bundle: dict[str, Standard]) -> None:
    energy = bundle["TCVN 11844:2017"]  # cited by Decision 14/2023/QĐ-TTg
    assert (energy.status, energy.status_reason["rule"]) == ("active", "listed-in-force")
    assert "14/2023" in energy.status_reason["list_vi"]
    metro = bundle["TCVN 13566-1:2022"]
    assert metro.status_reason["rule"] == "listed-in-ministry-draft"
    assert "dự thảo" in metro.status_reason["list_vi"] and "draft" in metro.status_reason["list_en"]


def test_the_construction_table_never_implies_in_force(bundle: dict[str, Standard]) -> None:
    old = bundle["TCVN 4091:1985"]  # PROVENANCE: listed by public630, superseded
    assert (old.status, old.status_basis) == ("unknown", "unknown")


def test_a_statement_beats_a_presumption_and_the_official_page_beats_both(bundle: dict[str, Standard]) -> None:
    assert reason(bundle, "QCVN 18:2010/BTTTT")[:2] == ("replaced", "stated")
    assert bundle["QCVN 18:2010/BTTTT"].status_reason["quote"].startswith("Thông tư này có hiệu lực")
    official = copy.deepcopy(bundle["TCVN 8430:2010"])
    stated = copy.deepcopy(bundle["QCVN 14:2015/BGTVT"])
    newer = copy.deepcopy(bundle["QCVN 14:2024/BGTVT"])
    for r in (stated, newer):
        r.status, r.status_basis, r.status_reason = "unknown", "unknown", {}
    records = {r.key: r for r in (official, stated, newer)}
    said = {
        official.key: [Statement("withdrawn", "a mirror", trust="secondary")],
        stated.key: [Statement("active", "a mirror", trust="secondary")],
    }
    settle(records, said)
    assert (official.status, official.status_basis) == ("active", "official")
    assert (stated.status, stated.status_basis) == ("active", "stated")  # not "newer-edition-held"
    assert newer.status == "unknown"  # the older edition is stated in force, so nothing is presumed


def test_more_trusted_statements_win_and_replacement_news_wins_ties(bundle: dict[str, Standard]) -> None:
    rec = copy.deepcopy(bundle["QCVN 18:2014/BTTTT"])
    rec.status, rec.status_basis = "unknown", "unknown"
    settle(
        {rec.key: rec},
        {
            rec.key: [
                Statement("active", "mirror", trust="secondary"),
                Statement("withdrawn", "codified law", trust="official"),
            ]
        },
    )
    assert (rec.status, rec.status_reason["ref"]) == ("withdrawn", "codified law")
    settle({rec.key: rec}, {rec.key: [Statement("active", "a", trust="secondary"), Statement("replaced", "b")]})
    assert rec.status == "active"  # an untrusted "replaced" does not beat a secondary "active"
    settle(
        {rec.key: rec},
        {rec.key: [Statement("active", "a", trust="secondary"), Statement("replaced", "b", trust="secondary")]},
    )
    assert rec.status == "replaced"


def test_an_amendment_follows_its_base(bundle: dict[str, Standard], held: MemoryHoldings) -> None:
    base = held.get("QCVN 21:2015/BGTVT")
    assert base.amendments[0]["amendment"] == "Sửa đổi 1:2016"
    amendment = Standard(number="Sửa đổi 1:2016 QCVN 21:2015/BGTVT", sources=base.sources[:1])
    records = {r.key: r for r in (copy.deepcopy(base), amendment)}
    settle(records, {}, LISTS)  # the base is presumed in force by the codified law
    assert base.status == "active"
    assert (amendment.status, amendment.status_reason) == (
        base.status,
        {"rule": "amendment-follows-base", "via": "QCVN 21:2015/BGTVT"},
    )
    rows = timeline(held, base)
    assert [a["status"] for a in rows[0].amendments] == [base.status] * 3


def test_a_draft_is_never_current(bundle: dict[str, Standard], held: MemoryHoldings) -> None:
    draft = bundle["QCVN 32:2026/BXD"]
    assert (draft.status, draft.status_basis) == ("draft", "stated")
    assert current_number(held, draft) is None


def test_list_basis_needs_a_recent_year() -> None:
    old = ListBasis("x", "cũ", "old", year=RECENT_LIST_FROM - 1)
    rec = Standard(number="TCVN 1:2001", title_vi="Thử", sources=[{"ref": "x"}])
    assert settle({rec.key: rec}, {}, [old])["unknown"] == 1


def test_links_are_filled_both_ways() -> None:
    a = Standard(number="TCVN 1:2001", replaced_by=["TCVN 1:2010"])
    b = Standard(number="TCVN 1:2010")
    assert link_relations({a.key: a, b.key: b}) == 1
    assert b.replaces == ["TCVN 1:2001"]


def test_current_edition_and_number(held: MemoryHoldings) -> None:
    current, named = current_edition(held, "QCVN 18:2010/BTTTT", include_withdrawn=False)
    assert (current.number, named.number) == ("QCVN 18:2014/BTTTT", "QCVN 18:2010/BTTTT")
    assert current_number(held, held.get("QCVN 18:2010/BTTTT")) == "QCVN 18:2014/BTTTT"
    assert current_number(held, held.get("QCVN 18:2014/BTTTT")) == "QCVN 18:2014/BTTTT"
    assert current_number(held, held.get("TCVN 4091:1985")) is None  # nothing says which is current
    withdrawn = held.get("QCVN 02:2011/BLĐTBXH")
    assert withdrawn.status == "withdrawn" and current_number(held, withdrawn) is None


def test_timeline_orders_editions_and_replacements(held: MemoryHoldings) -> None:
    rows = timeline(held, held.get("TCVN 5738:2021"))
    numbers = [e.number for e in rows]
    assert numbers.index("TCVN 5738:2001") < numbers.index("TCVN 5738:2021") < numbers.index("TCVN 7568-14:2025")
    this = next(e for e in rows if e.this)
    assert this.number == "TCVN 5738:2021" and not this.current
    assert next(e for e in rows if e.number == "TCVN 7568-14:2025").current
    historic = timeline(held, held.get("TCVN 9208:2012"))
    assert any(e.historic and e.number == "TCXDVN 263:2002" for e in historic)
