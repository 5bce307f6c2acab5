"""The shared query lexicon: its data files load, and lookups keep their contracts."""

from __future__ import annotations

import json

from catalogue.lexicon import DATA, GLOSSARY_WEIGHT, SYNONYM_WEIGHT, build_translation, english_words, load, phrase


def test_every_synonym_and_glossary_entry_has_its_basis() -> None:
    data = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    assert all(g.get("basis") for g in data["synonyms"]["groups"])
    assert all(e["en"] and e["vi"] for e in data["english"]["entries"])


def test_synonyms_weigh_less_than_the_word_typed_and_exclude_it() -> None:
    lex = load()
    alternatives = lex.synonyms(phrase("bột ngọt"))
    assert (phrase("mì chính"), SYNONYM_WEIGHT) in alternatives
    assert all(ph != phrase("bột ngọt") and w < 1 for ph, w in alternatives)


def test_one_way_entries_widen_only_towards_the_formal_term() -> None:
    lex = load()
    assert phrase("xe cơ giới") in [ph for ph, _ in lex.synonyms(phrase("xe máy"))]
    assert phrase("xe máy") not in [ph for ph, _ in lex.synonyms(phrase("xe cơ giới"))]


def test_function_words_keep_their_accents() -> None:
    lex = load()
    assert lex.is_function("tôi", accented=True)
    assert not lex.is_function("tỏi", accented=True)  # garlic
    assert lex.is_function("toi", accented=False)  # ambiguous without accents: the caller weakens it


def test_spelling_guards_single_syllable_synonyms() -> None:
    lex = load()
    assert lex.spelled(phrase("cám"), "cám")
    assert not lex.spelled(phrase("cám"), "cắm")


def test_translation_glossary_first_then_learnt_associations() -> None:
    lex = load()
    assert lex.translate(["soy", "sauce"])[0] == (phrase("nước tương"), GLOSSARY_WEIGHT)
    learnt = lex.translate(["cement"])
    assert learnt and learnt[0][0] == phrase("xi măng")
    assert lex.translate(["qwertyuiop"]) == []


def test_english_words_drop_possessives() -> None:
    assert english_words("Children's car-seat") == ["children", "car-seat"]


def test_build_translation_learns_dice_associations_deterministically() -> None:
    pairs = [
        ("Cement clinker", "Clanhke xi măng"),
        ("Portland cement", "Xi măng poóc lăng"),
        ("Steel bars", "Thép thanh"),
    ]
    pairs += [("Steel wire", "Dây thép"), ("White cement", "Xi măng trắng")]
    table = build_translation(pairs, frozenset(), min_pairs=2)
    assert table["cement"][0][0] == "xi mang"
    assert table["steel"][0][0] == "thep"
    assert build_translation(pairs, frozenset(), min_pairs=2) == table
