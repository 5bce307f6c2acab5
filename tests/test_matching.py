"""Matching: the evidence per record that the ranking rules read (``catalogue/search/matching.py``),
on tiny SYNTHETIC indexes.  The sparse-equals-dense property lives in ``test_universe.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.search.matching import evaluate
from catalogue.search.searcher import Searcher
from catalogue.search.understand import understand
from indexer.index import Index
from tests.conftest import make_standard, numbers


def test_a_title_holding_only_the_folded_word_covers_half_of_the_accents_typed(tiny: Searcher) -> None:
    # "từ" of "ghép từ thanh" folds to the "tu" of "tủ" typed
    snap = tiny.snapshot()
    matched, ev, _ = evaluate(snap, understand("tủ", snap.vocabulary), None)
    cover = {snap.stored(int(d))["number"]: float(c) for d, c in zip(matched, ev.coverage, strict=True)}
    assert cover["TCVN 90006:2010"] == pytest.approx(0.5 * cover["TCVN 90007:2012"])


def test_a_word_found_only_in_the_scope_covers_three_quarters_of_a_title_match(tiny: Searcher) -> None:
    snap = tiny.snapshot()
    matched, ev, _ = evaluate(snap, understand("cấp nước", snap.vocabulary), None)
    cover = {snap.stored(int(d))["number"]: float(c) for d, c in zip(matched, ev.coverage, strict=True)}
    assert cover["TCVN 90002:2015"] == pytest.approx(0.75 * cover["TCVN 90001:2011"])  # scope / title


@pytest.fixture(scope="module")
def questions(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    records = [
        make_standard("TCVN 90101:2020", title_vi="Thang máy - Yêu cầu an toàn"),
        make_standard("TCVN 90102:2020", title_vi="Quy trình giám định kiểm dịch thực vật"),
        make_standard("TCVN 90103:2020", title_vi="Bình chữa cháy xách tay"),
        make_standard("TCVN 90104:2020", title_vi="Chưa phân loại bình chứa"),
        make_standard("TCVN 90105:2020", title_vi="Xi măng poóc lăng"),
        make_standard("TCVN 90106:2020", title_vi="Gạch bê tông"),
        make_standard("TCVN 90107:2020", title_vi="Gạch ốp lát", scope_vi="Gạch có độ hút nước thấp, dùng ốp tường"),
    ]
    index = Index(Path(tmp_path_factory.mktemp("questions")) / "index")
    index.rebuild(iter(records), len(records))
    return Searcher(index)


def test_the_named_product_outranks_free_words_of_a_question(questions: Searcher) -> None:
    # "kiem" and "dinh" match the plant-quarantine title word by word; "thang may" is what is asked about
    q = "kiem dinh thang may theo quy chuan nao"
    assert numbers(questions, q)[0] == "TCVN 90101:2020"
    snap = questions.snapshot()
    matched, ev, _ = evaluate(snap, understand(q, snap.vocabulary), None)
    pairs = zip(matched, ev.coverage, ev.named, strict=True)
    got = {snap.stored(int(d))["number"]: (float(c), float(n)) for d, c, n in pairs}
    assert got["TCVN 90102:2020"][0] > got["TCVN 90101:2020"][0]  # more words: the words rule alone would lose
    assert got["TCVN 90102:2020"][1] == 0 < got["TCVN 90101:2020"][1]


def test_a_phrase_with_one_accent_mistyped_still_covers_whole(questions: Searcher) -> None:
    snap = questions.snapshot()
    matched, ev, _ = evaluate(snap, understand("bình chửa cháy", snap.vocabulary), None)
    cover = {snap.stored(int(d))["number"]: float(c) for d, c in zip(matched, ev.coverage, strict=True)}
    # "chữa cháy" side by side is the phrase typed; a lone folded word ("chưa", "chứa") is not
    assert cover["TCVN 90103:2020"] > cover["TCVN 90104:2020"]
    assert numbers(questions, "bình chửa cháy")[0] == "TCVN 90103:2020"


def test_a_named_phrase_counts_only_where_its_words_stand_together(questions: Searcher) -> None:
    # the scope holds "nước" and "tường" apart; bodies keep no word order, so it is no "nước tương"
    snap = questions.snapshot()
    matched, ev, _ = evaluate(snap, understand("nuoc tuong", snap.vocabulary), None)
    named = {snap.stored(int(d))["number"]: float(n) for d, n in zip(matched, ev.named, strict=True)}
    assert named.get("TCVN 90107:2020", 0.0) == 0.0
