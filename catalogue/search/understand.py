"""Query understanding: what a person typed, as concepts the ranking rules can score.

A query becomes an :class:`Understanding`: the numbers and international
references :mod:`catalogue.search.query` found, the *intents* the wording
carries ("quy chuẩn" → regulations first, "mới nhất" → current edition first),
and a list of :class:`Concept` s.  A concept is one thing the user asked about
("ống", "bột ngọt", "car seat"); each has :class:`Alternative` spellings that
may match it: the words typed, synonyms, translations, typo corrections.

Contracts:

* :func:`understand` never raises on text and is pure given its
  :class:`Vocabulary` (the index's words) and the lexicon.
* A phrase the lexicon lists (a synonym group's term: "sữa chua", "thang máy") weighs
  :data:`LEXICON_IMPORTANCE`: in a question it names the product, and the free words
  around it ("mở xưởng", "kiểm định") should not outvote it.
* Function words never become concepts.  Without accents an ambiguous one
  ("toi" may be "tỏi") is kept as a *weak* concept (:data:`WEAK`), which adds
  score when it matches and costs little when it does not.
* The alternative typed has weight 1; every expansion weighs less
  (:mod:`catalogue.lexicon` weights, :data:`TYPO_WEIGHT`), so the exact word
  always ranks first.  A multi-word concept also matches word by word, at
  :attr:`Alternative.coverage` = :data:`PART_SHARE` × its share of the words.
* Work is bounded: at most :data:`MAX_CONCEPTS` concepts (the least frequent
  kept), :data:`MAX_ALTERNATIVES` alternatives each, typo look-ups for
  :data:`MAX_TYPO_WORDS` words; :attr:`Understanding.simplified` says when a
  bound cut something.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Protocol

from catalogue.lexicon import Lexicon, english_words, load
from catalogue.search.query import ParsedQuery, parse_query
from catalogue.text import fold, has_diacritics

__all__ = [
    "MAX_CONCEPTS",
    "Alternative",
    "Concept",
    "MemoryVocabulary",
    "Understanding",
    "Vocabulary",
    "understand",
]

WEAK = 0.3  # importance of an ambiguous function word typed without accents
LEXICON_IMPORTANCE = 1.5  # a phrase the lexicon knows names the thing asked about; free words weigh 1
TYPO_WEIGHT = 0.7  # a word one edit away from the one typed
CONTEXT_PAIR_MIN = 2  # titles holding "gỗ sấy" for "gỗ xấy" (a typo that is itself a word) to be read so
CONTEXT_ASSOCIATION = 0.25  # ... and in that share of the titles holding its rarer word: a set phrase
CONTEXT_CANDIDATES = 100  # words one edit away looked at for it (bounded: short syllables have many)
TYPO_MIN_LENGTH = 4  # shorter syllables have too many neighbours one edit away ("gai": gia, hai, tai)
SPLIT_WEIGHT = 0.8  # "ximang" read as "xi mang"
ENGLISH_WEIGHT = 1.0  # an English word matched against English titles
MAX_CONCEPTS = 12
MAX_ALTERNATIVES = 10
MAX_TYPO_WORDS = 6
ENGLISH_SHARE = 0.5  # share of words that must read as English for the query to be English
PART_SHARE = 0.5  # one word of a two-word concept ("lượng" of "năng lượng") covers a quarter of it
COMPOUND_MIN = 2  # titles a syllable pair must stand in to read as one word


class Vocabulary(Protocol):
    """What the index knows of words.  Contract: every method is cheap (a dict look-up)
    and never raises; unknown words answer 0, False or []."""

    def frequency(self, folded: str) -> int:
        """Documents whose Vietnamese title or body holds this folded syllable."""

    def english_frequency(self, word: str) -> int:
        """Documents whose English title holds this word (after English stemming)."""

    def phrase_frequency(self, left: str, right: str) -> int:
        """Titles in which the two folded syllables stand side by side."""

    def near(self, folded: str) -> list[str]:
        """Known folded syllables one edit away (two for long words), most frequent first."""

    def spelling(self, folded: str) -> str | None:
        """The accented spelling of ``folded`` that titles use most, or ``None``."""


@dataclass
class MemoryVocabulary:
    """A :class:`Vocabulary` over plain dictionaries: the test double, and what the
    recommender uses over its own texts."""

    words: dict[str, int] = field(default_factory=dict)
    english: dict[str, int] = field(default_factory=dict)
    phrases: dict[tuple[str, str], int] = field(default_factory=dict)

    def frequency(self, folded: str) -> int:
        return self.words.get(folded, 0)

    def english_frequency(self, word: str) -> int:
        return self.english.get(word, 0)

    def phrase_frequency(self, left: str, right: str) -> int:
        return self.phrases.get((left, right), 0)

    def spelling(self, folded: str) -> str | None:
        return None

    def near(self, folded: str) -> list[str]:
        found = [w for w in self.words if w != folded and _one_edit(w, folded)]
        return sorted(found, key=lambda w: (-self.words[w], w))


@dataclass(frozen=True)
class Alternative:
    """One way a concept may match: all ``words`` must be in the document.

    ``field`` is ``"vi"`` (folded Vietnamese syllables, titles and bodies) or
    ``"en"`` (English words, English titles).  ``exact`` holds the accented words
    typed, for the exactness rule.
    """

    words: tuple[str, ...]
    weight: float
    kind: str  # typed | synonym | translation | typo | split | english | part
    field: str = "vi"
    coverage: float = 1.0
    exact: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """``named``: a phrase the lexicon knows (a product, a thing): the :class:`~catalogue.search.rules.NamedRule`
    ranks records by how well they match these concepts before any other word counts."""

    text: str
    alternatives: tuple[Alternative, ...]
    importance: float = 1.0
    named: bool = False


@dataclass
class Understanding:
    parsed: ParsedQuery
    concepts: list[Concept] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    language: str = "vi"
    simplified: bool = False
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> the correction used

    @property
    def is_empty(self) -> bool:
        return not (self.parsed.numbers or self.parsed.international or self.concepts)


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance exactly 1 (substitution, insertion, deletion) or a swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]])
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


def understand(raw: str, vocabulary: Vocabulary, lexicon: Lexicon | None = None) -> Understanding:
    """Read ``raw`` into concepts and intents (see the module contract)."""
    lex = lexicon or load()
    parsed = parse_query(raw)
    u = Understanding(parsed=parsed)
    if parsed.kind:  # a bare "TCVN"/"QCVN" word steers; it does not filter
        u.intents.add(parsed.kind.lower())
    words = [w for w in parsed.words if not w.folded.isdigit() or len(w.folded) >= 3]
    if not words:
        return u
    folded = [w.folded for w in words]
    exact = [w.exact for w in words]
    accented = parsed.accented
    # 1. intent phrases steer the ranking and leave the query
    used = [False] * len(words)
    for start, end, ph in lex.find_phrases(folded, "intents"):
        u.intents.add(lex.intents[ph])
        for i in range(start, end):
            used[i] = True
    for start, end, _ in lex.find_phrases(folded, "function"):  # "công ty", "sản xuất", "cho biết"
        if not any(used[start:end]):
            for i in range(start, end):
                used[i] = True
    for i, w in enumerate(exact):  # one-word English intents ("regulation", "latest")
        if (fold(w),) in lex.intents and not accented and vocabulary.frequency(fold(w)) == 0:
            u.intents.add(lex.intents[(fold(w),)])
            used[i] = True
    u.language = _language(exact, accented, vocabulary, lex)
    if u.language == "en":
        _english_concepts(u, [w for w, done in zip(exact, used, strict=True) if not done], vocabulary, lex)
    else:
        _vietnamese_concepts(u, exact, folded, used, accented, vocabulary, lex)
        if accented:  # without accents, folding already absorbs the tone slips this reads
            _context_typos(u, vocabulary)
    seen: set[tuple[str, ...]] = set()
    concepts = []
    for c in u.concepts:  # a word typed twice is one concept
        key = c.alternatives[0].words if c.alternatives else ()
        if key not in seen:
            seen.add(key)
            concepts.append(c)
    u.concepts = concepts
    _bound(u, vocabulary)
    return u


def _language(exact: list[str], accented: bool, vocabulary: Vocabulary, lex: Lexicon) -> str:
    """``"en"`` when most words are English the catalogue's Vietnamese does not know."""
    if accented:
        return "vi"
    content = [w for w in exact if w not in lex.function_en and not w.isdigit()]
    if not content:
        return "vi"
    english = sum(
        1
        for w in content
        if vocabulary.frequency(w) == 0 and (lex.knows_english(w) or vocabulary.english_frequency(w) > 0)
    )
    return "en" if english >= ENGLISH_SHARE * len(content) else "vi"


