"""The candidate documents of one query, and where a posting list lands among them.

Why: evaluating a query with one array of the catalogue's size per alternative
and field made its cost follow the catalogue (50,000 floats per array, dozens of
arrays a query).  The searcher first gathers the documents any of the query's
posting lists (or number look-ups) reach, then keeps every per-document array at
that size; a posting list is mapped to positions among the candidates by one
gather.

Contracts:

* ``docs`` is sorted, unique and fixed; every array a query builds over the
  universe has ``len(docs)`` entries, entry ``i`` describing ``docs[i]``.
* :meth:`take` and :meth:`mask` accept any document numbers of the snapshot;
  those outside the universe are dropped (they can match nothing).
* :meth:`of` reads a catalogue-sized array at the candidates.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Universe"]


class Universe:
    """The sorted candidate document numbers of one query, with a position map."""

    def __init__(self, size: int, docs: np.ndarray) -> None:
        self.docs = np.asarray(docs, dtype=np.int64)
        self.size = int(self.docs.size)
        #: every document of the snapshot: positions are document numbers, no mapping needed
        self.identity = self.size == size
        self._position = np.full(size, -1, dtype=np.int32)
        self._position[self.docs] = np.arange(self.size, dtype=np.int32)

    @classmethod
    def of_mask(cls, mask: np.ndarray) -> Universe:
        """The documents set in a catalogue-sized boolean ``mask``."""
        return cls(mask.size, np.flatnonzero(mask))

    def positions(self, docnums: np.ndarray) -> np.ndarray:
        """Positions of the ``docnums`` that are candidates (in their order)."""
        if self.identity:
            return docnums
        p = self._position[docnums]
        return p[p >= 0]

    def take(self, docnums: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(positions, values)`` of the ``docnums`` that are candidates."""
        if self.identity:
            return docnums, values
        p = self._position[docnums]
        keep = p >= 0
        return p[keep], values[keep]

    def mask(self, docnums: np.ndarray) -> np.ndarray:
        """A universe-sized boolean array, set where ``docnums`` are."""
        out = np.zeros(self.size, dtype=bool)
        out[self.positions(docnums)] = True
        return out

    def of(self, dense: np.ndarray) -> np.ndarray:
        """``dense`` (one entry per document of the snapshot) at the candidates."""
        return dense if self.identity else dense[self.docs]
