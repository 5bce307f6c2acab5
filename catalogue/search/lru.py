"""A bounded, thread-safe least-recently-used map: the one cache shape of the read path.

Contracts:

* :meth:`get` answers the value or ``None`` (so ``None`` is never stored) and marks
  the key as most recently used; :meth:`put` adds or replaces it and drops the
  least recently used key once more than ``size`` are held; :meth:`items` copies
  the pairs, least recently used first.
* Every method takes the map's own lock, so threads may share one map; a value
  two threads compute at once is simply put twice.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

__all__ = ["Lru"]


class Lru:
    """A bounded, thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)

    def items(self) -> list[tuple[Any, Any]]:
        """A copy of the pairs held, least recently used first (marks nothing as used)."""
        with self._lock:
            return list(self._items.items())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