def _vietnamese_concepts(
    u: Understanding,
    exact: list[str],
    folded: list[str],
    used: list[bool],
    accented: bool,
    vocabulary: Vocabulary,
    lex: Lexicon,
) -> None:
    n = len(folded)
    importance = [1.0] * n
    for i in range(n):
        if used[i] or not lex.is_function(exact[i], accented or has_diacritics(exact[i])):
            continue
        # typed with accents, the word is that function word: one title holding the pair ("…vang để…")
        # is chance; without accents any title pair may be the content word ("bia hoi" = "bia hơi")
        pair = COMPOUND_MIN if accented or has_diacritics(exact[i]) else 1
        left = i > 0 and not used[i - 1] and vocabulary.phrase_frequency(folded[i - 1], folded[i]) >= pair
        right = i + 1 < n and not used[i + 1] and vocabulary.phrase_frequency(folded[i], folded[i + 1]) >= pair
        neighbours_content = [
            j
            for j in (i - 1, i + 1)
            if 0 <= j < n and not lex.is_function(exact[j], accented or has_diacritics(exact[j]))
        ]
        if (left or right) and neighbours_content:
            continue  # "thiết bị", "trẻ em": part of a title phrase, a content word here
        if accented or has_diacritics(exact[i]) or vocabulary.frequency(folded[i]) == 0:
            used[i] = True
        else:
            importance[i] = WEAK  # "toi" may be "tỏi", "khi" may be "khí"
    keep = [i for i in range(n) if not used[i]]
    kept_folded = [folded[i] for i in keep]
    grouped: dict[int, tuple[int, tuple[str, ...], bool]] = {}
    for start, end, ph in lex.find_phrases(kept_folded, "synonyms"):
        typed = " ".join(exact[i] for i in keep[start:end])
        if not accented or len(ph) > 1 or lex.spelled(ph, typed):  # "cám" is no synonym of "cắm"
            grouped[start] = (end, ph, True)
    for start, end in _compounds([exact[i] for i in keep], kept_folded, accented, vocabulary):
        if not any(s <= start < e or start <= s < end for s, (e, _, _) in grouped.items()):
            grouped[start] = (end, tuple(kept_folded[start:end]), False)
    k = 0
    while k < len(keep):
        if k in grouped:
            end, ph, is_synonym = grouped[k]
            idx = keep[k:end]
            typed_exact = tuple(exact[i] for i in idx)
            alts = [Alternative(ph, 1.0, "typed", exact=typed_exact if accented else ())]
            if is_synonym:
                for s, w in lex.synonyms(ph):
                    if _unambiguous(s, vocabulary, lex.spellings(s)):
                        alts.append(Alternative(s, w, "synonym"))
                    elif (len(ph) == 1 or lex.is_formal(ph, s)) and len(spelling := lex.spellings(s)) == 1:
                        # "chè" for "trà": titles must spell it so; but one syllable stands for a phrase only
                        # as its formal term ("sắn" for "khoai mì"): the "phân" of "phân bón" is also the
                        # "phân" of "phân tích"
                        alts.append(Alternative(s, w, "synonym", exact=tuple(next(iter(spelling)).split())))
            if len(ph) > 1:
                alts += [Alternative((p,), 1.0, "part", coverage=PART_SHARE / len(ph)) for p in dict.fromkeys(ph)]
            imp = max(importance[i] for i in idx) * (LEXICON_IMPORTANCE if is_synonym else 1.0)
            u.concepts.append(Concept(" ".join(exact[i] for i in idx), tuple(alts), imp, named=is_synonym))
            k = end
            continue
        i = keep[k]
        u.concepts.append(_word_concept(u, exact[i], folded[i], importance[i], accented, vocabulary, lex))
        k += 1


