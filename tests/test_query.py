"""The query parser: numbers, international references, kind words and words, from any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from catalogue.search.query import MAX_QUERY_CHARS, clean, parse_query


def test_numbers_are_kept_whole_and_removed_from_the_words() -> None:
    pq = parse_query("cho hỏi TCVN 5107:2003 và QC 01:2009/BYT về nước mắm")
    assert [i.key for i in pq.numbers] == ["tcvn 5107:2003", "qcvn 1:2009/byt"]
    assert "5107" not in [w.folded for w in pq.words]
    assert {"nuoc", "mam"} <= {w.folded for w in pq.words}


def test_international_references_leave_no_word_behind() -> None:
    pq = parse_query("ASTM D 445 và ISO IEC 17025")
    assert [full for full, _ in pq.international] == ["astm d445", "iso/iec 17025"]
    assert [w.folded for w in pq.words] == ["va"]


def test_a_bare_kind_word_is_read_as_the_kind() -> None:
    pq = parse_query("qcvn mũ bảo hiểm")
    assert pq.kind == "QCVN" and "qcvn" not in [w.folded for w in pq.words]


def test_words_keep_accents_and_fold() -> None:
    pq = parse_query("Nước MẮM")
    assert [(w.exact, w.folded) for w in pq.words] == [("nước", "nuoc"), ("mắm", "mam")]
    assert pq.accented


def test_words_typed_twice_are_kept_in_order() -> None:
    # understanding needs the sequence ("quy chuẩn ... quy chuẩn nào" holds two intent phrases)
    assert [w.folded for w in parse_query("xăng và xăng").words] == ["xang", "va", "xang"]


def test_clean_strips_control_characters_and_caps_the_length() -> None:
    text, truncated = clean("a\x00b\u202ec " + "x" * 1000)
    assert "\x00" not in text and "\u202e" not in text
    assert truncated and len(text) <= MAX_QUERY_CHARS


@given(st.text(max_size=400))
def test_parse_query_never_raises(text: str) -> None:
    parse_query(text)
