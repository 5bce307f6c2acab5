"""Matching a product reading against curated phrases and against descriptive texts.

Two matchers, both over :class:`~catalogue.recommend.products.Reading` tokens:

* :class:`PhraseBook` — curated phrases (group names, synonyms, the names of the
  products a QCVN covers).  A phrase matches when all its words occur in the
  reading in order and contiguously; a phrase written ``"thức ăn … tôm"`` lets
  up to :data:`MAX_GAP` words stand between its parts.  A word typed with
  accents must equal the phrase's word with accents ("gà" is not "ga"); a word
  typed without accents matches by its folded form, and such a match is marked
  ``exact=False``.  English readings compare singular stems.
  :meth:`PhraseBook.resolve` keeps, position by position, the longest match:
  "nồi cơm điện" is an appliance, not the "nồi" of kitchenware.
* :class:`TextIndex` — longer texts (tariff line descriptions, QCVN titles).
  A document is scored by the share of the reading's content words it holds,
  each word weighted by its rarity (inverse document frequency); words in the
  document's context (its heading) count :data:`CONTEXT_WEIGHT`.  A document
  must hold the reading's head word.  Extra words in the reading lower the score
  but never zero it.  When more than :data:`PAIR_PRUNE` documents hold the head,
  only those holding two of the reading's words side by side are scored (if any).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from catalogue.recommend.products import Reading, Token, phrase_tokens, stem
from catalogue.text import fold, normalize, syllables

__all__ = ["CONTEXT_WEIGHT", "MAX_GAP", "DocHit", "PhraseBook", "PhraseHit", "TextIndex"]

MAX_GAP = 6  # words allowed between the parts of a "X … Y" phrase
CONTEXT_WEIGHT = 0.7  # a word found only in a document's context (heading) counts this much
ADJACENT_BONUS = 0.08  # per pair of the reading's words found side by side in the document
PAIR_PRUNE = 200  # above this many candidates, keep those holding an adjacent pair of the reading's words
FOLDED_ONLY = 0.85  # a word typed without accents found only with other accents ("bia" in "bìa")


def key(token: Token, english: bool) -> str:
    return token.stem if english else token.folded


@dataclass(frozen=True)
class _Phrase:
    parts: tuple[tuple[Token, ...], ...]
    target: Hashable
    text: str

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.parts)


@dataclass(frozen=True)
class PhraseHit:
    target: Hashable
    text: str
    positions: frozenset[int]
    exact: bool

    @property
    def size(self) -> int:
        return len(self.positions)

    @property
    def start(self) -> int:
        return min(self.positions)


def _same(r: Token, p: Token, english: bool, strict: bool) -> tuple[bool, bool]:
    """(matches, exactly) for a reading token ``r`` against a phrase token ``p``.

    A word typed with accents must be the phrase's word as written ("gà" is not
    "ga"); a word typed without accents matches by its folded form, not exactly
    when the phrase has accents.  ``strict`` is kept for symmetry with the index.
    """
    if key(r, english) != key(p, english):
        return False, False
    if r.accented:
        return r.exact == p.exact, True
    return True, not p.accented


class PhraseBook:
    def __init__(self) -> None:
        self._by_first: dict[str, list[_Phrase]] = defaultdict(list)
        self._by_first_en: dict[str, list[_Phrase]] = defaultdict(list)

    def add(self, text: str, target: Hashable) -> None:
        parts = tuple(tuple(phrase_tokens(part.strip())) for part in text.replace("...", "…").split("…"))
        parts = tuple(p for p in parts if p)
        if not parts:
            return
        phrase = _Phrase(parts, target, text)
        self._by_first[parts[0][0].folded].append(phrase)
        self._by_first_en[parts[0][0].stem].append(phrase)

    def find(self, reading: Reading) -> list[PhraseHit]:
        tokens, english, strict = reading.tokens, reading.english, reading.accented
        book = self._by_first_en if english else self._by_first
        hits = []
        for i, token in enumerate(tokens):
            for phrase in book.get(key(token, english), ()):
                hit = self._match(phrase, tokens, i, english, strict)
                if hit is not None:
                    hits.append(hit)
        return hits

    @staticmethod
    def _match(phrase: _Phrase, tokens: list[Token], start: int, english: bool, strict: bool) -> PhraseHit | None:
        positions: list[int] = []
        exact = True
        at = start
        for n, part in enumerate(phrase.parts):
            found = None
            last = at if n == 0 else min(len(tokens) - len(part), at + MAX_GAP)
            for i in range(at, last + 1):
                if i + len(part) > len(tokens):
                    break
                checks = [_same(tokens[i + j], p, english, strict) for j, p in enumerate(part)]
                if all(ok for ok, _ in checks):
                    found = i
                    exact = exact and all(ex for _, ex in checks)
                    break
            if found is None:
                return None
            positions += range(found, found + len(part))
            at = found + len(part)
        return PhraseHit(phrase.target, phrase.text, frozenset(positions), exact)

    @staticmethod
    def resolve(hits: list[PhraseHit], group_of: callable) -> list[PhraseHit]:  # type: ignore[valid-type]
        """Hits that keep their positions: longer first, then exact, then leftmost.

        A hit loses when a longer hit of another group (``group_of(target)``) holds
        one of its positions; hits of the same group may overlap.
        """
        kept: list[PhraseHit] = []
        owner: dict[int, Hashable] = {}
        for hit in sorted(hits, key=lambda h: (-h.size, not h.exact, h.start)):
            group = group_of(hit.target)
            if any(owner.get(p, group) != group for p in hit.positions):
                continue
            for p in hit.positions:
                owner.setdefault(p, group)
            kept.append(hit)
        return kept


@dataclass(frozen=True)
class _Arrays:
    """A frozen :class:`TextIndex` as numbers: documents by position, and per word (or pair) the
    positions of the documents holding it."""

    docs: list[Hashable]
    own: dict[str, np.ndarray]
    ctx: dict[str, np.ndarray]
    exact: dict[str, np.ndarray]  # accented words, as typed
    pairs: dict[tuple[str, str], np.ndarray]


@dataclass(frozen=True)
class DocHit:
    doc: Hashable
    score: float
    matched: frozenset[int]  # positions of the reading matched


@lru_cache(maxsize=65536)
def analyse(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(exact words, folded words, English stems) of a text; headings repeat, so this is cached."""
    words = tuple(w for w, _, _ in syllables(normalize(text).lower()))
    folded = tuple(fold(w) for w in words)
    return words, folded, tuple(stem(w) for w in folded)


