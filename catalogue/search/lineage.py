"""Lineage: the replacement chain between editions of a standard, read off a snapshot.

Contracts:

* :func:`chain` follows recorded ``replaced_by`` numbers at most :data:`CHAIN_HOPS` deep
  (and 20 records a hop), so a cycle in the data ends.
* :func:`successors` is empty for a record that is not superseded; otherwise its newer
  editions, oldest first, including the current edition its status was reasoned from.
* :func:`current_first` reorders a ranked page only where it holds a superseded record;
  a number typed exactly stays where it is.
"""

from __future__ import annotations

import numpy as np

from catalogue.identifiers import parse_loose
from catalogue.search.rules import replacements_first
from catalogue.search.snapshot import Snapshot

GONE = frozenset({"replaced", "withdrawn"})  # statuses saying a record was superseded
CHAIN_HOPS = 6


def keys_mask(snap: Snapshot, field: str, keys: list[str]) -> np.ndarray | None:
    """The documents holding any of ``keys`` in ``field``, as a mask; ``None`` when there are no keys."""
    if not keys:
        return None
    mask = np.zeros(snap.size, dtype=bool)
    for key in keys:
        mask[snap.docs(field, key)] = True
    return mask


def chain(snap: Snapshot, start: np.ndarray) -> np.ndarray:
    """Document numbers of the editions that replaced ``start`` (followed :data:`CHAIN_HOPS` deep)."""
    seen = np.zeros(snap.size, dtype=bool)
    frontier = np.nonzero(start)[0].tolist()[:20]
    for _ in range(CHAIN_HOPS):
        keys = []
        for docnum in frontier:
            for number in snap.stored(docnum).get("replaced_by") or []:
                ident = parse_loose(number)
                if ident is not None:
                    keys.append(ident.key)
        mask = keys_mask(snap, "numkey", keys)
        if mask is None:
            break
        fresh = mask & ~seen & ~start
        seen |= fresh
        frontier = np.nonzero(fresh)[0].tolist()[:20]
        if not frontier:
            break
    return seen


def superseded(snap: Snapshot, docnums: list[int]) -> np.ndarray:
    """Whether each document names a replacement or has a status saying it was superseded."""
    gone = snap.label_in("status", GONE)
    return snap.replaced[docnums] | gone[snap.codes["status"][docnums]]


def successors(snap: Snapshot, docnum: int) -> list[int]:
    """The editions that replaced ``docnum`` (its recorded replacements, followed, and the
    current edition its status was reasoned from), oldest first; empty when it is not superseded."""
    if not superseded(snap, [docnum])[0]:
        return []
    start = np.zeros(snap.size, dtype=bool)
    start[docnum] = True
    newer = chain(snap, start)
    stored = snap.stored(docnum)
    current = parse_loose(stored.get("current") or "")
    if current is not None and stored.get("current") != stored.get("number"):
        newer |= keys_mask(snap, "numkey", [current.key])
    newer[docnum] = False
    return sorted(np.nonzero(newer)[0].tolist(), key=lambda d: snap.year[d])


def current_first(snap: Snapshot, matched: np.ndarray, head: np.ndarray, info: dict) -> np.ndarray:
    """``head`` (positions in ``matched``, ranked) after :func:`replacements_first`; a number typed
    exactly stays where it is: the user named that edition."""
    docs = matched[head].tolist()
    if not docs or not superseded(snap, docs).any():
        return head

    def following(doc: int) -> list[int]:
        at = int(np.searchsorted(matched, doc))
        return [] if info["number"][at] == 2 else successors(snap, doc)

    moved = replacements_first(docs, following, SortedDocs(matched))[: len(docs)]
    return np.searchsorted(matched, np.array(moved, dtype=matched.dtype))


class SortedDocs:
    """Membership in an ascending array of document numbers (a binary search, no set built)."""

    def __init__(self, docs: np.ndarray) -> None:
        self.docs = docs

    def __contains__(self, doc: object) -> bool:
        at = int(np.searchsorted(self.docs, doc))
        return at < self.docs.size and int(self.docs[at]) == doc
