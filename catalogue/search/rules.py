"""The ranking rules, in order: an explicit list, as Meilisearch's ranking rules are.

Each rule maps the :class:`Evidence` of the matched documents to one sort key
(higher ranks first).  Documents are ordered by the first rule; ties go to the
second, and so on.  :data:`RULES` is the order; every rule's constants sit with
it and every rule has a unit test (``tests/test_search_rules.py``).

1. :class:`NumberRule` — the number typed exactly, then its replacement chain;
   with a "current edition" intent the chain's current edition comes first.
2. :class:`SeriesRule` — every part of a series typed without its part.
3. :class:`EquivalentRule` — the international standard a TCVN adopts.
4. :class:`NamedRule` — how well a record matches the things the lexicon names
   in the query ("thang máy" of "kiểm định thang máy theo quy chuẩn nào").
5. :class:`WordsRule` — how much of the query a record covers (best match, not
   all-or-nothing): the sum of its concepts' importance × coverage.
6. :class:`IntentRule` — what the wording asks for: regulations or standards,
   test methods, the current edition.
7. :class:`AttributeRule` — the same coverage counted in the title alone:
   a title match beats a scope match.
8. :class:`ExactnessRule` — the words as typed (accents included) beat
   synonyms, translations and typo corrections.
9. :class:`StatusRule` — in force, then unknown, then replaced or withdrawn, and
   within a status the newest matched edition: among records that match equally
   well, the one a business can apply first.
10. :class:`RelevanceRule` — BM25F over the matched alternatives, with phrase
   (adjacent words) and pyvi-compound boosts.
11. :class:`NewestRule` — the newest edition.

After the rules, :func:`replacements_first` moves a matched replacement ahead of
the edition it replaced, so an old edition whose text happens to match more of
the words (same title, a longer scope) never stands above the edition in force.

Contract: every rule is a pure function of the evidence; :func:`order` never
reorders documents that all rules tie (numpy's lexsort is stable).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import numpy as np

__all__ = [
    "RULES",
    "AttributeRule",
    "EquivalentRule",
    "Evidence",
    "ExactnessRule",
    "IntentRule",
    "NamedRule",
    "NewestRule",
    "NumberRule",
    "RelevanceRule",
    "Rule",
    "SeriesRule",
    "StatusRule",
    "WordsRule",
    "order",
    "replacements_first",
]


@dataclass
class Evidence:
    """Per-document facts, one array entry per matched document (all the same length)."""

    number: np.ndarray  # 2 exact number, 1 in its replacement chain, 0 neither
    series: np.ndarray  # bool
    equivalent: np.ndarray  # 2 the part adopted, 1 its series, 0 neither
    coverage: np.ndarray  # Σ concept importance × coverage, anywhere
    named: np.ndarray  # the same, over the concepts the lexicon names (:attr:`Concept.named`)
    title_coverage: np.ndarray  # the same, titles only
    exactness: np.ndarray  # Σ concept importance × weight of the best alternative matched
    relevance: np.ndarray  # BM25F sum
    status: np.ndarray  # "active" | "unknown" | "replaced" | "withdrawn" (object array)
    kind: np.ndarray  # "TCVN" | "QCVN"
    year: np.ndarray  # int, 0 unknown
    is_current: np.ndarray  # bool: not replaced, not withdrawn, and the newest matched edition of its standard
    is_method: np.ndarray  # bool: the title names a test method
    intents: set[str] = field(default_factory=set)


class Rule(Protocol):
    """Contract: ``key(evidence)`` returns one number per document; higher ranks first."""

    name: ClassVar[str]

    def key(self, ev: Evidence) -> np.ndarray: ...


class NumberRule:
    """Exact number (2), replacement chain (1); "mới nhất" lifts the chain's current edition (3)."""

    name = "number"
    CURRENT_FIRST = 3

    def key(self, ev: Evidence) -> np.ndarray:
        k = ev.number.astype(np.float32)
        if "current" in ev.intents:
            k = np.where((ev.number > 0) & ev.is_current, self.CURRENT_FIRST, k)
        return k


class SeriesRule:
    name = "series"

    def key(self, ev: Evidence) -> np.ndarray:
        return ev.series.astype(np.float32)


class EquivalentRule:
    name = "equivalent"

    def key(self, ev: Evidence) -> np.ndarray:
        return ev.equivalent.astype(np.float32)


