"""Search results carried from one snapshot to the next when an edit cannot change them.

Why: each save makes a new snapshot, whose result cache used to start empty.  Under
ten saves a second every query was computed again, so the saving scenario of the
load bench ran at the uncached rate.  A search records the index keys it reads and
the documents it matched (:func:`recording`, :func:`note`, :func:`note_matched`); a
snapshot made from its predecessor by a small edit keeps each cached entry the edit
did not touch (:func:`carry`).

Keys (tuples):

* ``("p", field, term)``: a posting list was read (the documents holding ``term``);
* ``("f", field, term)``: only its document frequency was read;
* ``("near", word)``: the typo candidates one deletion from ``word`` were looked up.

Contracts:

* An edit is small when the segments it adds hold at most :data:`CARRY_DOCS`
  documents and every segment it adds or merges away (replaces) keeps its term set
  (:data:`~catalogue.search.segments.TERM_SET_BELOW`).  Anything else carries nothing.
* The segments added and replaced touch ``("p" | "f", field, term)`` for each of
  their terms, and ``("near", w)`` and ``("near", d)`` for each folded word ``w`` and
  each of its one-letter deletions ``d``: so a merged segment's documents, and the
  deleted ones a merge purges from the frequencies, count as edited.
* A document deleted from a kept segment changes no frequency or typo candidate
  (Whoosh counts deleted documents until a merge), only the answers that matched
  it; documents of a kept segment whose place (offset) moved count as deleted, so
  a carried entry's document numbers stay true.
* An entry is kept when its keys and the edit's are disjoint, none of the documents
  it matched (the search's and its suggestion's) was deleted, it read no
  whole-collection set (:func:`note_everything`) and it is younger than
  :data:`CARRY_SECONDS`.  An entry matching more than :data:`MATCHED_MAX`
  documents is kept only across edits that delete nothing.
* A carried entry is the previous snapshot's answer.  The edit touched none of the
  documents it matched or the words it looked up, so its documents, counts and
  facets are the new snapshot's too; only its order may differ, through the
  collection statistics the edit moved (document count, average field lengths in
  BM25), and :data:`CARRY_SECONDS` bounds for how long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from catalogue.search.lru import Lru
from catalogue.search.segments import deletions

__all__ = [
    "CARRY_DOCS",
    "CARRY_SECONDS",
    "Reads",
    "carry",
    "edit_keys",
    "note",
    "note_everything",
    "note_matched",
    "note_reads",
    "recording",
    "sealed",
]

CARRY_DOCS = 1000  # added segments holding more documents than this carry nothing (a bulk import, a big merge)
CARRY_SECONDS = 60.0  # an entry is computed afresh at least this often, however many edits it outlives
MATCHED_MAX = 4096  # matched documents kept per entry (16 KB); a broader entry survives additions only
NEAR_FIELDS = ("title_f", "body_f")  # the fields of the typo-candidate index (SegmentArrays.deletion_index)

_local = threading.local()
_NONE = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True)
class Reads:
    """What one cached computation read and matched, and when it was made.

    ``matched``: the document numbers it matched, ascending (``None``: more than
    :data:`MATCHED_MAX`)."""

    keys: frozenset[tuple[str, ...]]
    everything: bool
    born: float
    matched: np.ndarray | None


class _Recorder:
    __slots__ = ("everything", "keys", "matched")

    def __init__(self) -> None:
        self.keys: set[tuple[str, ...]] = set()
        self.everything = False
        self.matched: list[np.ndarray | None] = []


@contextmanager
def recording() -> Iterator[_Recorder]:
    """Record what this thread notes inside the block; an enclosing recording gets it too."""
    outer = getattr(_local, "recorder", None)
    recorder = _Recorder()
    _local.recorder = recorder
    try:
        yield recorder
    finally:
        _local.recorder = outer
        if outer is not None:
            outer.keys |= recorder.keys
            outer.everything |= recorder.everything
            outer.matched.extend(recorder.matched)


def sealed(recorder: _Recorder) -> Reads:
    """The recorder's reads, frozen, born now."""
    matched: np.ndarray | None = _NONE
    if any(m is None for m in recorder.matched) or sum(m.size for m in recorder.matched) > MATCHED_MAX:
        matched = None
    elif recorder.matched:
        matched = np.unique(np.concatenate(recorder.matched)).astype(np.int32)
    return Reads(frozenset(recorder.keys), recorder.everything, time.monotonic(), matched)


