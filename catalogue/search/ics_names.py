"""The ICS classification, read from the store once per index generation, not on every page.

Why: the results and detail pages loaded all 1,381 ICS rows from SQLite on every
request (about 5 ms, more than the search itself on the bundled catalogue).

Contracts:

* :class:`IcsTable` caches what ``load()`` returns until ``generation()``
  changes.  The engine passes the store's ICS table and the served index
  generation: the table is only replaced by seeding and by a restore, and both
  are followed by a rebuild, i.e. a new generation.
* :meth:`IcsTable.table` returns the shared mapping ``{code: row}``; callers
  must not modify it.
* Thread-safe; a reload happens at most once per generation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any

__all__ = ["IcsTable"]


class IcsTable:
    """``load()``'s ICS rows, kept while ``generation()`` stays the same."""

    def __init__(self, load: Callable[[], dict[str, dict[str, Any]]], generation: Callable[[], Hashable]) -> None:
        self._load = load
        self._generation = generation
        self._lock = threading.Lock()
        self._key: Hashable = object()  # equal to no generation
        self._table: dict[str, dict[str, Any]] = {}

    def table(self) -> dict[str, dict[str, Any]]:
        key = self._generation()
        if key != self._key:
            with self._lock:
                if key != self._key:
                    self._table = self._load()
                    self._key = key
        return self._table

    def names(self, codes: Iterable[str], lang: str) -> dict[str, str]:
        """``{code: title}`` in ``lang`` (Vietnamese falls back to English) for the known ``codes``."""
        table = self.table()
        out = {}
        for code in codes:
            row = table.get(code)
            if row is not None:
                out[code] = row["title_vi"] if lang == "vi" and row["title_vi"] else row["title_en"]
        return out
