"""QCVN titles as evidence, over the bundled catalogue's real titles."""

from __future__ import annotations

import pytest

from catalogue.recommend.products import understand
from catalogue.recommend.titles import PROCEDURE_FACTOR, TitleIndex, subject
from catalogue.seed import bundled_standards

RECORDS = list(bundled_standards())


@pytest.fixture(scope="module")
def titles() -> TitleIndex:
    return TitleIndex(RECORDS)


def test_the_subject_drops_the_regulation_prefix() -> None:
    assert subject("Quy chuẩn kỹ thuật quốc gia về xe đạp điện") == "xe đạp điện"
    assert subject("QUY CHUẨN KỸ THUẬT QUỐC GIA ĐỐI VỚI mũ bảo hiểm.") == "mũ bảo hiểm"
    assert subject("Thép làm cốt bê tông") == "Thép làm cốt bê tông"
    assert subject("") == ""


def test_the_index_holds_titled_records_of_its_kind_only(titles: TitleIndex) -> None:
    qcvn = {r.number for r in RECORDS if r.kind == "QCVN" and (r.title_vi or r.title_en)}
    assert set(titles.subjects) == qcvn
    assert "QCVN 01-183:2024/BNNPTNT" not in titles.subjects  # untitled
    tcvn = TitleIndex([r for r in RECORDS if r.kind == "TCVN"][:200], kind="TCVN")
    assert tcvn.subjects and all(n.startswith("TCVN") for n in tcvn.subjects)


def test_a_title_that_is_the_product_names_it_exactly(titles: TitleIndex) -> None:
    hits = titles.match(understand("xe đạp điện"))
    assert hits[0].number == "QCVN 68:2013/BGTVT" and hits[0].names and hits[0].exact
    fireworks = titles.match(understand("pháo hoa"))
    assert fireworks[0].number == "QCVN 04:2021/BCA" and fireworks[0].exact


def test_a_word_that_only_begins_a_longer_product_does_not_name_it(titles: TitleIndex) -> None:
    hits = titles.match(understand("thép"))
    assert hits  # steel titles are found …
    assert not any(h.names for h in hits)  # … but "thép" names none of their products


def test_procedure_titles_are_marked_and_score_a_fraction(titles: TitleIndex) -> None:
    words = "kiểm dịch thực vật"
    hits = titles.match(understand(words), limit=20)
    procedural = [h for h in hits if h.procedure]
    assert procedural, "a quarantine procedure title is among the bundled QCVN"
    hit = procedural[0]
    assert titles.procedure[hit.number]
    titles.procedure[hit.number] = False  # the same title read as a product's
    try:
        plain = next(h for h in titles.match(understand(words), limit=20) if h.number == hit.number)
    finally:
        titles.procedure[hit.number] = True
    assert hit.score == pytest.approx(plain.score * PROCEDURE_FACTOR, abs=1e-3)
