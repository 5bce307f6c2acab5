"""Search results carried from one snapshot to the next when an edit cannot change them.

Why: each save makes a new snapshot, whose result cache used to start empty.  Under
ten saves a second every query was computed again, so the saving scenario of the
load bench ran at the uncached rate.  A search records the index keys it reads
(:func:`recording`, :func:`note`); a snapshot made from its predecessor by a small
edit keeps each cached entry whose keys the edit did not touch (:func:`carry`).

Keys (tuples):

* ``("p", field, term)``: a posting list was read (the documents holding ``term``);
* ``("f", field, term)``: only its document frequency was read;
* ``("near", word)``: the typo candidates one deletion from ``word`` were looked up.

Contracts:

* An added document touches ``("p" | "f", field, term)`` for each of its terms, and
  ``("near", w)`` and ``("near", d)`` for each folded word ``w`` and each of its
  one-letter deletions ``d``.  A deleted document touches the ``("p", …)`` keys of the
  posting lists holding it; frequencies count deleted documents until a merge (as
  Whoosh counts), so those and the typo candidates do not move.
* :func:`carry` acts only on a small edit: at most :data:`CARRY_DOCS` documents in
  the segments added (a merge of small segments adds one) and as many deleted or
  merged away.  Cached entries hold no document numbers, so a merge that moves
  documents changes nothing else.  It keeps an entry when its keys and
  the edit's are disjoint, it read no whole-collection set (:func:`note_everything`),
  and it is younger than :data:`CARRY_SECONDS`.
* A carried entry is the previous snapshot's answer.  The edit touched none of the
  documents it matched or the words it looked up, so its documents, counts and facets
  are the new snapshot's too; only its order may differ, through the collection
  statistics the edit moved (document count, average field lengths in BM25), and
  :data:`CARRY_SECONDS` bounds for how long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from catalogue.search.segments import deletions

__all__ = ["CARRY_DOCS", "CARRY_SECONDS", "Reads", "carry", "edit_keys", "note", "note_everything", "recording"]

CARRY_DOCS = 64  # an edit adding or deleting more documents than this carries nothing (a bulk import, a merge)
CARRY_SECONDS = 60.0  # an entry is computed afresh at least this often, however many edits it outlives
NEAR_FIELDS = ("title_f", "body_f")  # the fields of the typo-candidate index (SegmentArrays.deletion_index)

_local = threading.local()


@dataclass(frozen=True)
class Reads:
    """What one cached computation read: its keys, whether it read the whole collection, when it was made."""

    keys: frozenset[tuple[str, ...]]
    everything: bool
    born: float


class _Recorder:
    __slots__ = ("everything", "keys")

    def __init__(self) -> None:
        self.keys: set[tuple[str, ...]] = set()
        self.everything = False


@contextmanager
def recording() -> Iterator[_Recorder]:
    """Record the keys this thread notes inside the block; an enclosing recording gets them too."""
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


def sealed(recorder: _Recorder) -> Reads:
    """The recorder's reads, frozen, born now."""
    return Reads(frozenset(recorder.keys), recorder.everything, time.monotonic())


def note(key: tuple[str, ...]) -> None:
    """Record ``key`` in this thread's recording, if one is open (otherwise nothing: a cheap no-op)."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.keys.add(key)


def note_reads(reads: Reads) -> None:
    """Record what a cached computation read, when its value is used in this thread's recording."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.keys |= reads.keys
        recorder.everything |= reads.everything


def note_everything() -> None:
    """Record that the computation read a whole-collection set (browsing every allowed document)."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.everything = True


def edit_keys(leaves: list[tuple[Any, Any, int]]) -> set[tuple[str, ...]]:
    """The keys that the documents of ``leaves`` (added segments' ``(arrays, reader, offset)``) touch."""
    keys: set[tuple[str, ...]] = set()
    for _, leaf, _ in leaves:
        for field, term in leaf.all_terms():
            text = term.decode("utf-8", "surrogateescape") if isinstance(term, bytes) else str(term)
            keys.add(("p", field, text))
            keys.add(("f", field, text))
            if field in NEAR_FIELDS:
                keys.add(("near", text))
                keys.update(("near", d) for d in deletions(text))
    return keys


def _small_edit(previous: Any, snap: Any) -> tuple[set[tuple[str, ...]], np.ndarray] | None:
    """(keys the added segments' documents touch, ``previous``'s numbers of the documents it no longer
    holds where they were) when ``snap`` is ``previous`` plus a small edit; ``None`` otherwise.

    Segments are matched by key, not place: a merge of small segments replaces them by one that holds
    their documents again, so the merged segment counts as added (all its terms are touched) and the
    documents of the segments it replaced as deleted.
    """
    old = {arrays.key: (leaf, offset) for arrays, leaf, offset in previous.leaves}
    new = {arrays.key: leaf for arrays, leaf, _ in snap.leaves}
    added = [(None, leaf, 0) for key, leaf in new.items() if key not in old]
    if sum(leaf.doc_count_all() for _, leaf, _ in added) > CARRY_DOCS:
        return None
    gone: list[np.ndarray] = []
    for key, (leaf, offset) in old.items():
        alive = previous.alive[offset : offset + leaf.doc_count_all()]
        if key in new:  # kept: the documents it deletes now and did not before
            dead = np.zeros(alive.size, dtype=bool)
            dead[np.asarray(type(previous.segments[key]).deleted(new[key]), dtype=np.int64)] = True
            gone.append(np.flatnonzero(alive & dead) + offset)
        else:  # replaced (merged away): every document it held
            gone.append(np.flatnonzero(alive) + offset)
    deleted = np.concatenate(gone) if gone else np.zeros(0, dtype=np.int64)
    if deleted.size > CARRY_DOCS:
        return None
    return edit_keys(added), np.sort(deleted)


def carry(previous: Any, snap: Any, now: float | None = None) -> int:
    """Put into ``snap``'s result and understanding caches the entries of ``previous``'s that its edit
    cannot change (see the module's contracts); returns how many."""
    edit = _small_edit(previous, snap)
    if edit is None:
        return 0
    touched, deleted = edit
    now = time.monotonic() if now is None else now
    holds: dict[tuple[str, ...], bool] = {}

    def holds_deleted(key: tuple[str, ...]) -> bool:  # does this posting list hold a deleted document?
        hit = holds.get(key)
        if hit is None:
            docnums = previous.postings(key[1], key[2])[0]  # ascending
            hit = False
            if docnums.size:
                at = np.minimum(np.searchsorted(docnums, deleted), docnums.size - 1)
                hit = bool((docnums[at] == deleted).any())
            holds[key] = hit
        return hit

    kept = 0
    for name in ("results", "understood"):
        source, target = getattr(previous, name), getattr(snap, name)
        for key, entry in source.items():  # oldest first: the new map keeps their order
            reads = entry[1]
            if reads.everything or now - reads.born > CARRY_SECONDS or not reads.keys.isdisjoint(touched):
                continue
            if deleted.size and any(holds_deleted(k) for k in reads.keys if k[0] == "p"):
                continue
            target.put(key, entry)
            kept += 1
    return kept