def _translation(ph: tuple[str, ...], weight: float, vocabulary: Vocabulary, lex: Lexicon) -> Alternative:
    """A Vietnamese translation of English words.  One syllable that titles mostly spell otherwise must
    match with the glossary's accents: "ice cream" is "kem", and titles' "kem" is mostly "kẽm" (zinc)."""
    spelled = lex.glossary_spellings(ph)
    if len(spelled) == 1 and not _unambiguous(ph, vocabulary, spelled):
        return Alternative(ph, weight, "translation", exact=tuple(next(iter(spelled)).split()))
    return Alternative(ph, weight, "translation")


def _unambiguous(ph: tuple[str, ...], vocabulary: Vocabulary, spellings: frozenset[str]) -> bool:
    """Whether a one-word synonym may match folded: titles spell its folded form as the lexicon does
    (one of ``spellings``).

    "phân" (fertiliser) folds to "phan", which titles mostly spell "Phần" (part):
    expanding "phân bón" to folded "phan" would match every multi-part standard, so
    such a synonym matches only where a title spells it with its accents.
    """
    if len(ph) > 1:
        return True
    usual = vocabulary.spelling(ph[0])
    return usual is None or usual in spellings


def _compounds(exact: list[str], folded: list[str], accented: bool, vocabulary: Vocabulary) -> list[tuple[int, int]]:
    """Spans of words that form one compound word ("năng lượng", "gia dụng").

    With accents, pyvi segments the words (numbers never reach it); without, two
    syllables form a compound when they stand side by side in at least
    :data:`COMPOUND_MIN` titles, the stronger pair winning an overlap.
    """
    spans: list[tuple[int, int]] = []
    if accented:
        from indexer.analysis import segment

        i = 0
        for token in segment(" ".join(exact)):
            n = token.count("_") + 1
            if n > 1 and i + n <= len(exact):
                spans.append((i, i + n))
            i += n
        return spans if i == len(exact) else []
    strength = [
        vocabulary.phrase_frequency(a, b) if not (a.isdigit() or b.isdigit()) else 0
        for a, b in itertools.pairwise(folded)
    ]
    i = 0
    while i < len(strength):
        right = strength[i + 1] if i + 1 < len(strength) else 0
        if strength[i] >= COMPOUND_MIN and strength[i] >= right:
            spans.append((i, i + 2))
            i += 2
        else:
            i += 1
    return spans


