"""Query understanding on a small in-memory vocabulary (the Vocabulary test double)."""

from __future__ import annotations

from catalogue.search.understand import LEXICON_IMPORTANCE, MAX_CONCEPTS, WEAK, MemoryVocabulary, understand

VOCAB = MemoryVocabulary(
    words={w: 5 for w in "ong nhua pvc cap nuoc toi xi mang mat thiet bi tre em xang dau".split()},
    english={"cement": 3},
    phrases={("xi", "mang"): 9, ("thiet", "bi"): 30, ("tre", "em"): 12, ("ong", "nhua"): 4, ("cap", "nuoc"): 6},
)


def texts(u) -> list[str]:
    return [c.text for c in u.concepts]


def test_function_words_never_become_concepts() -> None:
    u = understand("cho tôi hỏi ống nhựa PVC dùng cấp nước thì theo tiêu chuẩn nào", VOCAB)
    assert "tôi" not in texts(u) and "nào" not in texts(u) and "thì" not in texts(u)
    words = {w for c in u.concepts for w in c.alternatives[0].words}
    assert {"ong", "nhua", "pvc", "cap", "nuoc"} <= words


def test_unaccented_ambiguous_function_word_is_weak_not_dropped() -> None:
    u = understand("toi xi mang", VOCAB)  # "toi" may be "tỏi"
    weak = [c for c in u.concepts if c.text == "toi"]
    assert weak and weak[0].importance == WEAK


def test_a_title_phrase_keeps_its_function_syllable() -> None:
    u = understand("thiết bị cho trẻ em", VOCAB)
    words = {w for c in u.concepts for w in c.alternatives[0].words}
    assert {"thiet", "bi", "tre", "em"} <= words


def test_intent_words_steer() -> None:
    assert "qcvn" in understand("quy chuẩn về mũ bảo hiểm", VOCAB).intents
    assert "current" in understand("TCVN 6096 mới nhất", VOCAB).intents
    assert "method" in understand("phương pháp thử xi măng", VOCAB).intents
    assert "qcvn" in understand("QCVN xăng", VOCAB).intents  # a bare kind word steers, it does not filter


def test_synonyms_expand_at_lower_weight() -> None:
    u = understand("bột ngọt", VOCAB)
    alts = u.concepts[0].alternatives
    assert alts[0].kind == "typed" and alts[0].weight == 1.0
    assert any(a.words == ("mi", "chinh") and a.kind == "synonym" and a.weight < 1 for a in alts)


def test_english_queries_are_translated() -> None:
    u = understand("soy sauce", VOCAB)
    assert u.language == "en"
    assert any(a.kind == "translation" and a.words == ("nuoc", "tuong") for a in u.concepts[0].alternatives)


def test_unknown_words_get_typo_alternatives_and_known_words_none() -> None:
    u = understand("xi mămg", VOCAB)
    assert u.corrections == {"mămg": "mang"}
    assert not any(a.kind == "typo" for a in u.concepts[0].alternatives)  # "xi" is known
    u = understand("ximang", VOCAB)
    assert u.corrections == {"ximang": "xi mang"}


def test_work_is_bounded() -> None:
    words = " ".join(f"tu{i}x" for i in range(40))
    u = understand(words, VOCAB)
    assert len(u.concepts) <= MAX_CONCEPTS and u.simplified
    assert len(u.corrections) <= 6


def test_any_text_is_understood_without_raising() -> None:
    for text in ("", "   ", "((((", "\x00", "😀", "tcvn", "x" * 5000, "ISO IEC 17025 và ASTM D 445"):
        understand(text, VOCAB)


def test_an_accented_function_word_stays_one_unless_its_pair_is_a_real_title_phrase() -> None:
    vocab = MemoryVocabulary(
        words={w: 5 for w in "ruou vang de ban bia hoi".split()},
        phrases={("ruou", "vang"): 9, ("vang", "de"): 1, ("bia", "hoi"): 1},
    )
    assert "để" not in texts(understand("rượu vang để bán", vocab))  # one title holding "vang để" is chance
    assert "hoi" in texts(understand("bia hoi", vocab))  # without accents "hoi" may be "hơi" of "bia hơi"


