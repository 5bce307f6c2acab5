"""Curations: folded product names found as consecutive words of a query."""

from __future__ import annotations

from catalogue.search.curations import MAX_WORDS, Curations, StaticCurations, name_words


def test_names_are_folded_like_queries() -> None:
    assert name_words("Ổ cắm, phích ĐIỆN") == ("o", "cam", "phich", "dien")


def test_spans_take_the_longest_name_at_each_position_without_overlap() -> None:
    c = Curations([("ổ cắm", ["QCVN 1:2020/BKHCN"]), ("ổ cắm kéo dài", ["QCVN 2:2020/BKHCN"]), ("dài", ["X"])])
    words = name_words("mua ổ cắm kéo dài và ổ cắm")
    assert c.spans(words) == [(1, 5, ("QCVN 2:2020/BKHCN",)), (6, 8, ("QCVN 1:2020/BKHCN",))]
    assert c.spans(name_words("cắm")) == []


def test_names_merge_their_numbers_and_too_long_or_empty_ones_are_dropped() -> None:
    c = Curations([("ổ cắm", ["B", "A"]), ("o cam", ["A"]), ("", ["C"]), (" ".join(["từ"] * (MAX_WORDS + 1)), ["D"])])
    assert len(c) == 1 and c.spans(("o", "cam")) == [(0, 2, ("A", "B"))]


def test_the_version_follows_the_names() -> None:
    assert Curations([("ổ cắm", ["A"])]).version == Curations([("o cam", ["A"])]).version
    assert Curations([("ổ cắm", ["A"])]).version != Curations([("ổ cắm", ["B"])]).version
    assert len(StaticCurations().current()) == 0
