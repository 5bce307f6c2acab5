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
from whoosh import query as wq

from catalogue.errors import InvalidInput
from catalogue.highlight import highlight, snippet
from catalogue.model import STATUSES
from catalogue.query import ParsedQuery, parse_query
from catalogue.text import fold
from indexer.analysis import compounds, english_analyzer, terms
from indexer.index import Index

__all__ = ["FULLTEXT_THRESHOLD", "Hit", "SearchRequest", "SearchResult", "Searcher"]

FULLTEXT_THRESHOLD = 10
MAX_LIMIT = 100
MAX_WINDOW = 10_000
STATUS_WEIGHT = {"active": 1.0, "unknown": 0.85, "replaced": 0.6, "withdrawn": 0.55}
FACETS = ("kind", "status", "ics_field", "ministry", "decade")
TIER_NUMBER, TIER_SERIES, TIER_EQUIV, TIER_TITLE, TIER_BODY = 5, 4, 3, 2, 1
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


class _Columns:
    """Per-generation arrays for filtering and faceting without touching Whoosh per document."""

    def __init__(self, searcher: Any) -> None:
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.alive = np.ones(self.size, dtype=bool)
        if reader.has_deletions():
            self.alive[:] = False
            for docnum in reader.all_doc_ids():
                self.alive[docnum] = True
        self.codes: dict[str, np.ndarray] = {}
        self.labels: dict[str, list[str]] = {}
        for name in ("kind", "status", "ministry", "decade"):
            values = list(reader.column_reader(name))
            labels = sorted(set(values))
            index = {v: i for i, v in enumerate(labels)}
            self.labels[name] = labels
            self.codes[name] = np.fromiter((index[v] for v in values), dtype=np.int32, count=self.size)
        self.year = np.fromiter(reader.column_reader("year"), dtype=np.int32, count=self.size)
        self.ics_masks: dict[str, np.ndarray] = {}
        for i, value in enumerate(reader.column_reader("ics_fields")):
            for code in filter(None, value.split(",")):
                self.ics_masks.setdefault(code, np.zeros(self.size, dtype=bool))[i] = True
        # folded word -> its most frequent accented spelling, for "did you mean"
        self.spelling: dict[str, tuple[int, str]] = {}
        for term, info in searcher.reader().iter_field("title"):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            f = fold(word)
            if info.doc_frequency() > self.spelling.get(f, (0, ""))[0]:
                self.spelling[f] = (info.doc_frequency(), word)

    def mask(self, name: str, value: str) -> np.ndarray:
        labels = self.labels[name]
        if value not in labels:
            return np.zeros(self.size, dtype=bool)
        return self.codes[name] == labels.index(value)