def note(key: tuple[str, ...]) -> None:
    """Record ``key`` in this thread's recording, if one is open (otherwise nothing: a cheap no-op)."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.keys.add(key)


def note_matched(docnums: np.ndarray) -> None:
    """Record the documents an evaluation matched (ascending document numbers)."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.matched.append(docnums if docnums.size <= MATCHED_MAX else None)


def note_reads(reads: Reads) -> None:
    """Record what a cached computation read, when its value is used in this thread's recording."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.keys |= reads.keys
        recorder.everything |= reads.everything
        if reads.matched is None or reads.matched.size:
            recorder.matched.append(reads.matched)


def note_everything() -> None:
    """Record that the computation read a whole-collection set (browsing every allowed document)."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.everything = True


def edit_keys(terms: Iterable[tuple[str, Any]]) -> set[tuple[str, ...]]:
    """The keys that documents holding ``terms`` (``(field, term)`` pairs of a segment) touch."""
    keys: set[tuple[str, ...]] = set()
    for field, term in terms:
        text = term.decode("utf-8", "surrogateescape") if isinstance(term, bytes) else str(term)
        keys.add(("p", field, text))
        keys.add(("f", field, text))
        if field in NEAR_FIELDS:
            keys.add(("near", text))
            keys.update(("near", d) for d in deletions(text))
    return keys


_SEGMENT_KEYS = Lru(64)  # segment key -> the keys its documents touch (a segment never changes)


def _segment_keys(arrays: Any) -> frozenset[tuple[str, ...]] | None:
    """The keys a small segment's documents touch, from the terms its arrays keep (``None``: not small)."""
    if arrays._terms is None:
        return None
    keys = _SEGMENT_KEYS.get(arrays.key)
    if keys is None:
        keys = frozenset(edit_keys(arrays._terms))
        _SEGMENT_KEYS.put(arrays.key, keys)
    return keys


def _small_edit(previous: Any, snap: Any) -> tuple[set[tuple[str, ...]], np.ndarray | None] | None:
    """(keys the edit touches, a mask over ``previous``'s documents of those deleted or moved, ``None`` when
    there are none) when ``snap`` is ``previous`` plus a small edit; ``None`` otherwise.

    Segments are matched by key, not place: a merge of small segments replaces them by one that holds
    their live documents again, so both count as edited.
    """
    old = {arrays.key: (arrays, leaf, offset) for arrays, leaf, offset in previous.leaves}
    new = {arrays.key: (arrays, leaf, offset) for arrays, leaf, offset in snap.leaves}
    added = [arrays for key, (arrays, _, _) in new.items() if key not in old]
    if sum(arrays.size for arrays in added) > CARRY_DOCS:
        return None
    touched: set[tuple[str, ...]] = set()
    for arrays in added + [arrays for key, (arrays, _, _) in old.items() if key not in new]:
        keys = _segment_keys(arrays)
        if keys is None:
            return None
        touched |= keys
    bad = np.zeros(previous.size, dtype=bool)
    for key, (arrays, _, offset) in old.items():
        span = slice(offset, offset + arrays.size)
        kept = new.get(key)
        if kept is None or kept[2] != offset:  # merged away, or moved: its document numbers are no more
            bad[span] = True
        else:  # kept in place: the documents it deletes now and did not before
            dead = np.zeros(arrays.size, dtype=bool)
            dead[np.asarray(type(arrays).deleted(kept[1]), dtype=np.int64)] = True
            bad[span] |= previous.alive[span] & dead
    return touched, (bad if bad.any() else None)


def carry(previous: Any, snap: Any, now: float | None = None) -> int:
    """Put into ``snap``'s result and understanding caches the entries of ``previous``'s that its edit
    cannot change (see the module's contracts); returns how many."""
    edit = _small_edit(previous, snap)
    if edit is None:
        return 0
    touched, bad = edit
    now = time.monotonic() if now is None else now
    kept = 0
    for name in ("results", "understood"):
        source, target = getattr(previous, name), getattr(snap, name)
        for key, entry in source.items():  # oldest first: the new map keeps their order
            reads = entry[1]
            if reads.everything or now - reads.born > CARRY_SECONDS or not reads.keys.isdisjoint(touched):
                continue
            if bad is not None and (reads.matched is None or bad[reads.matched].any()):
                continue
            target.put(key, entry)
            kept += 1
    return kept
