"""The basis a QCVN has for a product, over the bundled taxonomy, legal rows and tariff lines."""

from __future__ import annotations

import pytest

from catalogue.engine import Engine
from catalogue.recommend.basis import MAX_TITLE_CANDIDATES, Found, from_groups, from_titles
from catalogue.recommend.evidence import Prepared, gather
from catalogue.recommend.products import understand


@pytest.fixture(scope="module")
def ix(engine: Engine) -> Prepared:
    return engine.recommender.index()


def found(ix: Prepared, words: str) -> tuple[list[Found], list[Found]]:
    ev = gather(ix, understand(words, ix.vocabulary), None)
    groups = from_groups(ix, ev)
    return groups, from_titles(ix, ev, {f.number for f in groups})


def test_a_legal_row_naming_the_product_makes_the_link_mandatory(ix: Prepared) -> None:
    groups, _ = found(ix, "máy X-quang răng")
    (xray,) = groups
    assert (xray.number, xray.mandatory, xray.basis) == ("QCVN 17:2018/BKHCN", True, "legal")
    assert xray.legal and xray.group == "thiet-bi-x-quang"
    assert any("văn bản pháp lý" in r for r in xray.reason)


def test_a_group_2_tariff_line_of_the_issuing_ministry_makes_it_mandatory(ix: Prepared) -> None:
    groups, _ = found(ix, "mũ bảo hiểm xe máy")
    by_number = {f.number: f for f in groups}
    helmet = by_number["QCVN 2:2021/BKHCN"]
    assert helmet.mandatory and helmet.basis == "hs_group2"
    assert helmet.lines and "HS" in helmet.reason_en[-1]
    assert helmet.legal and "; HS " in helmet.legal


def test_a_link_covering_other_products_of_the_group_may_only_apply(ix: Prepared) -> None:
    groups, titles = found(ix, "xe đạp điện")
    assert groups and all(not f.mandatory and f.basis == "group" for f in groups)
    # the QCVN whose title is exactly the product, with the ministry's group-2 line, is mandatory
    assert [(f.number, f.mandatory, f.basis) for f in titles] == [("QCVN 68:2013/BGTVT", True, "hs_group2")]


def test_titles_alone_give_at_most_a_few_candidates_that_may_apply(ix: Prepared) -> None:
    groups, titles = found(ix, "thép")
    assert groups == []
    assert 0 < len(titles) <= MAX_TITLE_CANDIDATES
    assert all(not f.mandatory and f.basis == "title" and f.group is None for f in titles)
    _, again = found(ix, "pháo hoa")
    assert [(f.number, f.mandatory) for f in again] == [("QCVN 04:2021/BCA", True)]