class Searcher:
    """Search service over one :class:`Index`.  Thread-safe; holds one Whoosh searcher."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._columns: _Columns | None = None
        self._columns_for: Any = None

    def warm_up(self) -> None:
        """Open the searcher, build the column arrays and load pyvi before the first query."""
        compounds("khởi động")
        with self._lock:
            self._searcher()

    # -- plumbing ----------------------------------------------------------------
    def _searcher(self) -> tuple[Any, _Columns]:
        s = self.index.searcher()
        if self._columns_for is not s:
            self._columns = _Columns(s)
            self._columns_for = s
        assert self._columns is not None
        return s, self._columns

    def _allowed(self, s: Any, cols: _Columns, req: SearchRequest, kind: str | None) -> np.ndarray | None:
        mask = None

        def both(m: np.ndarray) -> None:
            nonlocal mask
            mask = m if mask is None else mask & m

        if kind:
            both(cols.mask("kind", kind.upper()))
        if req.status:
            both(cols.mask("status", req.status))
        if req.ministry:
            both(cols.mask("ministry", req.ministry.upper()))
        if req.year_from is not None:
            both(cols.year >= req.year_from)
        if req.year_to is not None:
            both((cols.year <= req.year_to) & (cols.year > 0))
        if req.ics:
            m = np.zeros(cols.size, dtype=bool)
            docs = list(s.docs_for_query(wq.Term("ics", req.ics)))
            m[docs] = True
            both(m)
        if mask is not None:
            mask = mask & cols.alive
        return mask

    @staticmethod
    def _scored(s: Any, q: wq.Query, allowed: np.ndarray | None) -> dict[int, float]:
        """Every matching document with its score (one posting walk)."""
        results = s.search(q, limit=None, terms=False)
        pairs = {docnum: score for score, docnum in results.top_n}
        if allowed is not None:
            pairs = {d: sc for d, sc in pairs.items() if allowed[d]}
        return pairs

    # -- query building ----------------------------------------------------------
    @staticmethod
    def _number_queries(pq: ParsedQuery) -> tuple[wq.Query | None, wq.Query | None]:
        exact, series = [], []
        for ident in pq.numbers:
            exact.append(wq.Term("numkey", ident.key))
            if not ident.part and not ident.year:
                series.append(wq.Term("numkey", "~" + ident.key))
        return (wq.Or(exact) if exact else None), (wq.Or(series) if series else None)

    @staticmethod
    def _text_query(pq: ParsedQuery, fields: tuple[str, ...]) -> wq.Query | None:
        if not pq.words:
            return None
        required, optional = [], []
        for w in pq.words:
            alternatives: list[wq.Query] = [wq.Term(f, w.folded) for f in fields]
            english = terms(_ENGLISH, w.folded)
            if english:
                alternatives.append(wq.Term("title_en", english[0]))
            clause = wq.Or(alternatives)
            (required if w.required else optional).append(clause)
            if pq.accented and w.exact != w.folded:
                optional.append(wq.Term("title", w.exact, boost=1.5))
        if pq.accented:
            optional.extend(
                wq.Term("title_c", c.lower(), boost=2.0) for c in compounds(" ".join(w.exact for w in pq.words))
            )
        must = wq.And(required)
        return wq.AndMaybe(must, wq.Or(optional)) if optional else must

    # -- the search --------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchResult:
        req.validate()
        pq = parse_query(req.q)
        result = SearchResult(query=pq.text, total=0, page=req.page, limit=req.limit, filters=req.filters)
        messages = []
        if pq.truncated:
            messages.append("Truy vấn quá dài đã được cắt ngắn / The query was too long and has been shortened.")
        kind = req.kind or pq.kind
        with self._lock:
            s, cols = self._searcher()
            allowed = self._allowed(s, cols, req, kind)
            if pq.is_empty and allowed is None:
                result.message = "Nhập từ khóa hoặc số hiệu tiêu chuẩn / Type words or a standard number."
                return result
            tiers = self._tiers(s, cols, pq, allowed)
            ranked = self._rank(cols, tiers, req.sort, pq.is_empty)
            result.total = len(ranked)
            docset = np.zeros(cols.size, dtype=bool)
            if ranked:
                docset[[d for d, _, _ in ranked]] = True
            result.facets = self._facets(cols, docset)
            start = (req.page - 1) * req.limit
            for docnum, tier, score in ranked[start : start + req.limit]:
                result.hits.append(self._hit(s, docnum, tier, score, pq))
            if result.total < 3 and pq.words:
                result.suggestion = self._suggest(s, cols, pq)
        if result.total == 0:
            messages.append(
                "Không tìm thấy kết quả. Thử bỏ bộ lọc, gõ không dấu hoặc duyệt theo ICS. / "
                "Nothing found: try removing filters, typing without diacritics, or browsing ICS."
            )
        result.message = " ".join(messages) or None
        return result

    def _tiers(self, s: Any, cols: _Columns, pq: ParsedQuery, allowed: np.ndarray | None) -> list[dict[int, float]]:
        """Matches per tier, highest tier first; a document appears in its best tier only."""
        out: list[tuple[int, dict[int, float]]] = []
        if pq.is_empty:  # browse: every allowed document
            docs = np.nonzero(allowed)[0] if allowed is not None else np.nonzero(cols.alive)[0]
            return [(TIER_TITLE, dict.fromkeys(docs.tolist(), 0.0))]  # type: ignore[list-item]
        exact, series = self._number_queries(pq)
        if exact is not None:
            out.append((TIER_NUMBER, self._scored(s, exact, allowed)))
            if series is not None and not out[-1][1]:
                out.append((TIER_SERIES, self._scored(s, series, allowed)))
        if pq.international:
            keys = [wq.Term("equiv", k) for full, series_key in pq.international for k in (full, series_key)]
            out.append((TIER_EQUIV, self._scored(s, wq.Or(keys), allowed)))
        title_q = self._text_query(pq, ("title_f",))
        if title_q is not None:
            titles = self._scored(s, title_q, allowed)
            out.append((TIER_TITLE, titles))
            if len(titles) < FULLTEXT_THRESHOLD:
                body_q = self._text_query(pq, ("title_f", "body_f"))
                out.append((TIER_BODY, self._scored(s, body_q, allowed)))
                significant = [w for w in pq.words if w.required and not w.folded.isdigit()]
                if not titles and not out[-1][1] and len(significant) > 2:
                    # nothing has every word: accept documents with all but one
                    out.append((TIER_BODY - 0.5, self._relaxed(s, significant, allowed)))  # type: ignore[arg-type]
        seen: set[int] = set()
        tiers = []
        for tier, docs in out:
            fresh = {d: sc for d, sc in docs.items() if d not in seen}
            seen.update(fresh)
            tiers.append((tier, fresh))
        return tiers  # type: ignore[return-value]

    def _relaxed(self, s: Any, words: list[Any], allowed: np.ndarray | None) -> dict[int, float]:
        """Documents holding all significant words but one (Whoosh's ``minmatch`` is not honoured)."""
        clauses = [wq.Or([wq.Term("title_f", w.folded), wq.Term("body_f", w.folded)]) for w in words]
        counts: dict[int, int] = {}
        for clause in clauses:
            for docnum in s.docs_for_query(clause):
                counts[docnum] = counts.get(docnum, 0) + 1
        keep = {d for d, n in counts.items() if n >= len(words) - 1}
        if not keep:
            return {}
        results = s.search(wq.Or(clauses), limit=None, terms=False, filter=keep)
        pairs = {docnum: score for score, docnum in results.top_n}
        return {d: sc for d, sc in pairs.items() if allowed is None or allowed[d]}

    @staticmethod
    def _rank(cols: _Columns, tiers: Any, sort: str, browse: bool) -> list[tuple[int, float, float]]:
        status_labels = cols.labels["status"]
        weights = np.array([STATUS_WEIGHT.get(label, 0.85) for label in status_labels])
        ranked = []
        for tier, docs in tiers:
            for docnum, score in docs.items():
                weighted = float(score) * float(weights[cols.codes["status"][docnum]])
                ranked.append((docnum, tier, round(weighted, 4)))
        if sort == "newest" or browse:
            ranked.sort(key=lambda r: (-int(cols.year[r[0]]), -r[1], -r[2]))
        else:
            ranked.sort(key=lambda r: (-r[1], -r[2], -int(cols.year[r[0]])))
        return ranked

    @staticmethod
    def _facets(cols: _Columns, docset: np.ndarray) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {}
        for name in ("kind", "status", "ministry", "decade"):
            counts = np.bincount(cols.codes[name][docset], minlength=len(cols.labels[name]))
            facets[name] = {
                label: int(n)
                for label, n in sorted(zip(cols.labels[name], counts, strict=True), key=lambda x: -x[1])
                if n and label
            }
        ics = {code: int((mask & docset).sum()) for code, mask in cols.ics_masks.items()}
        facets["ics_field"] = {k: v for k, v in sorted(ics.items(), key=lambda x: (-x[1], x[0])) if v}
        facets["decade"] = dict(sorted(facets["decade"].items(), reverse=True))
        return facets

    def _hit(self, s: Any, docnum: int, tier: float, score: float, pq: ParsedQuery) -> Hit:
        f = s.stored_fields(docnum)
        folded = {w.folded for w in pq.words}
        ics = [c for c in (f.get("ics") or "").split(",") if c.count(".") >= 1 or len(c) == 2]
        leaf_ics = [c for c in ics if not any(o != c and o.startswith(c + ".") for o in ics)]
        match = {TIER_NUMBER: "number", TIER_SERIES: "series", TIER_EQUIV: "equivalent", TIER_TITLE: "title"}
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
            score=score,
            highlight=highlight(title, folded),
            match=match.get(tier, "scope"),  # type: ignore[call-overload]
        )
        if tier < TIER_TITLE and f.get("scope"):
            hit.snippet = snippet(f["scope"], folded)
        return hit

    def _suggest(self, s: Any, cols: _Columns, pq: ParsedQuery) -> str | None:
        """A corrected query when some words are unknown to the index's vocabulary.

        Unknown words are corrected to the closest title word (edit distance, then
        frequency), or split in two known words ("ximang" -> "xi mang").
        """
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
                best = " ".join(cols.spelling.get(part, (0, part))[1] for part in best.split())
            words.append(best)
        return " ".join(words) if changed else None

    # -- exact lookup ------------------------------------------------------------
    def resolve(self, text: str) -> list[str]:
        """Slugs of the standards a number query names exactly (newest first)."""
        pq = parse_query(text)
        if not pq.only_number:
            return []
        exact, _ = self._number_queries(pq)
        with self._lock:
            s, cols = self._searcher()
            docs = sorted(s.docs_for_query(exact), key=lambda d: -int(cols.year[d]))
            return [s.stored_fields(d)["slug"] for d in docs]


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short words only; used to rank spelling candidates)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
