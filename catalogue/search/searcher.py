"""Search over the catalogue: the one Python API the web app and the CLI share.

Ranking, in this order (each a tier; later rules break ties in earlier ones):

1. an exact number match (then a series match, then an international equivalent);
2. a title match (Vietnamese accent-folded, or English) above a scope-only match;
3. within a tier, relevance (BM25, with an exact-accent and pyvi-compound boost)
   weighted by status: active above unknown above replaced or withdrawn;
4. newest edition first on ties.

Contracts:

* :meth:`Searcher.search` never raises for query text; bad *parameters*
  (page, limit, sort, status...) raise :class:`InvalidInput` with a message.
* Titles are searched first; the scope is searched only when titles give fewer
  than :data:`FULLTEXT_THRESHOLD` hits.  Folded syllables are the required
  match; pyvi compounds and exact accents only add to the score.
* Facet counts (kind, status, ICS field, ministry, decade) describe the whole
  filtered result set, not just the page.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from catalogue.errors import InvalidInput
from catalogue.model import STATUSES
from catalogue.search.highlight import highlight, snippet
from catalogue.search.query import ParsedQuery, parse_query
from catalogue.search.snapshot import Snapshot
from indexer.analysis import compounds, english_analyzer, terms
from indexer.index import Index

__all__ = ["FULLTEXT_THRESHOLD", "Hit", "SearchRequest", "SearchResult", "Searcher"]

FULLTEXT_THRESHOLD = 10
MAX_LIMIT = 100
MAX_WINDOW = 10_000
STATUS_WEIGHT = {"active": 1.0, "unknown": 0.85, "replaced": 0.6, "withdrawn": 0.55}
TIER_NUMBER, TIER_SERIES, TIER_EQUIV, TIER_TITLE, TIER_BODY, TIER_RELAXED = 6, 5, 4, 3, 2, 1
MATCH_NAMES = {TIER_NUMBER: "number", TIER_SERIES: "series", TIER_EQUIV: "equivalent", TIER_TITLE: "title"}
_ENGLISH = english_analyzer()


@dataclass
class SearchRequest:
    """One search.  Empty ``q`` with filters browses; empty ``q`` alone returns nothing."""

    q: str = ""
    kind: str | None = None
    status: str | None = None
    ics: str | None = None
    ministry: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    page: int = 1
    limit: int = 10
    sort: str = "relevance"

    def validate(self) -> None:
        if self.kind is not None and self.kind.upper() not in ("TCVN", "QCVN"):
            raise InvalidInput("loại phải là TCVN hoặc QCVN / kind must be TCVN or QCVN")
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(f"tình trạng phải là một trong / status must be one of {', '.join(STATUSES)}")
        if self.ics is not None and not all(p.isdigit() for p in self.ics.split(".")):
            raise InvalidInput("mã ICS có dạng 67.120.10 / ICS codes look like 67.120.10")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit phải từ 1 đến {MAX_LIMIT} / limit must be 1..{MAX_LIMIT}")
        if self.page < 1 or self.page * self.limit > MAX_WINDOW:
            raise InvalidInput(f"trang không hợp lệ / page must be ≥ 1 and page×limit ≤ {MAX_WINDOW}")
        if self.sort not in ("relevance", "newest"):
            raise InvalidInput("sort phải là relevance hoặc newest / sort must be relevance or newest")
        for y in (self.year_from, self.year_to):
            if y is not None and not 1900 <= y <= 2100:
                raise InvalidInput("năm phải từ 1900 đến 2100 / years must be 1900..2100")

    @property
    def filters(self) -> dict[str, Any]:
        names = ("kind", "status", "ics", "ministry", "year_from", "year_to")
        return {k: getattr(self, k) for k in names if getattr(self, k) not in (None, "")}


@dataclass
class Hit:
    number: str
    slug: str
    kind: str
    title_vi: str | None
    title_en: str | None
    status: str
    year: int | None
    ics: list[str]
    score: float
    highlight: str
    snippet: str | None = None
    match: str = "title"
    current: str | None = None  # number of the current edition (catalogue/editions.py), when known
    replaced_by: list[str] = field(default_factory=list)
    confirmed_by: str | None = None  # untitled records: "<source kind>|<site>" confirming the number


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    message: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, MAX_WINDOW) / self.limit))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Searcher:
    """Search service over one :class:`Index`.  Thread-safe.

    Query evaluation runs on a :class:`~catalogue.search.snapshot.Snapshot` of the served
    generation: numpy arrays over Whoosh's posting lists, rebuilt when the
    generation or its segments change.
    """

    def __init__(self, index: Index) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def warm_up(self) -> None:
        """Open the searcher, build the snapshot and load pyvi before the first query."""
        compounds("khởi động")
        self.snapshot()

    def snapshot(self) -> Snapshot:
        with self._lock:
            s = self.index.searcher()
            if self._snapshot is None or self._snapshot.searcher is not s:
                self._snapshot = Snapshot(s)
            return self._snapshot

    # -- the search --------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchResult:
        req.validate()
        pq = parse_query(req.q)
        result = SearchResult(query=pq.text, total=0, page=req.page, limit=req.limit, filters=req.filters)
        messages = []
        if pq.truncated:
            messages.append("Truy vấn quá dài đã được cắt ngắn / The query was too long and has been shortened.")
        snap = self.snapshot()
        allowed = self._allowed(snap, req, req.kind or pq.kind)
        if pq.is_empty and allowed is None:
            result.message = "Nhập từ khóa hoặc số hiệu tiêu chuẩn / Type words or a standard number."
            return result
        tier, score = self._tiers(snap, pq, allowed)
        matched = np.nonzero(tier > 0)[0]
        result.total = int(matched.size)
        result.facets = self._facets(snap, tier > 0)
        start = (req.page - 1) * req.limit
        for docnum in self._order(snap, matched, tier, score, req.sort, pq.is_empty)[start : start + req.limit]:
            result.hits.append(self._hit(snap, int(docnum), float(tier[docnum]), float(score[docnum]), pq))
        if result.total < 3 and pq.words:
            result.suggestion = self._suggest(snap, pq)
        if result.total == 0:
            messages.append(
                "Không tìm thấy kết quả. Thử bỏ bộ lọc, gõ không dấu hoặc duyệt theo ICS. / "
                "Nothing found: try removing filters, typing without diacritics, or browsing ICS."
            )
        result.message = " ".join(messages) or None
        return result

    @staticmethod
    def _allowed(snap: Snapshot, req: SearchRequest, kind: str | None) -> np.ndarray | None:
        """The filters as one boolean mask; ``None`` when nothing is filtered."""
        masks = []
        if kind:
            masks.append(snap.mask("kind", kind.upper()))
        if req.status:
            masks.append(snap.mask("status", req.status))
        if req.ministry:
            masks.append(snap.mask("ministry", req.ministry.upper()))
        if req.year_from is not None:
            masks.append(snap.year >= req.year_from)
        if req.year_to is not None:
            masks.append((snap.year <= req.year_to) & (snap.year > 0))
        if req.ics:
            m = np.zeros(snap.size, dtype=bool)
            m[snap.docs("ics", req.ics)] = True
            masks.append(m)
        if not masks:
            return None
        return np.logical_and.reduce([*masks, snap.alive])

    def _tiers(self, snap: Snapshot, pq: ParsedQuery, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Per document: the best tier it matched (0 = none) and its score in that tier."""
        tier = np.zeros(snap.size, dtype=np.float32)
        score = np.zeros(snap.size, dtype=np.float32)
        ok = snap.alive if allowed is None else allowed

        def add(level: float, mask: np.ndarray, scores: np.ndarray | None = None) -> int:
            fresh = mask & ok & (tier == 0)
            tier[fresh] = level
            if scores is not None:
                score[fresh] = scores[fresh]
            return int(fresh.sum())

        if pq.is_empty:  # browse: every allowed document
            add(TIER_TITLE, ok)
            return tier, score
        exact = self._keys_mask(snap, "numkey", [i.key for i in pq.numbers])
        if exact is not None:
            add(TIER_NUMBER, exact, exact.astype(np.float32))
            if not (exact & ok).any():
                series = [f"~{i.key}" for i in pq.numbers if not i.part and not i.year]
                series_mask = self._keys_mask(snap, "numkey", series)
                if series_mask is not None:
                    add(TIER_SERIES, series_mask, series_mask.astype(np.float32))
        if pq.international:
            # a document that adopts exactly that part outranks one from the same series
            full = self._keys_mask(snap, "equiv", [full for full, _ in pq.international])
            series_of = self._keys_mask(snap, "equiv", [series for _, series in pq.international])
            if full is not None and series_of is not None:
                add(TIER_EQUIV, full | series_of, full.astype(np.float32) + series_of)
        if not pq.words:
            return tier, score
        title_mask, title_scores = self._text(snap, pq, ("title_f",))
        add(TIER_TITLE, title_mask, title_scores)
        if int((title_mask & ok).sum()) < FULLTEXT_THRESHOLD:
            body_mask, body_scores = self._text(snap, pq, ("title_f", "body_f"))
            add(TIER_BODY, body_mask, body_scores)
            significant = [w for w in pq.words if w.required and not w.folded.isdigit()]
            if not ((title_mask | body_mask) & ok).any() and len(significant) > 2:
                # nothing holds every word: accept documents with all but one
                hits = np.zeros(snap.size, dtype=np.int32)
                total = np.zeros(snap.size, dtype=np.float32)
                for w in significant:
                    word_mask, word_score = self._word(snap, w.folded, ("title_f", "body_f"))
                    hits += word_mask
                    total += word_score
                add(TIER_RELAXED, hits >= len(significant) - 1, total)
        return tier, score

    @staticmethod
    def _keys_mask(snap: Snapshot, field: str, keys: list[str]) -> np.ndarray | None:
        if not keys:
            return None
        mask = np.zeros(snap.size, dtype=bool)
        for key in keys:
            mask[snap.docs(field, key)] = True
        return mask

    @staticmethod
    def _word(snap: Snapshot, folded: str, fields: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Where one folded word matches (any field, or its English stem) and its summed BM25."""
        mask = np.zeros(snap.size, dtype=bool)
        scores = np.zeros(snap.size, dtype=np.float32)
        alternatives = [(f, folded) for f in fields]
        english = terms(_ENGLISH, folded)
        if english:
            alternatives.append(("title_en", english[0]))
        for name, term in alternatives:
            docnums, s = snap.bm25(name, term)
            mask[docnums] = True
            scores[docnums] += s
        return mask, scores

    def _text(self, snap: Snapshot, pq: ParsedQuery, fields: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Every required word must match; optional words, exact accents and compounds add score."""
        required = np.ones(snap.size, dtype=bool)
        scores = np.zeros(snap.size, dtype=np.float32)
        for w in pq.words:
            mask, s = self._word(snap, w.folded, fields)
            if w.required:
                required &= mask
            scores += s
            if pq.accented and w.exact != w.folded:
                docnums, exact = snap.bm25("title", w.exact)
                scores[docnums] += 1.5 * exact
        if pq.accented:
            for compound in compounds(" ".join(w.exact for w in pq.words)):
                docnums, s = snap.bm25("title_c", compound.lower())
                scores[docnums] += 2.0 * s
        return required, scores

    @staticmethod
    def _order(
        snap: Snapshot, matched: np.ndarray, tier: np.ndarray, score: np.ndarray, sort: str, browse: bool
    ) -> np.ndarray:
        """Matched document numbers in ranking order."""
        if matched.size == 0:
            return matched
        weights = np.array([STATUS_WEIGHT.get(label, 0.85) for label in snap.labels["status"]], dtype=np.float32)
        weighted = np.round(score[matched] * weights[snap.codes["status"][matched]], 4)
        year = snap.year[matched]
        if sort == "newest" or browse:
            order = np.lexsort((-weighted, -tier[matched], -year))
        else:
            order = np.lexsort((-year, -weighted, -tier[matched]))
        return matched[order]

    @staticmethod
    def _facets(snap: Snapshot, docset: np.ndarray) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {}
        for name in ("kind", "status", "ministry", "decade"):
            counts = np.bincount(snap.codes[name][docset], minlength=len(snap.labels[name]))
            pairs = [(label, int(n)) for label, n in zip(snap.labels[name], counts, strict=True) if n and label]
            facets[name] = dict(sorted(pairs, key=lambda x: -x[1]))
        ics = {code: int((mask & docset).sum()) for code, mask in snap.ics_masks.items()}
        facets["ics_field"] = {k: v for k, v in sorted(ics.items(), key=lambda x: (-x[1], x[0])) if v}
        facets["decade"] = dict(sorted(facets["decade"].items(), reverse=True))
        return facets

    @staticmethod
    def _hit(snap: Snapshot, docnum: int, tier: float, score: float, pq: ParsedQuery) -> Hit:
        f = snap.stored(docnum)
        folded = {w.folded for w in pq.words}
        ics = [c for c in (f.get("ics") or "").split(",") if c]
        leaf_ics = [c for c in ics if not any(o != c and o.startswith(c + ".") for o in ics)]
        title = f.get("title_vi") or f.get("title_en_text") or ""
        hit = Hit(
            number=f["number"],
            slug=f["slug"],
            kind=f["kind"],
            title_vi=f.get("title_vi"),
            title_en=f.get("title_en_text"),
            status=f["status"],
            year=f.get("year") or None,
            ics=sorted(leaf_ics),
            score=round(score, 4),
            highlight=highlight(title, folded),
            match=MATCH_NAMES.get(tier, "scope"),
            current=f.get("current"),
            replaced_by=list(f.get("replaced_by") or []),
            confirmed_by=f.get("confirmed_by"),
        )
        if tier < TIER_TITLE and f.get("scope"):
            hit.snippet = snippet(f["scope"], folded)
        return hit

    def _suggest(self, snap: Snapshot, pq: ParsedQuery) -> str | None:
        """A corrected query when some words are unknown to the index's vocabulary.

        Unknown words are corrected to the closest title word (edit distance, then
        frequency), or split in two known words ("ximang" -> "xi mang").
        """
        s = snap.searcher
        reader = s.reader()

        def known(word: str) -> int:
            english = terms(_ENGLISH, word)
            return (
                reader.doc_frequency("title_f", word)
                + reader.doc_frequency("body_f", word)
                + (reader.doc_frequency("title_en", english[0]) if english else 0)
            )

        words, changed = [], False
        for w in pq.words:
            if w.folded.isdigit() or known(w.folded):
                words.append(w.exact)
                continue
            best = None
            candidates = s.suggest("title_f", w.folded, limit=100, maxdist=2)
            if candidates:
                best = min(candidates, key=lambda c: (_distance(c, w.folded), -known(c)))
            close = best is not None and _distance(best, w.folded) <= 1
            for i in range(2, len(w.folded) - 1) if not close else ():
                left, right = w.folded[:i], w.folded[i:]
                if reader.doc_frequency("title_f", left) and reader.doc_frequency("title_f", right):
                    best = f"{left} {right}"
                    break
            if best is None:
                words.append(w.exact)
                continue
            changed = True
            if pq.accented:
                best = " ".join(snap.spelling.get(part, (0, part))[1] for part in best.split())
            words.append(best)
        return " ".join(words) if changed else None

    # -- instant suggestions -------------------------------------------------------
    def suggest(self, text: str, limit: int = 8) -> list[dict[str, Any]]:
        """Standards for a query being typed: the last word counts as a prefix.

        Numbers complete by key prefix ("tcvn 56" → TCVN 5699-…); words match like
        a search whose last word is any indexed word it begins.
        """
        pq = parse_query(text)
        snap = self.snapshot()
        reader = snap.searcher.reader()
        mask = np.zeros(snap.size, dtype=bool)
        score = np.zeros(snap.size, dtype=np.float32)
        if pq.numbers:
            key = pq.numbers[0].key
            for term in list(reader.expand_prefix("numkey", key))[:200]:
                term = term.decode() if isinstance(term, bytes) else term
                mask[snap.docs("numkey", term)] = True
            score[mask] = 1.0
        elif pq.words:
            *done, last = pq.words
            required = np.ones(snap.size, dtype=bool)
            for w in done:
                word_mask, word_score = self._word(snap, w.folded, ("title_f",))
                required &= word_mask
                score += word_score
            completions = sorted(
                (t.decode() if isinstance(t, bytes) else t for t in reader.expand_prefix("title_f", last.folded)),
                key=lambda t: -reader.doc_frequency("title_f", t),
            )[:30]
            last_mask = np.zeros(snap.size, dtype=bool)
            for term in completions:
                docnums, s = snap.bm25("title_f", term)
                last_mask[docnums] = True
                score[docnums] += s
            mask = required & last_mask
        mask &= snap.alive
        docs = np.nonzero(mask)[0]
        order = docs[np.lexsort((-snap.year[docs], -score[docs]))][:limit]
        out = []
        for docnum in order.tolist():
            f = snap.stored(docnum)
            out.append(
                {
                    "number": f["number"],
                    "title": f.get("title_vi") or f.get("title_en_text") or "",
                    "status": f["status"],
                    "url": f"/standards/{f['slug']}",
                }
            )
        return out

    # -- exact lookup ------------------------------------------------------------
    def resolve(self, text: str) -> list[str]:
        """Slugs of the standards a number query names exactly (newest first)."""
        pq = parse_query(text)
        if not pq.only_number:
            return []
        snap = self.snapshot()
        mask = self._keys_mask(snap, "numkey", [i.key for i in pq.numbers])
        docs = sorted(np.nonzero(mask & snap.alive)[0].tolist(), key=lambda d: -int(snap.year[d]))
        return [snap.stored(d)["slug"] for d in docs]


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short words only; used to rank spelling candidates)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
