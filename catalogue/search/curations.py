"""Curations: product names the catalogue's curators tied to records, matched in queries.

The product groups say which products each regulation covers ("ổ cắm", "phích
cắm" → QCVN 25:2025/BKHCN, whose title only says "thiết bị điện dùng cho lắp
đặt điện trong gia đình"), and the legal product → QCVN rows name products too.
A question such as "ổ cắm phải chứng nhận hợp quy theo quy chuẩn nào" names the
product, not the title; a curation lets the words of the product count for the
records it names, as if their title held them.

Contracts:

* :class:`Curations` is immutable.  Names are folded (:func:`catalogue.text.fold`)
  and split into words the way queries are; a name of more than
  :data:`MAX_WORDS` words is dropped (nobody types it whole).
* :meth:`Curations.spans` finds every name that stands as consecutive words of
  the query's words, longest first at each position, never overlapping; it
  returns ``(start, end, numbers)`` with ``end`` exclusive.
* :attr:`Curations.version` changes whenever the names change, so results
  cached under one version are never served under another.
* A :class:`CurationSource` is the seam the searcher reads through;
  :class:`StaticCurations` is its double (and the "no curations" default).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Protocol

from catalogue.text import fold

__all__ = ["MAX_WORDS", "CurationSource", "Curations", "StaticCurations", "name_words"]

MAX_WORDS = 6
_WORD = re.compile(r"\w+")


def name_words(text: str) -> tuple[str, ...]:
    """The folded words of a name or a query part: ``"Ổ cắm, phích"`` → ``("o", "cam", "phich")``."""
    return tuple(_WORD.findall(fold(text).lower()))


class Curations:
    """Folded product names → the record numbers they name."""

    def __init__(self, pairs: Iterable[tuple[str, Iterable[str]]] = ()) -> None:
        names: dict[tuple[str, ...], set[str]] = {}
        for name, numbers in pairs:
            words = name_words(name)
            if words and len(words) <= MAX_WORDS:
                names.setdefault(words, set()).update(n for n in numbers if n)
        self._names = {words: tuple(sorted(numbers)) for words, numbers in names.items() if numbers}
        self._longest = max((len(w) for w in self._names), default=0)
        digest = hashlib.sha1(repr(sorted(self._names.items())).encode()).hexdigest()[:12]
        self.version = digest

    def __len__(self) -> int:
        return len(self._names)

    def spans(self, words: tuple[str, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
        found, i = [], 0
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                numbers = self._names.get(words[i : i + n])
                if numbers:
                    found.append((i, i + n, numbers))
                    i += n
                    break
            else:
                i += 1
        return found


class CurationSource(Protocol):
    """Contract: :meth:`current` is cheap when nothing changed (it may check a version
    number) and never raises; it returns the curations in force now."""

    def current(self) -> Curations: ...


class StaticCurations:
    """The same curations for ever: the test double, and ``StaticCurations()`` for none at all."""

    def __init__(self, pairs: Iterable[tuple[str, Iterable[str]]] = ()) -> None:
        self._curations = Curations(pairs)

    def current(self) -> Curations:
        return self._curations