class TextIndex:
    """Documents (own text + context text) searchable by a reading's content words."""

    def __init__(self) -> None:
        self._own: dict[str, set[Hashable]] = defaultdict(set)
        self._ctx: dict[str, set[Hashable]] = defaultdict(set)
        self._exact: dict[Hashable, frozenset[str]] = {}
        self._pairs: dict[Hashable, frozenset[tuple[str, str]]] = {}
        self._by_pair: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
        self._n = 0
        self._idf: dict[str, float] = {}

    def add(self, doc: Hashable, own: Iterable[str], context: Iterable[str] = ()) -> None:
        """``own`` and ``context`` are texts in either language; both are tokenised both ways."""
        exact: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for texts, index in ((own, self._own), (context, self._ctx)):
            for text in texts:
                if not text:
                    continue
                words, folded, stems = analyse(text)
                exact.update(words)
                for keys in (folded, stems) if stems != folded else (folded,):
                    for k in keys:
                        index[k].add(doc)
                    pairs.update(itertools.pairwise(keys))
        self._exact[doc] = frozenset(exact)
        self._pairs[doc] = frozenset(pairs)
        for pair in pairs:
            self._by_pair[pair].add(doc)
        self._n += 1
        self._idf = {}

    def freeze(self) -> None:
        """Compute the word weights and the per-word document arrays once all documents are in (else done
        on first use)."""
        words = set(self._own) | set(self._ctx)
        self._idf = {
            w: math.log(1 + self._n / (1 + len(self._own.get(w, ())) + len(self._ctx.get(w, ())))) for w in words
        }
        docs = list(self._exact)
        ids = {doc: i for i, doc in enumerate(docs)}
        exact: dict[str, list[int]] = defaultdict(list)
        for doc, words_of in self._exact.items():
            for word in words_of:
                exact[word].append(ids[doc])

        def arrays(table: dict[Any, set[Hashable]]) -> dict[Any, np.ndarray]:
            return {k: np.array(sorted(ids[d] for d in v), dtype=np.int32) for k, v in table.items()}

        self._arrays = _Arrays(
            docs,
            arrays(self._own),
            arrays(self._ctx),
            {w: np.array(v, dtype=np.int32) for w, v in exact.items()},
            arrays(self._by_pair),
        )

    def idf(self, word: str) -> float:
        if not self._idf:
            self.freeze()
        return self._idf.get(word, math.log(1 + self._n))

    def match(self, reading: Reading, min_score: float = 0.5, limit: int = 50) -> list[DocHit]:
        """Documents holding the head word, best first, scoring at least ``min_score``.

        Scored over every document at once (numpy masks, one per word), each document's sum added up
        word by word in reading order."""
        english, strict = reading.english, reading.accented
        content = reading.content
        head = reading.head
        if head is None:
            return []
        keys = {p: key(reading.tokens[p], english) for p in content}
        head_key = keys[head]
        if head_key not in self._own and head_key not in self._ctx:
            return []
        weights = {p: self.idf(k) for p, k in keys.items()}  # freezes: the arrays are built
        a = self._arrays
        size = len(a.docs)

        def mask(*tables_and_key: tuple[dict[Any, np.ndarray], Any]) -> np.ndarray:
            out = np.zeros(size, dtype=bool)
            for table, k in tables_and_key:
                found = table.get(k)
                if found is not None:
                    out[found] = True
            return out

        candidates = mask((a.own, head_key), (a.ctx, head_key))
        total = sum(weights.values()) or 1.0
        if weights[head] / total + ADJACENT_BONUS < min_score:
            # the head alone cannot reach the bar: only documents holding another word can
            others = mask(*((t, k) for k in keys.values() if k != head_key for t in (a.own, a.ctx)))
            candidates &= others
        pairs = [(keys[x], keys[y]) for x, y in itertools.pairwise(content) if y == x + 1]
        if pairs and int(candidates.sum()) > PAIR_PRUNE:
            # many documents hold the head: those holding two of the reading's words side by side come first
            paired = mask(*((a.pairs, pair) for pair in pairs)) & candidates
            if paired.any():
                candidates = paired
        score = np.zeros(size, dtype=np.float64)
        found: dict[int, np.ndarray] = {}
        for p, k in keys.items():
            token = reading.tokens[p]
            own = mask((a.own, k)) & candidates
            context = mask((a.ctx, k)) & candidates & ~own
            typed = mask((a.exact, token.exact))
            if strict:  # typed with accents: "gà" must not find "ga"
                own &= typed
                context &= typed
            factor = 1.0 if strict or english else np.where(typed, 1.0, FOLDED_ONLY)
            score += np.where(own, weights[p] * factor, np.where(context, weights[p] * CONTEXT_WEIGHT * factor, 0.0))
            found[p] = own | context
        bonus = np.zeros(size, dtype=np.int64)
        for pair in pairs:
            bonus += mask((a.pairs, pair))
        final = score / total + ADJACENT_BONUS * bonus
        keep = np.flatnonzero(found[head] & (final >= min_score))
        capped = np.minimum(final[keep], 1.2)
        if keep.size > limit:
            # only documents that can reach the first ``limit`` get a DocHit: rounding to 4 places moves a
            # score by 0.5e-4 at most, so one 1e-4 below the limit-th best never ranks above it
            near = capped >= np.partition(capped, keep.size - limit)[keep.size - limit] - 1e-4
            keep, capped = keep[near], capped[near]
        words = list(keys)
        flags = list(zip(*(found[p][keep].tolist() for p in words), strict=True))  # per document: words held
        held = {fl: frozenset(p for p, has in zip(words, fl, strict=True) if has) for fl in set(flags)}
        hits = [
            DocHit(a.docs[i], round(f, 4), held[fl])
            for i, f, fl in zip(keep.tolist(), capped.tolist(), flags, strict=True)
        ]
        hits.sort(key=lambda h: (-h.score, str(h.doc)))
        return hits[:limit]
