"""The arrays of one Whoosh segment, read once and shared by every snapshot that holds it.

Why: a Whoosh segment never changes once written; only its deletions do (they
belong to the generation's table of contents, not to the segment files).  An edit
adds a small segment and deletes one document of a large one, so a new
:class:`~catalogue.search.snapshot.Snapshot` can reuse the large segment's arrays
and read only the small one: the cost of a change follows the change, not the
catalogue.

Contracts:

* :class:`SegmentArrays` holds *segment-local* document numbers, deleted
  documents included; the snapshot offsets them and applies its own deletions.
* Every method that reads the index takes the reader to read from: any open
  reader of the same segment will do (the reader it was built from may belong to
  a searcher that has since been closed).
* Posting lists are kept in a bounded LRU; everything else is read at
  construction or on first use, then kept.  Thread-safe: Whoosh's posting
  reader seeks a shared file, so reads from the segment's files take turns
  (concurrent reads corrupted one another: "Block tag error", zlib errors).
* :func:`segment_key` identifies a segment's content; two readers with the same
  key read the same files.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.fields import NUMERIC
from whoosh.util.numeric import byte_to_length

from catalogue.search.lru import Lru
from catalogue.text import fold

__all__ = ["FACET_COLUMNS", "SCORED_FIELDS", "SegmentArrays", "doc_frequency", "read_postings", "segment_key"]

SCORED_FIELDS = ("title", "title_f", "title_c", "title_bi", "title_en", "body_f", "body_en")
FACET_COLUMNS = ("kind", "status", "ministry", "decade", "replaced", "edition")
# a length byte -> the lossy length Whoosh's doc_field_length returns (byte 0: None, which numpy reads as NaN)
_LENGTHS = np.array([np.nan] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float32)
_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
FREQUENCIES = 200_000  # document frequencies kept per segment
STORED_DOCS = 5000  # stored fields kept per segment (unpickling them costs ~70 µs a hit)
# a segment this small (a save's) keeps its whole term list: a term it lacks costs a set test, not a
# look-up in Whoosh's term table (~15 µs), and a query asks every segment for every term
TERM_SET_BELOW = 1000


def segment_key(reader: Any) -> tuple[str, int]:
    """``(segment id, documents)`` of a segment reader: equal keys, equal files."""
    return reader.segment().segment_id(), reader.doc_count_all()


def _text(term: Any) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def read_postings(reader: Any, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """``(docnums, weights)`` of one term in one reader, deleted documents included.

    Reads Whoosh's posting blocks whole (128 postings at a time) rather than
    walking the matcher one posting at a time.
    """
    if (field, term) not in reader:
        return _EMPTY
    matcher = reader.postings(field, term)
    if isinstance(matcher, W3LeafMatcher):
        ids, weights = [], []
        while matcher.is_active():
            matcher._read_data()
            deltas, w, n = matcher._data[0], matcher._data[1], matcher._blocklength
            ids.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
            if w is None:
                weights.append(np.ones(n, dtype=np.float32))
            elif isinstance(w, float):
                weights.append(np.full(n, w, dtype=np.float32))
            else:
                weights.append(np.asarray(w, dtype=np.float32))
            matcher._next_block()
        return np.concatenate(ids).astype(np.int32), np.concatenate(weights)
    docs, tfs = [], []  # an inlined posting list: one or a few postings
    while matcher.is_active():
        docs.append(matcher.id())
        tfs.append(matcher.weight())
        matcher.next()
    return np.array(docs, dtype=np.int32), np.array(tfs, dtype=np.float32)


class SegmentArrays:
    """Columns, field lengths, ICS fields and cached posting lists of one segment."""

    def __init__(self, reader: Any, cache_terms: int = 20_000, preload_fraction: float = 0.002) -> None:
        self.key = segment_key(reader)
        self.size = reader.doc_count_all()
        self.labels: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        for name in FACET_COLUMNS:
            values = list(reader.column_reader(name, translate=False))  # bytes: decoded once per distinct value
            text = {v: reader.schema[name].from_column_value(v) for v in set(values)}
            labels = sorted(set(text.values()))
            position = {t: i for i, t in enumerate(labels)}
            index = {v: position[t] for v, t in text.items()}
            self.labels[name] = labels
            self.codes[name] = np.fromiter((index[v] for v in values), dtype=np.int32, count=self.size)
        self.year = np.fromiter(reader.column_reader("year"), dtype=np.int32, count=self.size)
        rows: dict[str, list[int]] = {}
        ics_field = reader.schema["ics_fields"]
        for docnum, value in enumerate(reader.column_reader("ics_fields", translate=False)):
            for code in filter(None, ics_field.from_column_value(value).split(",")) if value else ():
                rows.setdefault(code, []).append(docnum)
        self.ics_fields = sorted(rows)
        self.ics_rows = np.zeros((len(self.ics_fields), self.size), dtype=bool)
        for i, code in enumerate(self.ics_fields):
            self.ics_rows[i, rows[code]] = True
        self.lengths = {f: self._lengths(reader, f) for f in SCORED_FIELDS}
        self._cache = Lru(cache_terms)  # (field, term) -> (docnums, tf)
        self._lock = threading.Lock()  # spellings and deletions, built once
        self._reading = threading.Lock()  # the segment's files
        self._spelling: dict[str, tuple[str, ...]] | None = None
        self._deletions: dict[str, tuple[str, ...]] | None = None
        self._frequencies: dict[tuple[str, str], int] = {}
        self._terms: frozenset[tuple[str, str]] | None = None
        if self.size < TERM_SET_BELOW:
            textual = {name for name, f in reader.schema.items() if not isinstance(f, NUMERIC)}
            self._terms = frozenset((name, _text(t)) for name, t in reader.all_terms() if name in textual)
        self._stored = Lru(STORED_DOCS)  # local docnum -> stored fields
        threshold = max(64, int(self.size * preload_fraction))
        for field in ("title_f", "title_en"):  # the slow, frequent title words, loaded now
            for term, info in reader.iter_field(field):
                if info.doc_frequency() >= threshold:
                    self.postings(reader, field, _text(term))

    def _lengths(self, reader: Any, field: str) -> np.ndarray:
        """Whoosh's lossy field lengths of every document, read as one byte string."""
        perdoc = reader._perdoc
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:  # no document has the field: Whoosh answers its default, 0
            return np.zeros(self.size, dtype=np.float32)
        raw = np.zeros(self.size, dtype=np.uint8)
        stored = min(column._count, self.size)
        raw[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
        return _LENGTHS[raw]

    @property
    def terms(self) -> frozenset[tuple[str, str]] | None:
        """Every ``(field, term)`` of a small segment (below :data:`TERM_SET_BELOW` documents, numeric fields
        aside); ``None`` for a larger one."""
        return self._terms

    @staticmethod
    def deleted(reader: Any) -> list[int]:
        """Local numbers of the documents ``reader``'s generation deletes."""
        segment = reader.segment()
        return list(segment.deleted_docs()) if segment.has_deletions() else []

    def postings(self, reader: Any, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, term)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if self._terms is not None and key not in self._terms:
            return _EMPTY
        with self._reading:
            value = read_postings(reader, field, term)
        self._cache.put(key, value)
        return value

    def doc_frequency(self, reader: Any, field: str, term: str) -> int:
        """How many of this segment's documents hold ``term`` in ``field``, deleted ones included (as
        Whoosh counts); kept, so a snapshot sharing the segment asks Whoosh only about its new ones."""
        key = (field, term)
        hit = self._frequencies.get(key)
        if hit is None:
            hit = reader.doc_frequency(field, term) if self._terms is None or (field, term) in self._terms else 0
            if len(self._frequencies) < FREQUENCIES:
                self._frequencies[key] = hit
        return hit

    def stored(self, reader: Any, local: int) -> dict[str, Any]:
        """The stored fields of document ``local`` of this segment, kept in a bounded LRU shared by the
        snapshots holding the segment (callers must not modify them; lists come as tuples, which the
        garbage collector stops tracking)."""
        hit = self._stored.get(local)
        if hit is None:
            hit = {k: tuple(v) if type(v) is list else v for k, v in reader.stored_fields(local).items()}
            self._stored.put(local, hit)
        return hit

    def spellings(self, reader: Any) -> dict[str, tuple[str, ...]]:
        """Folded title word -> its accented spellings in this segment (built on first use)."""
        with self._lock, self._reading:
            if self._spelling is None:
                spelling: dict[str, list[str]] = {}
                for term in reader.lexicon("title"):
                    word = _text(term)
                    spelling.setdefault(fold(word), []).append(word)
                self._spelling = _untracked(spelling)
            return self._spelling

    def deletion_index(self, reader: Any) -> dict[str, tuple[str, ...]]:
        """Every folded word with one letter removed -> the words it came from (SymSpell-style)."""
        with self._lock, self._reading:
            if self._deletions is None:
                index: dict[str, list[str]] = {}
                for field in ("title_f", "body_f"):
                    for term in reader.lexicon(field):
                        word = _text(term)
                        if len(word) < 3 or word.isdigit():
                            continue
                        for variant in deletions(word):
                            index.setdefault(variant, []).append(word)
                self._deletions = _untracked(index)
            return self._deletions


def _untracked(index: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """``index`` with tuples for lists: tuples of strings (and then the dict) drop out of the garbage
    collector's passes, where thousands of lists, kept for the process's life, cost every full collection."""
    return {k: tuple(v) for k, v in index.items()}


def deletions(word: str) -> set[str]:
    """``word`` with each one of its letters removed."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def doc_frequency(leaves: list[tuple[SegmentArrays, Any, int]], field: str, term: str) -> int:
    """Whoosh's ``doc_frequency`` over ``(arrays, reader, offset)`` leaves: the sum of theirs (deleted
    documents included, as Whoosh counts), each from its segment's kept counts."""
    return sum(arrays.doc_frequency(leaf, field, term) for arrays, leaf, _ in leaves)