def test_a_phrase_the_lexicon_knows_outweighs_the_free_words_around_it() -> None:
    vocab = MemoryVocabulary(words={w: 5 for w in "xuong sua chua".split()}, phrases={("sua", "chua"): 4})
    u = understand("xưởng sữa chua", vocab)
    weight = {c.text: c.importance for c in u.concepts}
    assert weight["sữa chua"] == LEXICON_IMPORTANCE > weight["xưởng"] == 1.0


class _Spelled(MemoryVocabulary):
    """Titles spell folded "che" as "chế" (chế biến), never as the "chè" (tea) the lexicon means."""

    def spelling(self, folded: str) -> str | None:
        return {"che": "chế"}.get(folded)


def test_an_ambiguous_one_word_synonym_must_match_with_its_accents() -> None:
    vocab = _Spelled(words={"tra": 3, "che": 40, "xanh": 5})
    concept = understand("trà xanh", vocab).concepts[0]
    assert concept.named
    chè = [a for a in concept.alternatives if a.words == ("che",)]
    assert chè and chè[0].kind == "synonym" and chè[0].exact == ("chè",)
    plain = understand("trà xanh", MemoryVocabulary(words={"tra": 3, "che": 40, "xanh": 5})).concepts[0]
    assert [a.exact for a in plain.alternatives if a.words == ("che",)] == [()]  # unambiguous: folded is enough


def test_a_phrase_never_expands_to_one_ambiguous_syllable() -> None:
    vocab = _Spelled(words={"phan": 90, "bon": 5, "che": 40})
    vocab.spelling = lambda folded: {"phan": "phần"}.get(folded)  # type: ignore[method-assign]
    concept = understand("phân bón", vocab).concepts[0]
    assert concept.named and concept.alternatives[0].words == ("phan", "bon")
    assert not [a for a in concept.alternatives if a.words == ("phan",) and a.kind == "synonym"]


def test_a_phrase_expands_to_one_syllable_that_is_its_formal_term() -> None:
    vocab = _Spelled(words={"san": 148, "khoai": 5, "mi": 9})
    vocab.spelling = lambda folded: {"san": "sản"}.get(folded)  # type: ignore[method-assign]
    concept = understand("khoai mì", vocab).concepts[0]  # one-way group: khoai mì -> sắn (cassava)
    sắn = [a for a in concept.alternatives if a.words == ("san",)]
    assert sắn and sắn[0].kind == "synonym" and sắn[0].exact == ("sắn",)  # never "sản" (product)


def test_a_one_syllable_translation_that_titles_spell_otherwise_keeps_the_glossary_accents() -> None:
    vocab = _Spelled(words={"kem": 9})
    vocab.spelling = lambda folded: {"kem": "kẽm"}.get(folded)  # type: ignore[method-assign]
    kem = [a for a in understand("ice cream", vocab).concepts[0].alternatives if a.kind == "translation"]
    assert [a.exact for a in kem if a.words == ("kem",)] == [("kem",)]  # ice cream, not zinc
    plain = understand("ice cream", MemoryVocabulary(words={"kem": 9})).concepts[0]
    assert [a.exact for a in plain.alternatives if a.words == ("kem",)] == [()]


def _typos(u, word: str) -> list[tuple[str, ...]]:
    return [a.words for c in u.concepts for a in c.alternatives if a.kind == "typo" and c.text == word]


def test_a_typo_that_is_itself_a_word_is_read_from_its_neighbour() -> None:
    vocab = MemoryVocabulary(words={"go": 44, "xay": 126, "say": 5}, phrases={("go", "say"): 3})
    u = understand("gỗ xấy", vocab)
    assert _typos(u, "xấy") == [("say",)]  # "gỗ sấy" stands in 3 of the 5 titles holding "sấy"
    assert u.concepts[1].alternatives[0].words == ("xay",) and not u.corrections  # typed word kept, no suggestion
    assert not _typos(understand("go xay", vocab), "xay")  # without accents: not read so


def test_a_word_is_no_typo_beside_a_neighbour_it_stands_with_or_near_a_loose_pair() -> None:
    vocab = MemoryVocabulary(
        words={"cat": 30, "xay": 126, "xac": 400, "dung": 200, "to": 50},
        phrases={("cat", "xac"): 2, ("xay", "dung"): 90},
    )
    assert not _typos(understand("cát xây tô", vocab), "xây")  # "cát xác" is in 2 of 30 titles: loose
    assert not _typos(understand("cát xây dựng", vocab), "xây")  # "xây dựng" holds it in place
