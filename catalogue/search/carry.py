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
  it.  Matched documents are kept per segment (its key and local numbers, or a
  bitmap when denser), so a segment that moves (a merge before it) keeps them true.
* An entry is kept when its keys and the edit's are disjoint, none of the documents
  it matched (the search's and its suggestion's) was deleted or merged away, it read
  no whole-collection set (:func:`note_everything`) and it has not reached its
  lifetime: :data:`CARRY_SECONDS` shortened by a random share of at most
  :data:`CARRY_SPREAD`, so entries made together (a warm-up, a swap) are not all
  computed afresh in the same second.
* A carried entry is the previous snapshot's answer.  The edit touched none of the
  documents it matched or the words it looked up, so its documents, counts and
  facets are the new snapshot's too; only its order may differ, through the
  collection statistics the edit moved (document count, average field lengths in
  BM25), and :data:`CARRY_SECONDS` bounds for how long.
"""

from __future__ import annotations

import random
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
    "CARRY_SPREAD",
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
CARRY_SPREAD = 0.5  # each entry's lifetime is CARRY_SECONDS * (1 - up to this): expiries spread, not in step
NEAR_FIELDS = ("title_f", "body_f")  # the fields of the typo-candidate index (SegmentArrays.deletion_index)

_local = threading.local()
Matched = tuple[tuple[Any, bool, np.ndarray], ...]  # (segment key, is a bitmap, local numbers or packed bits)


@dataclass(frozen=True)
class Reads:
    """What one cached computation read and matched, and when it was made.

    ``matched``: per segment holding some, the documents it matched: ``(segment key, False, local
    numbers ascending)``, or ``(segment key, True, np.packbits of a mask)`` where that is smaller."""

    keys: frozenset[tuple[str, ...]]
    everything: bool
    born: float
    matched: Matched
    lifetime: float


class _Recorder:
    __slots__ = ("everything", "keys", "matched")

    def __init__(self) -> None:
        self.keys: set[tuple[str, ...]] = set()
        self.everything = False
        self.matched: list[tuple[Any, bool, np.ndarray]] = []


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
    """The recorder's reads, frozen, born now, with a lifetime drawn in the spread below :data:`CARRY_SECONDS`."""
    lifetime = CARRY_SECONDS * (1.0 - CARRY_SPREAD * random.random())
    return Reads(frozenset(recorder.keys), recorder.everything, time.monotonic(), tuple(recorder.matched), lifetime)


def note(key: tuple[str, ...]) -> None:
    """Record ``key`` in this thread's recording, if one is open (otherwise nothing: a cheap no-op)."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.keys.add(key)


def note_matched(leaves: list[tuple[Any, Any, int]], docnums: np.ndarray) -> None:
    """Record the documents an evaluation matched (ascending numbers over ``leaves``, a snapshot's)."""
    recorder = getattr(_local, "recorder", None)
    if recorder is None or not docnums.size:
        return
    for arrays, _, offset in leaves:
        lo, hi = np.searchsorted(docnums, (offset, offset + arrays.size))
        if hi > lo:
            local = (docnums[lo:hi] - offset).astype(np.int32)
            if local.size * 32 > arrays.size:  # a bitmap is smaller
                mask = np.zeros(arrays.size, dtype=bool)
                mask[local] = True
                recorder.matched.append((arrays.key, True, np.packbits(mask)))
            else:
                recorder.matched.append((arrays.key, False, local))


def note_reads(reads: Reads) -> None:
    """Record what a cached computation read, when its value is used in this thread's recording."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.keys |= reads.keys
        recorder.everything |= reads.everything
        recorder.matched.extend(reads.matched)


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
    if arrays.terms is None:
        return None
    keys = _SEGMENT_KEYS.get(arrays.key)
    if keys is None:
        keys = frozenset(edit_keys(arrays.terms))
        _SEGMENT_KEYS.put(arrays.key, keys)
    return keys


def _small_edit(previous: Any, snap: Any) -> tuple[set[tuple[str, ...]], dict[Any, np.ndarray | None]] | None:
    """(keys the edit touches, per segment of ``previous`` that lost documents: their local numbers, or
    ``None`` when merged away) when ``snap`` is ``previous`` plus a small edit; ``None`` otherwise.

    Segments are matched by key, not place: a merge of small segments replaces them by one that holds
    their live documents again, so both count as edited.
    """
    old = {arrays.key: (arrays, leaf, offset) for arrays, leaf, offset in previous.leaves}
    new = {arrays.key: (arrays, leaf) for arrays, leaf, _ in snap.leaves}
    added = [arrays for key, (arrays, _) in new.items() if key not in old]
    if sum(arrays.size for arrays in added) > CARRY_DOCS:
        return None
    touched: set[tuple[str, ...]] = set()
    for arrays in added + [arrays for key, (arrays, _, _) in old.items() if key not in new]:
        keys = _segment_keys(arrays)
        if keys is None:
            return None
        touched |= keys
    lost: dict[Any, np.ndarray | None] = {}
    for key, (arrays, _, offset) in old.items():
        if key not in new:
            lost[key] = None  # merged away: every document it held
            continue
        dead = np.asarray(arrays.deleted(new[key][1]), dtype=np.int64)
        if dead.size:  # the documents it deletes now and did not before
            dead = dead[previous.alive[dead + offset]]
            if dead.size:
                lost[key] = np.sort(dead)
    return touched, lost


def _lost(matched: Matched, lost: dict[Any, np.ndarray | None]) -> bool:
    """Whether any matched document is among the ``lost`` ones."""
    for key, bitmap, data in matched:
        if key not in lost:
            continue
        gone = lost[key]
        if gone is None:
            return True
        if bitmap:
            gone = gone[gone < data.size * 8]
            if ((data[gone >> 3] >> (7 - (gone & 7))) & 1).any():
                return True
        elif data.size and (data[np.minimum(np.searchsorted(data, gone), data.size - 1)] == gone).any():
            return True
    return False


def carry(previous: Any, snap: Any, now: float | None = None) -> int:
    """Put into ``snap``'s result and understanding caches the entries of ``previous``'s that its edit
    cannot change (see the module's contracts); returns how many."""
    edit = _small_edit(previous, snap)
    if edit is None:
        return 0
    touched, lost = edit
    now = time.monotonic() if now is None else now
    kept = 0
    for name in ("results", "understood"):
        source, target = getattr(previous, name), getattr(snap, name)
        for key, entry in source.items():  # oldest first: the new map keeps their order
            reads = entry[1]
            if reads.everything or now - reads.born > reads.lifetime or not reads.keys.isdisjoint(touched):
                continue
            if lost and _lost(reads.matched, lost):
                continue
            target.put(key, entry)
            kept += 1
    return kept
