"""Each ranking rule on its own (Evidence) and in the searcher over a tiny synthetic index.

Records here are SYNTHETIC test fixtures (numbers and titles made up for mechanics).
"""

from __future__ import annotations

import numpy as np

from catalogue.search import rules
from catalogue.search.searcher import Searcher, SearchRequest
from tests.conftest import numbers


def evidence(n: int, **fields: object) -> rules.Evidence:
    base = {
        "number": np.zeros(n),
        "series": np.zeros(n, dtype=bool),
        "equivalent": np.zeros(n),
        "coverage": np.zeros(n),
        "named": np.zeros(n),
        "title_coverage": np.zeros(n),
        "exactness": np.zeros(n),
        "relevance": np.zeros(n),
        "status": np.array(["unknown"] * n, dtype=object),
        "kind": np.array(["TCVN"] * n, dtype=object),
        "year": np.zeros(n, dtype=int),
        "is_current": np.ones(n, dtype=bool),
        "is_method": np.zeros(n, dtype=bool),
    }
    base.update({k: np.asarray(v) for k, v in fields.items() if k != "intents"})
    return rules.Evidence(**base, intents=set(fields.get("intents", set())))  # type: ignore[arg-type]


def ranked(ev: rules.Evidence) -> list[int]:
    return rules.order(ev).tolist()


def test_number_rule_exact_then_chain_and_current_first_on_intent() -> None:
    ev = evidence(3, number=[1, 2, 0], is_current=[True, False, True])
    assert ranked(ev)[:2] == [1, 0]
    ev.intents = {"current"}
    assert ranked(ev)[:2] == [0, 1]


def test_series_and_equivalent_rules() -> None:
    assert ranked(evidence(2, series=[False, True], coverage=[3, 0]))[0] == 1
    assert ranked(evidence(3, equivalent=[1, 2, 0]))[:2] == [1, 0]


def test_words_rule_counts_coverage_in_steps() -> None:
    assert rules.WordsRule.STEP == 0.5
    ev = evidence(3, coverage=[1.0, 3.0, 3.2], relevance=[50, 1, 2])
    assert ranked(ev) == [2, 1, 0]  # 3.0 and 3.2 tie on words; relevance breaks it


def test_named_rule_puts_the_named_product_before_free_words() -> None:
    assert rules.NamedRule.STEP == 0.5
    ev = evidence(2, coverage=[2.5, 1.5], named=[0.0, 1.5], relevance=[50, 1])
    assert ranked(ev) == [1, 0]  # covers the product the lexicon names; the other only the words around it
    ev = evidence(2, coverage=[2.5, 1.5], named=[1.5, 1.5])
    assert ranked(ev) == [0, 1]  # both name it: the words decide


def test_intent_rule_kind_method_current() -> None:
    ev = evidence(2, kind=["TCVN", "QCVN"], intents={"qcvn"})
    assert ranked(ev)[0] == 1
    ev = evidence(2, is_method=[False, True], intents={"method"})
    assert ranked(ev)[0] == 1
    ev = evidence(2, is_current=[False, True], intents={"current"}, year=[2020, 2000])
    assert ranked(ev)[0] == 1


def test_attribute_rule_title_before_scope() -> None:
    ev = evidence(2, coverage=[2, 2], title_coverage=[0, 2], relevance=[9, 1])
    assert ranked(ev)[0] == 1


def test_exactness_rule_typed_before_synonym() -> None:
    ev = evidence(2, coverage=[1, 1], title_coverage=[1, 1], exactness=[0.8, 1.0], relevance=[9, 1])
    assert ranked(ev)[0] == 1


def test_status_rule_then_relevance_then_newest() -> None:
    ev = evidence(3, status=["replaced", "active", "active"], relevance=[9, 1, 1], year=[2020, 2001, 2015])
    assert ranked(ev) == [2, 1, 0]
    assert rules.StatusRule.RANK["active"] > rules.StatusRule.RANK["unknown"] > rules.StatusRule.RANK["replaced"]


def test_order_is_stable_on_full_ties() -> None:
    assert ranked(evidence(4)) == [0, 1, 2, 3]


# -- the rules inside the searcher, on the tiny SYNTHETIC index of conftest.py -------------------


def test_an_old_number_shows_itself_then_its_replacement(tiny: Searcher) -> None:
    assert numbers(tiny, "TCVN 90001:2001")[:2] == ["TCVN 90001:2001", "TCVN 90001:2011"]
    assert numbers(tiny, "TCVN 90001:2001 mới nhất")[0] == "TCVN 90001:2011"


def test_a_question_is_answered_by_coverage_not_all_words(tiny: Searcher) -> None:
    got = numbers(tiny, "cho tôi hỏi ống nhựa dùng cấp nước thì theo tiêu chuẩn nào")
    assert got[0] in ("TCVN 90001:2011", "TCVN 90001:2001")
    assert got.index("TCVN 90001:2011") < got.index("TCVN 90001:2001")  # in force first


def test_title_match_before_scope_match(tiny: Searcher) -> None:
    got = numbers(tiny, "ống thép cấp nước")
    assert got[0] == "TCVN 90002:2015"
    hit = tiny.search(SearchRequest(q="dẫn nước bằng thép")).hits[0]
    assert hit.number == "TCVN 90002:2015" and hit.match == "scope"


def test_intent_steers_kind_and_method(tiny: Searcher) -> None:
    assert numbers(tiny, "quy chuẩn xi măng")[0] == "QCVN 90:2020/BXD"
    assert numbers(tiny, "phương pháp thử xi măng")[0] == "TCVN 90003:2019"


def test_synonym_finds_the_formal_word(tiny: Searcher) -> None:
    assert numbers(tiny, "bột ngọt")[0] == "TCVN 90004:2018"


def test_function_words_alone_match_nothing_and_never_fail_content(tiny: Searcher) -> None:
    assert tiny.search(SearchRequest(q="cho tôi hỏi thì nào")).total == 0
    assert tiny.search(SearchRequest(q="xin hỏi có tiêu chuẩn nào về mì chính không ạ")).hits[0].number == (
        "TCVN 90004:2018"
    )


def test_replacements_first_moves_each_matched_successor_just_ahead() -> None:
    successors = {1: [7, 8], 8: [9]}.get
    got = rules.replacements_first([0, 1, 2, 8, 9], lambda d: successors(d) or [], matched={0, 1, 2, 8, 9})
    assert got == [0, 8, 1, 2, 9]  # 7 is not matched; 8 moves once; 9 stays where it was after 8 moved
    assert rules.replacements_first([3, 4], lambda d: [], matched={3, 4}) == [3, 4]


def test_an_old_edition_matching_more_words_stays_below_its_replacement(tiny: Searcher) -> None:
    got = numbers(tiny, "gạch rỗng xây tường")
    assert got.index("TCVN 90005:2015") < got.index("TCVN 90005:2005")


def test_a_curated_product_name_finds_the_regulation_whose_title_does_not_say_it(tiny: Searcher) -> None:
    assert numbers(tiny, "ổ cắm phải theo quy chuẩn nào")[0] == "QCVN 91:2021/BKHCN"
    plain = Searcher(tiny.index)
    assert "QCVN 91:2021/BKHCN" not in numbers(plain, "ổ cắm phải theo quy chuẩn nào")
