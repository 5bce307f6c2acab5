"""One box: the recommender's precise answer above search results."""

from __future__ import annotations

from catalogue.engine import Engine
from catalogue.recommend import box
from catalogue.recommend.box import MAX_MANDATORY, ProductBoxes


def test_a_product_query_gets_its_mandatory_qcvn(engine: Engine) -> None:
    box = ProductBoxes(engine.recommender).for_query("mũ bảo hiểm")
    assert box is not None and box.groups
    assert "QCVN 2:2021/BKHCN" in [r.number for r in box.mandatory]
    assert all(r.mandatory and r.kind == "QCVN" for r in box.mandatory) and len(box.mandatory) <= MAX_MANDATORY


def test_numbers_methods_and_unknown_products_get_no_box(engine: Engine) -> None:
    boxes = ProductBoxes(engine.recommender)
    for query in ("TCVN 5107:2003", "ISO 22000", "", "   ", "x" * 500, "asdkjh qwe"):
        assert boxes.for_query(query) is None, query


def test_answers_are_cached_per_store_sequence(engine: Engine) -> None:
    boxes = ProductBoxes(engine.recommender)
    first = boxes.for_query("nồi cơm điện")
    assert boxes.for_query("nồi  cơm điện") is first  # same text, same store: the cached answer


def test_a_query_without_a_box_is_not_read_twice(engine: Engine, monkeypatch) -> None:
    boxes = ProductBoxes(engine.recommender)
    parsed = []
    real = box.parse_query
    monkeypatch.setattr(box, "parse_query", lambda text: parsed.append(text) or real(text))
    for _ in range(3):
        assert boxes.for_query("TCVN 5107:2003") is None
    assert parsed == ["TCVN 5107:2003"]
