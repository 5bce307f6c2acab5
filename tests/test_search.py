"""Ranking and behaviour of search on the bundled (real) catalogue."""

import re

import pytest

from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from catalogue.search.searcher import SearchRequest

# (query, expected first hit): numbers in many spellings, accented, unaccented,
# upper case, English, and international equivalents.  Every expectation is a
# real record of the bundled catalogue.
TOP1 = [
    ("tcvn5107", "TCVN 5107:2003"),
    ("TCVN 7745-2007", "TCVN 7745:2007"),
    ("9386:2012", "TCVN 9386:2012"),
    ("qcvn 16 2023 bxd", "QCVN 16:2023/BXD"),
    ("qcvn 01-190:2020", "QCVN 01-190:2020/BNNPTNT"),
    ("QCVN 3:2019/BKHCN", "QCVN 03:2019/BKHCN"),
    ("tcvn 5699-1", "TCVN 5699-1:2010"),
    ("TCVN 6096", "TCVN 6096:2010"),
    ("tcvn 6096:2004", "TCVN 6096:2004"),
    ("TCVN\u00a08430：2010", "TCVN 8430:2010"),
    ("nước mắm", "TCVN 5107:2003"),
    ("nuoc mam", "TCVN 5107:2003"),
    ("NƯỚC MẮM", "TCVN 5107:2003"),
    ("nước uống đóng chai", "TCVN 6096:2010"),
    ("nuoc uong dong chai", "TCVN 6096:2010"),
    ("mu bao hiem tre em", "TCVN 6979:2001"),
    ("mật ong", "TCVN 12605:2019"),
    ("mat ong", "TCVN 12605:2019"),
    ("truy xuat nguon goc", "TCVN 13167:2025"),  # the 2026-12-01 bundle: in force, replaces the 2020 edition
    ("thiết kế công trình chịu động đất", "TCVN 9386-1:2025"),  # replaces TCVN 9386:2012, whose title says it whole
    ("gach op lat", "TCVN 13113:2020"),
    ("nhiên liệu điêzen", "QCVN 1:2015/BKHCN"),
    ("lean six sigma", "TCVN 11864:2017"),
    ("bottled water", "TCVN 6096:2010"),
    ("cheese", "TCVN 8430:2010"),
    ("honey", "TCVN 12605:2019"),
    ("ISO 22000", "TCVN ISO 22000:2018"),
    ("ISO 9001", "TCVN ISO 9001:2015"),
    ("ISO/IEC 17025", "TCVN ISO/IEC 17025:2017"),
    ("IEC 60335-1", "TCVN 5699-1:2010"),
    ("CODEX STAN 221", "TCVN 8430:2010"),
    ("ASTM D445", "TCVN 3171:2011"),
    ("ISO 14001", "TCVN ISO 14001:2015"),
]

# (query, a record that must be in the first three)
TOP3 = [
    ("mũ bảo hiểm", "QCVN 2:2021/BKHCN"),
    ("do choi tre em", "QCVN 03:2019/BKHCN"),
    ("xi măng poóc lăng", "TCVN 2682:2020"),  # the edition that replaced 2682:2009
    ("cà phê", "TCVN 5251:2015"),
    ("thép cốt bê tông", "TCVN 6284-1:1997"),  # "Thép cốt bê tông dự ứng lực", in force; TCVN 1651 is unknown
    ("nuoc thai", "QCVN 40:2011/BTNMT"),
    ("toys safety", "QCVN 03:2019/BKHCN"),
    ("mã số mã vạch", "TCVN 9086:2011"),
]


def _search(engine: Engine, q: str, **kw) -> list[str]:
    return [h.number for h in engine.search(SearchRequest(q=q, **kw)).hits]


@pytest.mark.parametrize(("query", "expected"), TOP1)
def test_expected_first_hit(engine: Engine, query: str, expected: str) -> None:
    hits = _search(engine, query, limit=5)
    assert hits, f"no hit for {query!r}"
    assert hits[0] == expected, f"{query!r}: got {hits[:3]}"


