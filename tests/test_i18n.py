"""Interface language: Vietnamese by default, English from the table, Vietnamese when a string is missing."""

from __future__ import annotations

from catalogue.web.i18n import EN, LANGS, pick, translator


def test_pick_defaults_to_vietnamese() -> None:
    assert LANGS[0] == "vi"
    assert [pick(x) for x in (None, "", "en", "vi", "fr", "en; DROP")] == ["vi", "vi", "en", "vi", "vi", "vi"]


def test_translator_is_the_identity_in_vietnamese_and_the_table_in_english() -> None:
    vi, en = translator("vi"), translator("en")
    assert vi("Tìm") == "Tìm" and en("Tìm") == EN["Tìm"] == "Search"
    assert en("một câu không có trong bảng") == "một câu không có trong bảng"


def test_every_english_entry_is_written() -> None:
    assert all(vi.strip() and en.strip() for vi, en in EN.items())
