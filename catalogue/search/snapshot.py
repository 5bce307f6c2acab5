"""A numpy view of one index generation: columns, field lengths and posting lists.

Why: Whoosh walks posting lists one document at a time in Python, so a query on
a common word ("quốc gia" matches half the catalogue) cost 100–400 ms at 50,000
records.  A :class:`Snapshot` reads each posting list once into numpy arrays
(document numbers and term frequencies) and keeps it; queries then combine whole
arrays, and their cost no longer grows with the number of matches.

Contracts:

* A snapshot belongs to one Whoosh searcher (one generation and its segments);
  build a new one when the searcher changes.  It never writes.
* Built with the ``previous`` snapshot, it reuses the arrays of every segment the
  two share (:mod:`catalogue.search.segments`) and reads only the new segments
  and the deletions: one edited record costs a small segment, not the catalogue.
* :meth:`postings` returns ``(docnums, tf)``, deleted documents excluded.
* :meth:`bm25` gives Whoosh's own BM25F score (same idf, same lossy field lengths,
  B=0.75, K1=1.2), so rankings match what Whoosh's collector would produce.
* Posting lists of title terms frequent enough to be slow are loaded with their
  segment; others are loaded on first use and kept in a bounded LRU.
* Built from ``previous`` by a small edit, it starts with the cached results and
  understandings the edit cannot change (:mod:`catalogue.search.carry`); every
  read of postings, frequencies and typo candidates is noted for that.
* :attr:`identity` names what the snapshot reads (commit, segments, live
  documents): two processes' snapshots with one identity answer alike, so what
  one made from its snapshot may be served from the other's.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from typing import Any

import numpy as np

from catalogue.search import carry
from catalogue.search.lru import Lru
from catalogue.search.segments import (
    FACET_COLUMNS,
    SCORED_FIELDS,
    SegmentArrays,
    deletions,
    doc_frequency,
    segment_key,
)

__all__ = ["IndexVocabulary", "Snapshot"]

B, K1 = 0.75, 1.2
CACHE_WORDS = 200_000  # vocabulary look-ups kept per snapshot
# columns whose codes only group documents (the editions of one number): their labels need no order, so a
# successor extends its predecessor's table instead of sorting every label of the catalogue again
GROUP_COLUMNS = frozenset({"edition"})
RESULTS = 2048  # search results kept per snapshot (a page costs ~1 ms to compute, µs to copy)
RENDERED = 1024  # response bodies kept per snapshot (~4 KB of JSON, ~10 KB of HTML each)
_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


class Snapshot:
    """Arrays describing one generation; safe to read from several threads."""

    def __init__(
        self,
        searcher: Any,
        previous: Snapshot | None = None,
        cache_terms: int = 20_000,
        preload_fraction: float = 0.002,
    ) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        known = previous.segments if previous is not None else {}
        #: (arrays, reader, offset) of each segment, in document-number order
        self.leaves: list[tuple[SegmentArrays, Any, int]] = []
        for leaf, offset in reader.leaf_readers():
            arrays = known.get(segment_key(leaf)) or SegmentArrays(leaf, cache_terms, preload_fraction)
            self.leaves.append((arrays, leaf, offset))
        self.segments = {arrays.key: arrays for arrays, _, _ in self.leaves}
        #: what this snapshot reads, the same in every process that opens it: the commit (Whoosh's TOC
        #: generation), then each segment and how many of its documents are alive
        self.identity = hashlib.sha256(
            repr((reader.generation(), [(arrays.key, leaf.doc_count()) for arrays, leaf, _ in self.leaves])).encode()
        ).hexdigest()[:32]
        self._offsets = [offset for _, _, offset in self.leaves]
        self.size = reader.doc_count_all()
        self.doc_count = searcher.doc_count()
        self.alive = np.ones(self.size, dtype=bool)
        for arrays, leaf, offset in self.leaves:
            gone = arrays.deleted(leaf)
            if gone:
                self.alive[np.asarray(gone, dtype=np.int64) + offset] = False
        self.labels: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        #: per group column, the label → code table and each segment's codes in it (reused by the successor)
        self._groups: dict[str, tuple[dict[str, int], dict[tuple[str, int], np.ndarray]]] = {}
        for name in FACET_COLUMNS:
            if name in GROUP_COLUMNS:
                self.labels[name], self.codes[name] = self._grouped(name, previous)
                continue
            labels = sorted({v for arrays, _, _ in self.leaves for v in arrays.labels[name]})
            index = {v: i for i, v in enumerate(labels)}
            self.labels[name] = labels
            self.codes[name] = self._concat(
                [
                    np.array([index[v] for v in arrays.labels[name]], dtype=np.int32)[arrays.codes[name]]
                    for arrays, _, _ in self.leaves
                ],
                np.int32,
            )
        self.replaced = self.codes["replaced"] == (
            self.labels["replaced"].index("yes") if "yes" in self.labels["replaced"] else -1
        )
        self.year = self._concat([arrays.year for arrays, _, _ in self.leaves], np.int32)
        self.ics_fields = sorted({c for arrays, _, _ in self.leaves for c in arrays.ics_fields})
        # one (document, ICS field) pair per entry: facet counts are one gather and one bincount,
        # whose cost follows the pairs (about one per record), not fields × records as a dense matrix's
        row = {c: i for i, c in enumerate(self.ics_fields)}
        docs, codes = [], []
        for arrays, _, offset in self.leaves:
            if arrays.ics_fields:
                rows, cols = np.nonzero(arrays.ics_rows)
                docs.append(cols + offset)
                codes.append(np.array([row[c] for c in arrays.ics_fields], dtype=np.int32)[rows])
        self.ics_doc = self._concat(docs, np.int32)  #: document number of each pair
        self.ics_code = self._concat(codes, np.int32)  #: index into :attr:`ics_fields` of each pair
        self.lengths = {
            f: self._concat([arrays.lengths[f] for arrays, _, _ in self.leaves], np.float32) for f in SCORED_FIELDS
        }
        self.avg_length = {f: max(searcher.avg_field_length(f), 1e-9) for f in SCORED_FIELDS}
        self._cache = Lru(cache_terms)  # (field, term) -> (docnums, tf)
        self._scores = Lru(cache_terms)  # (field, term) -> (docnums, BM25 scores)
        self._tables: dict[Any, np.ndarray] = {}  # per-code tables over group labels (a handful)
        #: whole search results, by request, each with its :class:`~catalogue.search.carry.Reads`: a
        #: snapshot never changes, so neither do they
        self.results = Lru(RESULTS)
        #: query understandings (pure given the vocabulary; never modified), by query text, with their reads
        self.understood = Lru(RESULTS)
        #: response bodies made over this snapshot, by the caller's key (the web layer's JSON and HTML):
        #: dropped with the snapshot, so never served once a newer generation is
        self.rendered = Lru(RENDERED)
        # the helpers get the leaves, not the snapshot: no reference cycle, so a snapshot swapped out is freed,
        # caches and all, as soon as its last query ends (by reference counting, not by a full collection)
        self.spelling = Spelling(self.leaves)
        self.vocabulary = IndexVocabulary(self.leaves, self.spelling)
        #: how many cached entries came from ``previous`` (:func:`catalogue.search.carry.carry`)
        self.carried = carry.carry(previous, self) if previous is not None else 0

    def _grouped(self, name: str, previous: Snapshot | None) -> tuple[list[str], np.ndarray]:
        """Labels and codes of a group column, extending the previous snapshot's table: a segment both hold
        keeps its codes, and only the new segments' labels are looked at (not the catalogue's 50,000)."""
        kept = previous._groups.get(name) if previous is not None else None
        held = sum(len(arrays.labels[name]) for arrays, _, _ in self.leaves)
        if kept is None or len(kept[0]) > 2 * held + 1000:  # start afresh when gone labels pile up
            kept = ({}, {})
        index, known = dict(kept[0]), kept[1]
        mine: dict[tuple[str, int], np.ndarray] = {}
        for arrays, _, _ in self.leaves:
            codes = known.get(arrays.key)
            if codes is None:
                table = np.array([index.setdefault(v, len(index)) for v in arrays.labels[name]], dtype=np.int32)
                codes = table[arrays.codes[name]]
            mine[arrays.key] = codes
        self._groups[name] = (index, mine)
        return list(index), self._concat([mine[arrays.key] for arrays, _, _ in self.leaves], np.int32)

    @staticmethod
    def _concat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)

    # -- posting lists -----------------------------------------------------------
    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and term frequencies of ``term`` in ``field``."""
        key = (field, term)
        carry.note(("p", field, term))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        parts = [
            (docnums + offset if offset else docnums, tf)
            for arrays, leaf, offset in self.leaves
            for docnums, tf in [arrays.postings(leaf, field, term)]
            if docnums.size
        ]
        if not parts:
            value = _EMPTY
        else:
            docnums = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
            tf = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
            keep = self.alive[docnums]
            value = (docnums[keep], tf[keep]) if not keep.all() else (docnums, tf)
        self._cache.put(key, value)
        return value

    def docs(self, field: str, term: str) -> np.ndarray:
        return self.postings(field, term)[0]

    def bm25(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """``(docnums, scores)`` for one term, scored as Whoosh's BM25F would (kept, like postings)."""
        key = (field, term)
        carry.note(("p", field, term))
        hit = self._scores.get(key)
        if hit is not None:
            return hit
        docnums, tf = self.postings(field, term)
        if docnums.size == 0:
            return docnums, tf
        # Whoosh's idf (``WeightingModel.idf``), from the segments' kept counts: a new snapshot asks
        # Whoosh only about its new segments
        idf = math.log(self.searcher.doc_count_all() / (doc_frequency(self.leaves, field, term) + 1)) + 1
        norm = K1 * ((1 - B) + B * self.lengths[field][docnums] / self.avg_length[field])
        value = (docnums, (idf * (tf * (K1 + 1)) / (tf + norm)).astype(np.float32))
        self._scores.put(key, value)
        return value

    # -- columns -----------------------------------------------------------------
    def mask(self, column: str, value: str) -> np.ndarray:
        labels = self.labels[column]
        if value not in labels:
            return np.zeros(self.size, dtype=bool)
        return self.codes[column] == labels.index(value)

    def label_array(self, column: str) -> np.ndarray:
        """The labels of a group column as an object array, indexed by code (made once per snapshot)."""
        key = ("labels", column)
        hit = self._tables.get(key)
        if hit is None:
            hit = self._tables.setdefault(key, np.array(self.labels[column], dtype=object))
        return hit

    def label_in(self, column: str, values: frozenset[str]) -> np.ndarray:
        """Per code of a group column, whether its label is one of ``values`` (made once per snapshot)."""
        key = (column, values)
        hit = self._tables.get(key)
        if hit is None:
            table = np.array([label in values for label in self.labels[column]], dtype=bool)
            hit = self._tables.setdefault(key, table)
        return hit

    def stored(self, docnum: int) -> dict[str, Any]:
        """The stored fields of ``docnum``, kept by its segment (:meth:`SegmentArrays.stored`: shared by the
        snapshots holding it; callers must not modify them)."""
        arrays, leaf, offset = self.leaves[bisect.bisect_right(self._offsets, docnum) - 1]
        return arrays.stored(leaf, docnum - offset)


class Spelling:
    """Folded title word -> ``(document frequency, its most frequent accented spelling)``, for "did you mean".

    A mapping with :meth:`get` only, answered on demand from the segments' spellings
    and the generation's frequencies (ties: the first spelling in term order).
    """

    def __init__(self, leaves: list[tuple[SegmentArrays, Any, int]]) -> None:
        self._leaves = leaves

    def get(self, folded: str, default: Any = None) -> Any:
        carry.note(("f", "title_f", folded))  # a title word folding to ``folded`` holds it in title_f
        words = {w for arrays, leaf, _ in self._leaves for w in arrays.spellings(leaf).get(folded, ())}
        best: tuple[int, str] | None = None
        for word in sorted(words):
            n = doc_frequency(self._leaves, "title", word)
            if n > (best[0] if best else 0):
                best = (n, word)
        return best if best is not None else default


class IndexVocabulary:
    """The :class:`~catalogue.search.understand.Vocabulary` of one snapshot.

    Frequencies come from Whoosh's term dictionary; typo candidates from a
    deletion index per segment (every word with one letter removed, SymSpell-style)
    built on first use and shared by the snapshots holding the segment, so a
    look-up costs a few dictionary probes whatever the vocabulary size.
    """

    def __init__(self, leaves: list[tuple[SegmentArrays, Any, int]], spelling: Spelling) -> None:
        self._leaves = leaves
        self._spelling = spelling
        self._frequencies: dict[str, int] = {}  # words and "left_right" pairs; a snapshot never changes
        self._stems: dict[str, str | None] = {}  # English word -> its one stem (None: not one)
        from indexer.analysis import english_analyzer, terms  # the index's own English chain

        self._english = english_analyzer()
        self._terms = terms

    def frequency(self, folded: str) -> int:
        carry.note(("f", "title_f", folded))
        carry.note(("f", "body_f", folded))
        hit = self._frequencies.get(folded)
        if hit is None:
            hit = max(doc_frequency(self._leaves, "title_f", folded), doc_frequency(self._leaves, "body_f", folded))
            if len(self._frequencies) < CACHE_WORDS:
                self._frequencies[folded] = hit
        return hit

    def english_frequency(self, word: str) -> int:
        stem = self._stems.get(word, "")
        if stem == "":
            stems = self._terms(self._english, word)
            stem = stems[0] if len(stems) == 1 else None
            if len(self._stems) < CACHE_WORDS:
                self._stems[word] = stem
        if stem is None:
            return 0
        carry.note(("f", "title_en", stem))
        key = f"en {stem}"  # a space: no folded word or bigram holds one
        hit = self._frequencies.get(key)
        if hit is None:
            hit = doc_frequency(self._leaves, "title_en", stem)
            if len(self._frequencies) < CACHE_WORDS:
                self._frequencies[key] = hit
        return hit

    def phrase_frequency(self, left: str, right: str) -> int:
        key = f"{left}_{right}"
        carry.note(("f", "title_bi", key))
        hit = self._frequencies.get(key)
        if hit is None:
            hit = doc_frequency(self._leaves, "title_bi", key)
            if len(self._frequencies) < CACHE_WORDS:
                self._frequencies[key] = hit
        return hit

    def spelling(self, folded: str) -> str | None:
        hit = self._spelling.get(folded)
        return hit[1] if hit else None

    def near(self, folded: str) -> list[str]:
        variants = deletions(folded)
        carry.note(("near", folded))
        for variant in variants:
            carry.note(("near", variant))
        found: set[str] = set(variants)  # the typed word may have one letter too many
        for arrays, leaf, _ in self._leaves:
            index = arrays.deletion_index(leaf)
            found.update(index.get(folded, ()))
            for variant in variants:
                if variant in index:
                    found.update(index[variant])
        found.discard(folded)
        known = [(w, self.frequency(w)) for w in found]
        return [w for w, n in sorted(known, key=lambda x: (-x[1], x[0])) if n > 0]