def _word_concept(
    u: Understanding, exact: str, folded: str, importance: float, accented: bool, vocabulary: Vocabulary, lex: Lexicon
) -> Concept:
    alts = [Alternative((folded,), 1.0, "typed", exact=(exact,) if accented else ())]
    if folded.isascii() and vocabulary.english_frequency(folded):
        alts.append(Alternative((folded,), ENGLISH_WEIGHT, "english", field="en"))
    if vocabulary.frequency(folded) == 0 and not vocabulary.english_frequency(folded) and not folded.isdigit():
        alts += _corrections(u, exact, folded, vocabulary)
    return Concept(exact, tuple(alts), importance)


def _context_typos(u: Understanding, vocabulary: Vocabulary) -> None:
    """A typo that is itself a word ("gỗ xấy" for "gỗ sấy", "thang cuống" for "thang cuốn"): when two
    neighbouring words never stand together in a title and one of them, one edit away, forms a set phrase
    with the other (in :data:`CONTEXT_PAIR_MIN` titles or more, and in :data:`CONTEXT_ASSOCIATION` of those
    holding its rarer word), that word joins as a typo alternative.  A word that stands beside its other
    neighbour in a title is no typo.  The word typed keeps its full weight, and no suggestion replaces it
    (it is in the vocabulary).  Only for queries typed with accents."""

    def word(c: Concept) -> str | None:
        first = c.alternatives[0] if c.alternatives else None
        if first is None or first.kind != "typed" or len(first.words) != 1 or first.words[0].isdigit():
            return None
        return first.words[0]

    words = [word(c) for c in u.concepts]

    def pair(j: int, other: int, w: str) -> tuple[str, str]:  # w in place j, beside word other, in order
        return (w, words[other]) if j < other else (words[other], w)  # type: ignore[return-value]

    def paired(j: int, other: int) -> bool:  # stands beside that neighbour in some title
        if not 0 <= other < len(words) or words[j] is None or words[other] is None:
            return False
        return vocabulary.phrase_frequency(*pair(j, other, words[j])) > 0  # type: ignore[arg-type]

    for i in range(len(u.concepts) - 1):
        if words[i] is None or words[i + 1] is None or paired(i, i + 1):
            continue
        for j, other in ((i + 1, i), (i, i + 1)):
            concept, fixed = u.concepts[j], words[j]
            beyond = 2 * j - other  # the neighbour on j's other side
            if len(fixed) < 3 or paired(j, beyond) or any(a.kind == "typo" for a in concept.alternatives):  # type: ignore[arg-type]
                continue  # two letters have too many neighbours; a word in a title pair is no typo
            best = max(
                (
                    (vocabulary.phrase_frequency(*pair(j, other, c)), c)
                    for c in vocabulary.near(fixed)[:CONTEXT_CANDIDATES]  # type: ignore[arg-type]
                ),
                default=(0, ""),
            )
            rarer = min(vocabulary.frequency(w) for w in pair(j, other, best[1])) if best[0] else 0
            if best[0] >= CONTEXT_PAIR_MIN and best[0] >= CONTEXT_ASSOCIATION * rarer:
                alts = (*concept.alternatives, Alternative((best[1],), TYPO_WEIGHT, "typo"))
                u.concepts[j] = replace(concept, alternatives=alts)
                break