class NamedRule:
    """Coverage of the things the lexicon names ("thang máy", "gạch ống"), in steps of :data:`STEP`.

    In a question the named product is what is asked about; the free words around it
    ("kiểm định", "xây tường", "ngoài chợ") refine, and must not lift a record that
    matches them but not the product above one that matches the product.  Queries
    that name nothing the lexicon knows tie here.
    """

    name = "named"
    STEP = 0.5

    def key(self, ev: Evidence) -> np.ndarray:
        return np.floor(ev.named / self.STEP + 1e-6)


class WordsRule:
    """Coverage, in steps of :data:`STEP`: small differences (a weak word) do not outvote relevance."""

    name = "words"
    STEP = 0.5

    def key(self, ev: Evidence) -> np.ndarray:
        return np.floor(ev.coverage / self.STEP + 1e-6)


class IntentRule:
    """One point for each intent a record satisfies: kind asked for, test method, current edition."""

    name = "intent"

    def key(self, ev: Evidence) -> np.ndarray:
        k = np.zeros(len(ev.kind), dtype=np.float32)
        if "qcvn" in ev.intents and "tcvn" not in ev.intents:
            k += ev.kind == "QCVN"
        if "tcvn" in ev.intents and "qcvn" not in ev.intents:
            k += ev.kind == "TCVN"
        if "method" in ev.intents:
            k += ev.is_method
        if "current" in ev.intents:
            k += ev.is_current
        return k


class AttributeRule:
    """Title coverage, in the same steps as :class:`WordsRule`."""

    name = "attribute"
    STEP = 0.5

    def key(self, ev: Evidence) -> np.ndarray:
        return np.floor(ev.title_coverage / self.STEP + 1e-6)


class ExactnessRule:
    """Words as typed before their expansions; quantised so that BM25 still decides near-ties."""

    name = "exactness"
    STEP = 0.25

    def key(self, ev: Evidence) -> np.ndarray:
        return np.floor(ev.exactness / self.STEP + 1e-6)


class RelevanceRule:
    name = "relevance"

    def key(self, ev: Evidence) -> np.ndarray:
        return np.round(ev.relevance.astype(np.float32), 3)


class StatusRule:
    name = "status"
    RANK: ClassVar[dict[str, int]] = {"active": 3, "unknown": 2, "replaced": 1, "withdrawn": 0}

    LATEST = 0.5  # the newest matched edition of a standard, within its status

    def key(self, ev: Evidence) -> np.ndarray:
        ranks = np.array([self.RANK.get(s, 2) for s in ev.status], dtype=np.float32)
        return ranks + self.LATEST * ev.is_current


class NewestRule:
    name = "newest"

    def key(self, ev: Evidence) -> np.ndarray:
        return ev.year.astype(np.float32)


RULES: tuple[Rule, ...] = (
    NumberRule(),
    SeriesRule(),
    EquivalentRule(),
    NamedRule(),
    WordsRule(),
    IntentRule(),
    AttributeRule(),
    ExactnessRule(),
    StatusRule(),
    RelevanceRule(),
    NewestRule(),
)
NEWEST_FIRST: tuple[Rule, ...] = (NewestRule(), *RULES)  # sort=newest: year decides, relevance breaks ties


def order(ev: Evidence, rules: tuple[Rule, ...] = RULES) -> np.ndarray:
    """Positions of the documents in ranking order (first rule most significant)."""
    if len(ev.year) == 0:
        return np.zeros(0, dtype=np.int64)
    keys = [-rule.key(ev) for rule in reversed(rules)]
    return np.lexsort(keys)


def replacements_first(
    head: list[int], successors: Callable[[int], Iterable[int]], matched: Container[int]
) -> list[int]:
    """``head`` (documents in rank order) with each replaced document's matched successors moved just
    before it, nearest first; every other document keeps its relative order.

    ``successors(doc)`` gives the documents that replaced ``doc`` (any depth); only those in
    ``matched`` move, and a document moves at most once (chains and cycles stay bounded).
    """
    out: list[int] = []
    placed: set[int] = set()
    for doc in head:
        if doc in placed:
            continue
        for newer in successors(doc):
            if newer != doc and newer not in placed and newer in matched:
                out.append(newer)
                placed.add(newer)
        out.append(doc)
        placed.add(doc)
    return out
