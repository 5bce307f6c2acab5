"""A numpy view of one index generation: columns, field lengths and posting lists.

Why: Whoosh walks posting lists one document at a time in Python, so a query on
a common word ("quốc gia" matches half the catalogue) cost 100–400 ms at 50,000
records.  A :class:`Snapshot` reads each posting list once into numpy arrays
(document numbers and term frequencies) and keeps it; queries then combine whole
arrays, and their cost no longer grows with the number of matches.

Contracts:

* A snapshot belongs to one Whoosh searcher (one generation and its segments);
  build a new one when the searcher changes.  It never writes.
* :meth:`postings` returns ``(docnums, tf)``, deleted documents excluded.
* :meth:`bm25` gives Whoosh's own BM25F score (same idf, same lossy field lengths,
  B=0.75, K1=1.2), so rankings match what Whoosh's collector would produce.
* Posting lists of title terms frequent enough to be slow are loaded at
  construction; others are loaded on first use and kept in a bounded LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from catalogue.text import fold

__all__ = ["IndexVocabulary", "Snapshot"]

B, K1 = 0.75, 1.2
SCORED_FIELDS = ("title", "title_f", "title_c", "title_bi", "title_en", "body_f", "body_en")
FACET_COLUMNS = ("kind", "status", "ministry", "decade", "replaced", "edition")
CACHE_WORDS = 200_000  # vocabulary look-ups kept per snapshot
_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


class Snapshot:
    """Arrays describing one generation; safe to read from several threads."""

    def __init__(self, searcher: Any, cache_terms: int = 20_000, preload_fraction: float = 0.002) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.doc_count = searcher.doc_count()
        self.alive = np.ones(self.size, dtype=bool)
        if self.doc_count != self.size:  # MultiReader.has_deletions() misses deletions in sub-readers
            self.alive[:] = False
            self.alive[list(reader.all_doc_ids())] = True
        self.codes: dict[str, np.ndarray] = {}
        self.labels: dict[str, list[str]] = {}
        for name in FACET_COLUMNS:
            values = list(reader.column_reader(name))
            labels = sorted(set(values))
            index = {v: i for i, v in enumerate(labels)}
            self.labels[name] = labels
            self.codes[name] = np.fromiter((index[v] for v in values), dtype=np.int32, count=self.size)
        self.replaced = self.codes["replaced"] == (
            self.labels["replaced"].index("yes") if "yes" in self.labels["replaced"] else -1
        )
        self.year = np.fromiter(reader.column_reader("year"), dtype=np.int32, count=self.size)
        self.ics_masks: dict[str, np.ndarray] = {}
        for docnum, value in enumerate(reader.column_reader("ics_fields")):
            for code in filter(None, value.split(",")):
                self.ics_masks.setdefault(code, np.zeros(self.size, dtype=bool))[docnum] = True
        self.ics_fields = sorted(self.ics_masks)
        # one row per ICS field: facet counts are a single matrix-vector product
        self.ics_matrix = (
            np.vstack([self.ics_masks[c] for c in self.ics_fields]).astype(np.float32)
            if self.ics_fields
            else np.zeros((0, self.size), dtype=np.float32)
        )
        self.lengths = {
            f: np.fromiter((reader.doc_field_length(d, f) for d in range(self.size)), dtype=np.float32, count=self.size)
            for f in SCORED_FIELDS
        }
        self.avg_length = {f: max(searcher.avg_field_length(f), 1e-9) for f in SCORED_FIELDS}
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_terms = cache_terms
        self._scores: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()
        # folded word -> its most frequent accented spelling, for "did you mean"
        self.spelling: dict[str, tuple[int, str]] = {}
        for term, info in reader.iter_field("title"):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            folded = fold(word)
            if info.doc_frequency() > self.spelling.get(folded, (0, ""))[0]:
                self.spelling[folded] = (info.doc_frequency(), word)
        self.vocabulary = IndexVocabulary(self)
        threshold = max(64, int(self.size * preload_fraction))
        for field in ("title_f", "title_en"):
            for term, info in reader.iter_field(field):
                if info.doc_frequency() >= threshold:
                    self.postings(field, term.decode("utf-8") if isinstance(term, bytes) else term)

    # -- posting lists -----------------------------------------------------------
    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and term frequencies of ``term`` in ``field``."""
        key = (field, term)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        reader = self.searcher.reader()
        if (field, term) not in reader:
            return _EMPTY
        matcher = reader.postings(field, term)
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        docnums = np.array(ids, dtype=np.int32)
        tf = np.array(weights, dtype=np.float32)
        keep = self.alive[docnums]
        value = (docnums[keep], tf[keep]) if not keep.all() else (docnums, tf)
        with self._lock:
            self._cache[key] = value
            if len(self._cache) > self._cache_terms:
                self._cache.popitem(last=False)
        return value

    def docs(self, field: str, term: str) -> np.ndarray:
        return self.postings(field, term)[0]

    def bm25(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """``(docnums, scores)`` for one term, scored as Whoosh's BM25F would (kept, like postings)."""
        key = (field, term)
        with self._lock:
            hit = self._scores.get(key)
        if hit is not None:
            return hit
        docnums, tf = self.postings(field, term)
        if docnums.size == 0:
            return docnums, tf
        idf = self.searcher.idf(field, term)
        norm = K1 * ((1 - B) + B * self.lengths[field][docnums] / self.avg_length[field])
        value = (docnums, (idf * (tf * (K1 + 1)) / (tf + norm)).astype(np.float32))
        with self._lock:
            self._scores[key] = value
            if len(self._scores) > self._cache_terms:
                self._scores.popitem(last=False)
        return value

    # -- columns -----------------------------------------------------------------
    def mask(self, column: str, value: str) -> np.ndarray:
        labels = self.labels[column]
        if value not in labels:
            return np.zeros(self.size, dtype=bool)
        return self.codes[column] == labels.index(value)

    def stored(self, docnum: int) -> dict[str, Any]:
        return self.searcher.stored_fields(docnum)


class IndexVocabulary:
    """The :class:`~catalogue.search.understand.Vocabulary` of one snapshot.

    Frequencies come from Whoosh's term dictionary; typo candidates from a
    deletion index (every word with one letter removed, SymSpell-style) built on
    first use, so a look-up costs a few dictionary probes whatever the vocabulary size.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self._reader = snapshot.searcher.reader()
        self._spelling = snapshot.spelling
        self._deletions: dict[str, list[str]] | None = None
        self._frequencies: dict[str, int] = {}  # words and "left_right" pairs; a snapshot never changes
        self._lock = threading.Lock()
        from indexer.analysis import english_analyzer, terms  # the index's own English chain

        self._english = english_analyzer()
        self._terms = terms

    def frequency(self, folded: str) -> int:
        hit = self._frequencies.get(folded)
        if hit is None:
            r = self._reader
            hit = max(r.doc_frequency("title_f", folded), r.doc_frequency("body_f", folded))
            if len(self._frequencies) < CACHE_WORDS:
                self._frequencies[folded] = hit
        return hit

    def english_frequency(self, word: str) -> int:
        stems = self._terms(self._english, word)
        return self._reader.doc_frequency("title_en", stems[0]) if len(stems) == 1 else 0

    def phrase_frequency(self, left: str, right: str) -> int:
        key = f"{left}_{right}"
        hit = self._frequencies.get(key)
        if hit is None:
            hit = self._reader.doc_frequency("title_bi", key)
            if len(self._frequencies) < CACHE_WORDS:
                self._frequencies[key] = hit
        return hit

    def spelling(self, folded: str) -> str | None:
        hit = self._spelling.get(folded)
        return hit[1] if hit else None

    def near(self, folded: str) -> list[str]:
        index = self._deletion_index()
        found: set[str] = set(index.get(folded, ()))
        for variant in _deletions(folded):
            if variant in index:
                found.update(index[variant])
            found.add(variant)  # the typed word has one letter too many
        found.discard(folded)
        known = [(w, self.frequency(w)) for w in found]
        return [w for w, n in sorted(known, key=lambda x: (-x[1], x[0])) if n > 0]

    def _deletion_index(self) -> dict[str, list[str]]:
        with self._lock:
            if self._deletions is None:
                index: dict[str, list[str]] = {}
                for field in ("title_f", "body_f"):
                    for term in self._reader.lexicon(field):
                        word = term.decode("utf-8") if isinstance(term, bytes) else term
                        if len(word) < 3 or word.isdigit():
                            continue
                        for variant in _deletions(word):
                            index.setdefault(variant, []).append(word)
                self._deletions = index
            return self._deletions


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
