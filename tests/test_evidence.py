"""Gathering the evidence for a recommendation, over the bundled taxonomy and catalogue."""

from __future__ import annotations

import pytest

from catalogue.engine import Engine
from catalogue.lexicon import phrase
from catalogue.recommend.evidence import Evidence, Prepared, gather, lexicon_equivalents
from catalogue.recommend.products import understand


@pytest.fixture(scope="module")
def ix(engine: Engine) -> Prepared:
    return engine.recommender.index()


def evidence(ix: Prepared, words: str, digits: str | None = None) -> Evidence:
    return gather(ix, understand(words, ix.vocabulary), digits)


def test_a_group_named_after_the_head_word_is_a_modifier(ix: Prepared) -> None:
    ev = evidence(ix, "mũ bảo hiểm xe máy")  # a helmet, not a motorcycle
    assert [g.slug for g in ev.groups] == ["mu-bao-hiem"]
    assert ev.groups[0].named and ev.groups[0].rank == 0
    assert ev.groups[0].why_vi[0].startswith("khớp «")


def test_groups_joined_by_a_conjunction_are_both_the_product(ix: Prepared) -> None:
    ev = evidence(ix, "xăng và dầu nhớt")
    assert [g.slug for g in ev.groups] == ["xang-dau-nhien-lieu", "dau-nhon"]
    assert [g.rank for g in ev.groups] == [0, 1]


def test_words_that_name_many_products_are_asked_about_not_merged(ix: Prepared) -> None:
    ev = evidence(ix, "thép")
    assert ev.groups == [] and len(ev.ambiguous) > 1
    assert ev.product_lines == []  # lines under many headings name no one product
    assert ev.understood  # titles still speak for it


def test_an_hs_code_reads_its_lines_and_an_unknown_product_is_not_understood(ix: Prepared) -> None:
    ev = evidence(ix, "", "3604")
    assert ev.code_lines and all(line.code.startswith("3604") for line in ev.code_lines)
    assert ev.product_lines == ev.code_lines and ev.understood
    assert not evidence(ix, "sạc điện thoại").understood  # a charger: the phone only qualifies it


def test_the_lexicons_one_way_synonyms_do_not_reach_narrower_products() -> None:
    equivalents = lexicon_equivalents()
    assert equivalents and all(len(k) >= 2 for k in equivalents)
    assert "mô tô" in equivalents[phrase("xe máy")]  # a two-way group
    assert "xe cơ giới" not in equivalents[phrase("xe máy")]  # one-way: "xe máy" → "xe cơ giới" broadens
    assert "xe cơ giới" not in equivalents[phrase("ô tô")]
