import unicodedata

import pytest

from catalogue.text import fold, has_diacritics, nfc, normalize, normalize_tones, syllables


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("thuỵ", "thụy"),
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("HOÀ", "HÒA"),
    ],
)
def test_tone_placement_variants_normalise_to_one_form(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize("word", ["hoàng", "người", "quý", "già", "giữ", "thuyền", "khoái", "nước", "mắm", "toán"])
def test_correctly_placed_tones_are_left_alone(word: str) -> None:
    assert normalize_tones(word) == word


def test_decomposed_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nước mắm")
    assert decomposed != "Nước mắm"
    assert normalize(decomposed) == "Nước mắm"


def test_nbsp_and_eth_are_cleaned() -> None:
    assert nfc("TCVN\u00a05107") == "TCVN 5107"
    assert nfc("Ðèn") == "Đèn"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("nước mắm", "nuoc mam"),
        ("Nước Mắm", "Nuoc Mam"),
        ("Đường", "Duong"),
        ("đồ chơi trẻ em", "do choi tre em"),
        ("Ðèn", "Den"),
        ("ASCII stays", "ASCII stays"),
    ],
)
def test_fold_removes_every_diacritic_including_d_bar(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_has_diacritics() -> None:
    assert has_diacritics("mắm")
    assert has_diacritics("đ")
    assert not has_diacritics("nuoc mam")


def test_syllables_give_offsets_into_the_text() -> None:
    text = "Nước mắm - Yêu cầu"
    for word, start, end in syllables(text):
        assert text[start:end] == word
    assert [w for w, _, _ in syllables(text)] == ["Nước", "mắm", "Yêu", "cầu"]
