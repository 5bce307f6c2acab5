"""Highlighting: safe HTML, matches by folded word on the stored text, snippets around the first match."""

from __future__ import annotations

from catalogue.search.highlight import highlight, snippet


def test_matches_are_marked_whatever_the_accents() -> None:
    assert highlight("Nước mắm", {"nuoc", "mam"}) == "<mark>Nước</mark> <mark>mắm</mark>"
    assert highlight("NƯỚC MẮM cá cơm", {"nuoc"}) == "<mark>NƯỚC</mark> MẮM cá cơm"
    assert highlight("Đường kính", {"duong"}) == "<mark>Đường</mark> kính"


def test_everything_else_is_escaped() -> None:
    text = '<script>alert("x")</script> & mật ong'
    out = highlight(text, {"mat"})
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    assert out.endswith("<mark>mật</mark> ong")
    assert highlight("<b>", set()) == "&lt;b&gt;"


def test_a_snippet_is_a_window_around_the_first_match() -> None:
    text = ("Phần mở đầu rất dài " * 20) + "yêu cầu về mật ong nguyên chất " + ("phần cuối " * 30)
    out = snippet(text, {"ong"}, width=120)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>ong</mark>" in out
    assert len(out.replace("<mark>", "").replace("</mark>", "")) <= 120 + 2
    assert snippet("ngắn", {"x"}) == "ngắn"


def test_a_snippet_without_a_match_starts_at_the_beginning() -> None:
    text = "đầu " * 100
    out = snippet(text, {"khong"}, width=50)
    assert out.startswith("đầu") and out.endswith("…") and "<mark>" not in out
