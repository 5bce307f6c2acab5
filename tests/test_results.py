"""What a recommendation answers: plain data, with the editions a text names against the current one."""

from __future__ import annotations

import json

from catalogue.recommend.results import GroupMatch, Recommendation, RecommendResult
from catalogue.seed import bundled_standards

BY_NUMBER = {r.number: r for r in bundled_standards()}
FIELDS = dict(mandatory=True, legal_basis=None, reason="r", reason_en="r", score=1.0)


def test_a_recommendation_found_through_itself_carries_no_edition_note() -> None:
    current = BY_NUMBER["QCVN 2:2021/BKHCN"]
    rec = Recommendation.of(current, [current], **FIELDS)
    assert (rec.number, rec.slug, rec.kind, rec.status) == (current.number, current.slug, "QCVN", current.status)
    assert rec.replaces is None and rec.named == [] and rec.edition_note is None and rec.edition_note_en is None


def test_older_editions_named_by_a_text_are_listed_once_and_noted() -> None:
    current, older = BY_NUMBER["QCVN 2:2021/BKHCN"], BY_NUMBER["QCVN 2:2008/BKHCN"]
    rec = Recommendation.of(current, [older, current, older], **FIELDS)
    assert rec.named == ["QCVN 2:2008/BKHCN"] and rec.replaces == "QCVN 2:2008/BKHCN"
    assert rec.edition_note == "Văn bản nêu QCVN 2:2008/BKHCN; bản hiện hành: QCVN 2:2021/BKHCN"
    assert rec.edition_note_en == "The text names QCVN 2:2008/BKHCN; current: QCVN 2:2021/BKHCN"
    assert rec.replaced_by == list(current.replaced_by) and rec.replaced_by is not current.replaced_by


def test_the_result_is_json_with_nested_matches() -> None:
    current = BY_NUMBER["QCVN 2:2021/BKHCN"]
    result = RecommendResult(
        product="mũ bảo hiểm",
        hs=None,
        groups=[GroupMatch("mu-bao-hiem", "Mũ bảo hiểm", "Helmets", 1.0, ["khớp"], ["matches"])],
        recommendations=[Recommendation.of(current, [current], **FIELDS)],
    )
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["outcome"] == "ok"
    assert data["groups"][0]["slug"] == "mu-bao-hiem" and data["groups"][0]["measures"] == {}
    assert data["recommendations"][0]["number"] == "QCVN 2:2021/BKHCN"
    assert data["sector_rules"] == [] and data["question"] is None