@pytest.mark.parametrize(("query", "expected"), TOP3)
def test_expected_in_first_three(engine: Engine, query: str, expected: str) -> None:
    assert expected in _search(engine, query, limit=3)


def test_accented_and_unaccented_queries_find_the_same_records(engine: Engine) -> None:
    for accented, plain in [("nước mắm", "nuoc mam"), ("đồ chơi trẻ em", "do choi tre em"), ("mật ong", "mat ong")]:
        assert set(_search(engine, accented, limit=50)) == set(_search(engine, plain, limit=50))


def test_an_exact_number_outranks_title_matches(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="TCVN 5107:2003"))
    assert result.hits[0].match == "number"


def test_active_edition_outranks_the_replaced_one_with_the_same_words(engine: Engine) -> None:
    hits = engine.search(SearchRequest(q="nước uống đóng chai", limit=10)).hits
    order = [h.number for h in hits]
    assert order.index("TCVN 6096:2010") < order.index("TCVN 6096:2004")


def test_number_without_year_lists_every_edition_newest_first(engine: Engine) -> None:
    hits = _search(engine, "TCVN 6096")
    assert hits[:2] == ["TCVN 6096:2010", "TCVN 6096:2004"]


def test_title_matches_rank_above_scope_matches(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="phomat", limit=20))
    kinds = [h.match for h in result.hits]
    assert kinds[0] == "title"
    assert kinds == sorted(kinds, key=lambda m: m != "title")


def test_scope_is_searched_when_titles_give_few_hits(engine: Engine) -> None:
    # "GDTI" appears only in the scope of TCVN 9987:2013
    result = engine.search(SearchRequest(q="GDTI"))
    assert [h.number for h in result.hits] == ["TCVN 9987:2013"]
    assert result.hits[0].match == "scope"
    assert "<mark>GDTI</mark>" in (result.hits[0].snippet or "")


def test_highlight_marks_words_typed_without_accents_and_escapes_html(engine: Engine) -> None:
    hit = engine.search(SearchRequest(q="nuoc mam")).hits[0]
    assert hit.highlight == "<mark>Nước</mark> <mark>mắm</mark>"


def test_filters_and_facets(engine: Engine) -> None:
    everything = engine.search(SearchRequest(q="an toàn", limit=5))
    assert set(everything.facets) == {"kind", "status", "ics_field", "ministry", "decade"}
    assert sum(everything.facets["kind"].values()) == everything.total
    qcvn = engine.search(SearchRequest(q="an toàn", kind="QCVN", limit=100))
    assert qcvn.total == everything.facets["kind"]["QCVN"]
    assert all(h.kind == "QCVN" for h in qcvn.hits)
    assert qcvn.facets["kind"] == {"QCVN": qcvn.total}


def test_ics_and_year_filters(engine: Engine) -> None:
    unfiltered = engine.search(SearchRequest(q="phomat", limit=50))
    result = engine.search(SearchRequest(q="phomat", ics="67.100", limit=50))
    assert 0 < result.total < unfiltered.total
    assert all(any(c.startswith("67.100") for c in h.ics) for h in result.hits)
    recent = engine.search(SearchRequest(q="mật ong", year_from=2010, limit=50))
    assert recent.total > 0
    assert all(h.year >= 2010 for h in recent.hits)


def test_browse_with_filters_only_sorts_newest_first(engine: Engine) -> None:
    result = engine.search(SearchRequest(kind="QCVN", ministry="BKHCN", limit=50))
    assert result.total > 5
    years = [h.year for h in result.hits]
    assert years == sorted(years, reverse=True)


def test_pagination_is_disjoint_and_complete(engine: Engine) -> None:
    first = engine.search(SearchRequest(q="thức ăn chăn nuôi", limit=10, page=1))
    second = engine.search(SearchRequest(q="thức ăn chăn nuôi", limit=10, page=2))
    assert first.total == second.total > 10
    assert not {h.number for h in first.hits} & {h.number for h in second.hits}


