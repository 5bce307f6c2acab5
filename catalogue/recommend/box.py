"""One box: the recommender's answer shown above the search results when a query names a product.

Contracts:

* :meth:`ProductBox.for_query` returns ``None`` for a query that is only a number,
  an international reference, or longer than :data:`MAX_CHARS`; never raises for text.
* A box is shown only for a precise answer: a product group was recognised and at
  least one QCVN is *mandatory* with its basis (:data:`MAX_MANDATORY` of them), or the
  input had two readings and the box asks which one was meant.  "May also apply"
  regulations never reach the box: a wrong "mandatory" is worse than none.
* Answers are kept per store sequence number and query (:data:`CACHE_SIZE`), so a
  results page costs one recommendation only for a new query or a changed store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalogue.errors import TieuchuanError
from catalogue.search.lru import Lru
from catalogue.search.query import parse_query

if TYPE_CHECKING:
    from catalogue.recommend.recommender import Recommender
    from catalogue.recommend.results import GroupMatch, Recommendation

__all__ = ["CACHE_SIZE", "MAX_CHARS", "MAX_MANDATORY", "ProductBox", "ProductBoxes"]

MAX_CHARS = 160  # longer text is a question for search, not a product name
MAX_MANDATORY = 3
CACHE_SIZE = 2048  # as many as a snapshot keeps search results (snapshot.RESULTS): a results page repeats both
_NO_BOX = object()  # kept for a query that gets no box


@dataclass
class ProductBox:
    query: str
    groups: list[GroupMatch] = field(default_factory=list)
    mandatory: list[Recommendation] = field(default_factory=list)
    question: dict[str, Any] | None = None
    sector_rules: int = 0  # how many sector-wide rule groups the full answer adds


class ProductBoxes:
    """The boxes of one recommender, cached by (store sequence, query)."""

    def __init__(self, recommender: Recommender) -> None:
        self.recommender = recommender
        self._cache = Lru(CACHE_SIZE)  # (store sequence, query) -> box, or _NO_BOX

    def for_query(self, query: str) -> ProductBox | None:
        text = " ".join((query or "").split())
        if not text or len(text) > MAX_CHARS:
            return None
        key = (self.recommender.store.seq, text.lower())
        hit = self._cache.get(key)
        if hit is not None:
            return None if hit is _NO_BOX else hit
        pq = parse_query(text)
        wanted = pq.words and not pq.only_number and not (pq.international and len(pq.words) < 2)
        box = self._build(text) if wanted else None
        self._cache.put(key, _NO_BOX if box is None else box)  # no box is kept too: not parsed again
        return box

    def _build(self, text: str) -> ProductBox | None:
        try:
            result = self.recommender.recommend(text)
        except TieuchuanError:
            return None
        if result.outcome == "question" and result.question:
            return ProductBox(query=text, question=result.question)
        mandatory = [r for r in result.recommendations if r.mandatory and r.kind == "QCVN"]
        if result.outcome != "ok" or not result.groups or not mandatory:
            return None
        return ProductBox(
            query=text,
            groups=result.groups[:2],
            mandatory=mandatory[:MAX_MANDATORY],
            sector_rules=len(result.sector_rules),
        )