def _corrections(u: Understanding, exact: str, folded: str, vocabulary: Vocabulary) -> list[Alternative]:
    """Typo alternatives for a word the index does not know (counted against :data:`MAX_TYPO_WORDS`)."""
    if len(u.corrections) >= MAX_TYPO_WORDS or len(folded) < TYPO_MIN_LENGTH:
        if len(folded) >= TYPO_MIN_LENGTH:
            u.simplified = True
        return []
    alts: list[Alternative] = []
    for i in range(2, len(folded) - 1):  # "ximang" -> "xi mang"
        left, right = folded[:i], folded[i:]
        if vocabulary.phrase_frequency(left, right):
            alts.append(Alternative((left, right), SPLIT_WEIGHT, "split"))
            u.corrections[exact] = f"{left} {right}"
            break
    for candidate in vocabulary.near(folded)[:3]:
        alts.append(Alternative((candidate,), TYPO_WEIGHT, "typo"))
        u.corrections.setdefault(exact, candidate)
    return alts


def _english_concepts(u: Understanding, words: list[str], vocabulary: Vocabulary, lex: Lexicon) -> None:
    tokens = [w for text in words for w in english_words(text)]
    tokens = [t for t in tokens if t not in lex.function_en or (t,) in lex._glossary]
    glossary = {s: (e, vi) for s, e, vi in lex.glossary_phrases(tokens)}
    i = 0
    while i < len(tokens):
        if i in glossary:
            end, _vi = glossary[i]
            span = tokens[i:end]
        else:
            end, span = i + 1, tokens[i : i + 1]
        alts = [Alternative(tuple(span), ENGLISH_WEIGHT, "english", field="en")]
        if len(span) > 1:
            alts += [
                Alternative((t,), ENGLISH_WEIGHT, "part", field="en", coverage=PART_SHARE / len(span)) for t in span
            ]
        alts += [_translation(ph, w, vocabulary, lex) for ph, w in lex.translate(span)]
        if len(span) == 1 and vocabulary.frequency(span[0]):  # "gas", "led": also Vietnamese words
            alts.append(Alternative((span[0],), 1.0, "typed"))
        if len(alts) == 1 and len(span) == 1:
            alts += _corrections(u, span[0], span[0], vocabulary)
        u.concepts.append(Concept(" ".join(span), tuple(alts), 1.0))
        i = end


def _bound(u: Understanding, vocabulary: Vocabulary) -> None:
    """Apply :data:`MAX_CONCEPTS` and :data:`MAX_ALTERNATIVES`; rarer concepts are kept."""
    for n, c in enumerate(u.concepts):
        if len(c.alternatives) > MAX_ALTERNATIVES:
            u.concepts[n] = replace(c, alternatives=c.alternatives[:MAX_ALTERNATIVES])
            u.simplified = True
    if len(u.concepts) > MAX_CONCEPTS:

        def rarity(c: Concept) -> tuple[float, int]:
            typed = c.alternatives[0]
            return (-c.importance, min((vocabulary.frequency(w) for w in typed.words), default=0))

        keep = set(map(id, sorted(u.concepts, key=rarity)[:MAX_CONCEPTS]))
        u.concepts = [c for c in u.concepts if id(c) in keep]
        u.simplified = True