def test_did_you_mean(engine: Engine) -> None:
    assert engine.search(SearchRequest(q="nuoc mamm")).suggestion == "nuoc mam"
    assert engine.search(SearchRequest(q="nước mắmm")).suggestion == "nước mắm"
    assert engine.search(SearchRequest(q="ximang")).suggestion == "xi mang"


def test_kind_word_in_the_query_puts_that_kind_first(engine: Engine) -> None:
    # a bare "QCVN" steers (regulations first); it no longer filters out the TCVN on helmets
    result = engine.search(SearchRequest(q="qcvn mũ bảo hiểm"))
    kinds = [h.kind for h in result.hits]
    assert kinds[0] == "QCVN" and "TCVN" in kinds
    assert kinds == sorted(kinds, key=lambda k: k != "QCVN")
    result = engine.search(SearchRequest(q="tcvn mũ bảo hiểm"))
    assert result.hits[0].kind == "TCVN"


BAD_QUERIES = [
    "",
    "   ",
    "x" * 10_000,
    "nước " * 3000,
    '"unbalanced',
    "((((",
    "title:(",
    "*",
    "?",
    "AND OR NOT",
    "\x00\x01\x02 nước\x7f",
    "😀🇻🇳",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE standards; --",
    "1 OR 1=1",
    "TCVN 5107:9999",
    "QCVN :/",
    "\u202e\u200b",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_any_query_gets_results_or_a_message(engine: Engine, query: str) -> None:
    result = engine.search(SearchRequest(q=query))
    assert bool(result.hits) == (result.total > 0)  # page 1 shows hits exactly when there are some
    assert result.hits or result.message


def test_a_long_query_is_shortened_with_a_message(engine: Engine) -> None:
    result = engine.search(SearchRequest(q="mật ong " * 2000))
    assert result.total > 0
    assert "shortened" in (result.message or "")


def test_empty_query_asks_for_words(engine: Engine) -> None:
    result = engine.search(SearchRequest(q=""))
    assert result.total == 0
    assert "Type words" in (result.message or "")


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1000},
        {"page": 0},
        {"page": 100_000},
        {"kind": "ISO"},
        {"status": "alive"},
        {"sort": "random"},
        {"ics": "abc"},
        {"year_from": 3000},
    ],
)
def test_bad_parameters_raise_a_clear_invalid_input(engine: Engine, params: dict) -> None:
    with pytest.raises(InvalidInput) as info:
        engine.search(SearchRequest(q="mật ong", **params))
    assert info.value.message


FUNCTION_WRAPPERS = [
    "cho tôi hỏi {} thì theo tiêu chuẩn nào",
    "{} phải đáp ứng quy chuẩn gì vậy ạ",
    "xin hỏi công ty tôi sản xuất {} cần áp dụng những tiêu chuẩn nào hiện hành",
    "cho hoi {} thi can tieu chuan gi",
    "which standard applies to {}",
]


@pytest.mark.parametrize("wrapper", FUNCTION_WRAPPERS)
def test_function_words_never_make_a_query_fail(engine: Engine, wrapper: str) -> None:
    # every 60th titled record: its title's first words, wrapped in a question, still find it in the top 10
    records = [r for r in engine.store.all() if r.title_vi][::60]
    missed = []
    for record in records:
        title = re.sub(r"^Quy chuẩn kỹ thuật quốc gia:?\s*(về|đối với)?\s*", "", record.title_vi, flags=re.IGNORECASE)
        words = title.split(" - ")[0].split()[:4]
        text = " ".join(words)
        if wrapper.startswith("cho hoi"):
            from catalogue.text import fold

            text = fold(text).lower()
        result = engine.search(SearchRequest(q=wrapper.format(text), limit=10))
        if result.total == 0:
            missed.append(text)
    assert not missed, missed
