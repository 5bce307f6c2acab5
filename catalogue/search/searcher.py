"""Search over the catalogue: the one Python API the web app and the CLI share.

The read pipeline: :func:`~catalogue.search.query.parse_query` (numbers, words)
→ :func:`~catalogue.search.understand.understand` (concepts, intents, synonyms,
translation, typos) → evidence per document from the numpy
:class:`~catalogue.search.snapshot.Snapshot` (:mod:`catalogue.search.matching`) → :mod:`catalogue.search.rules`
(the ordered ranking rules) → a page of :class:`Hit` s with facets.

Contracts:

* :meth:`Searcher.search` never raises for query text; bad *parameters*
  (page, limit, sort, status...) raise :class:`InvalidInput` with a message.
* Best match, not all-or-nothing: a record matching some of the query's
  concepts is a result, ranked by how much it covers (:class:`~catalogue.search.rules.WordsRule`);
  records far below the best coverage (:data:`~catalogue.search.matching.MIN_SHARE`) are left out.  Function
  words never make a query fail.
* Folded syllables are the required match; exact accents, pyvi compounds and
  adjacent words only add to the score.
* Facet counts (kind, status, ICS field, ministry, decade) describe the whole
  filtered result set, not just the page.
* Work per query is bounded (:mod:`catalogue.search.understand` limits);
  :attr:`SearchResult.message` says when the query was simplified.
"""

from __future__ import annotations

import math
import pickle
import time
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from catalogue import lexicon
from catalogue.errors import InvalidInput
from catalogue.identifiers import KINDS
from catalogue.model import STATUSES, YEAR_MAX, YEAR_MIN
from catalogue.search import carry
from catalogue.search.curations import Curations, CurationSource, StaticCurations
from catalogue.search.frozen import freeze, thaw
from catalogue.search.highlight import highlight, snippet
from catalogue.search.lineage import current_first, keys_mask
from catalogue.search.matching import alternative, evaluate
from catalogue.search.query import parse_query
from catalogue.search.rules import NEWEST_FIRST, RULES
from catalogue.search.snapshot import Snapshot
from catalogue.search.swap import BACKGROUND_FROM, Build, SnapshotSwap
from catalogue.search.topk import top
from catalogue.search.understand import Alternative, Understanding, understand
from catalogue.search.universe import Universe
from indexer.analysis import compounds
from indexer.index import Index

__all__ = ["Hit", "SearchRequest", "SearchResult", "Searcher"]

MAX_LIMIT = 100
MAX_WINDOW = 10_000
SORTS = ("relevance", "newest")
WARM = 1024  # recent requests answered on an upcoming generation before its swap
WARM_SECONDS = 2.0  # and for at most this long: the rebuild waits 5 s for its servers


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
        if self.kind is not None and self.kind.upper() not in KINDS:
            raise InvalidInput("loại phải là TCVN hoặc QCVN / kind must be TCVN or QCVN")
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(f"tình trạng phải là một trong / status must be one of {', '.join(STATUSES)}")
        if self.ics is not None and not all(p.isdigit() for p in self.ics.split(".")):
            raise InvalidInput("mã ICS có dạng 67.120.10 / ICS codes look like 67.120.10")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit phải từ 1 đến {MAX_LIMIT} / limit must be 1..{MAX_LIMIT}")
        if self.page < 1 or self.page * self.limit > MAX_WINDOW:
            raise InvalidInput(f"trang không hợp lệ / page must be ≥ 1 and page×limit ≤ {MAX_WINDOW}")
        if self.sort not in SORTS:
            raise InvalidInput("sort phải là relevance hoặc newest / sort must be relevance or newest")
        for y in (self.year_from, self.year_to):
            if y is not None and not YEAR_MIN <= y <= YEAR_MAX:
                raise InvalidInput(f"năm phải từ {YEAR_MIN} đến {YEAR_MAX} / years must be {YEAR_MIN}..{YEAR_MAX}")

    @property
    def filters(self) -> dict[str, Any]:
        names = ("kind", "status", "ics", "ministry", "year_from", "year_to")
        return {k: getattr(self, k) for k in names if getattr(self, k) not in (None, "")}


# a result's cache key is (curations version, *these fields' values): made in search(), read back in _warm()
_REQUEST_FIELDS = tuple(f.name for f in fields(SearchRequest))


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
    match: str = "title"  # number | replacement | series | equivalent | title | scope | other
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
    notices: list[str] = field(default_factory=list)  # keys of what ``message`` says (pages word them per language)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, MAX_WINDOW) / self.limit))

    def to_dict(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` gives, built directly (asdict deep-copies: 0.2 ms a page)."""
        out = {name: getattr(self, name) for name in _RESULT_FIELDS}
        out["hits"] = [{name: _copied(getattr(h, name)) for name in _HIT_FIELDS} for h in self.hits]
        out["facets"] = {k: dict(v) for k, v in self.facets.items()}
        out["filters"] = dict(self.filters)
        out["notices"] = list(self.notices)
        return out

    def copy(self) -> SearchResult:
        """A result sharing the (never modified) hits, with its own lists and dicts."""
        return replace(
            self, hits=list(self.hits), facets=dict(self.facets), filters=dict(self.filters), notices=list(self.notices)
        )


_RESULT_FIELDS = [f.name for f in fields(SearchResult)]
_HIT_FIELDS = [f.name for f in fields(Hit)]


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


class Searcher:
    """Search service over one :class:`Index`.  Thread-safe.

    Query evaluation runs on a :class:`~catalogue.search.snapshot.Snapshot` of the served
    generation: numpy arrays over Whoosh's posting lists, rebuilt when the
    generation or its segments change, outside the queries' way
    (:class:`~catalogue.search.swap.SnapshotSwap`).  ``build`` is the seam that
    makes a snapshot (tests gate it).
    """

    def __init__(
        self,
        index: Index,
        build: Build | None = None,
        background_from: int = BACKGROUND_FROM,
        curations: CurationSource | None = None,
    ) -> None:
        self.index = index
        self.curations = curations or StaticCurations()
        self.swap = SnapshotSwap(
            index.searcher,
            build or (lambda s, previous: Snapshot(s, previous)),
            background_from,
            index.own,
            index.upcoming,
            index.prepared,
            self._warm,
        )

    def warm_up(self) -> None:
        """Open the searcher, build the snapshot and load pyvi and the lexicon before the first query."""
        compounds("khởi động")
        lexicon.load()
        self.snapshot()

    def snapshot(self) -> Snapshot:
        """The served snapshot; never waits for a build while one exists (see :class:`SnapshotSwap`)."""
        return self.swap.get()

    # -- the search --------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchResult:
        """The result of ``req`` on the served snapshot; repeated requests come from its result cache."""
        req.validate()
        snap = self.snapshot()
        curations = self.curations.current()
        key = (curations.version, *(getattr(req, name) for name in _REQUEST_FIELDS))
        kept = snap.results.get(key)
        if kept is not None:
            return thaw(kept[0], SearchResult, Hit)
        return self._answer(snap, key, req, curations)

    def _answer(self, snap: Snapshot, key: tuple, req: SearchRequest, curations: Curations) -> SearchResult:
        """``req`` evaluated on ``snap`` and kept in its results under ``key``."""
        with carry.recording() as reads:  # what it read decides whether the next snapshot may keep it
            result = self._search(snap, req, curations)
        snap.results.put(key, (freeze(result), carry.sealed(reads)))  # tuples: nothing for the gc to walk
        return result

    def _warm(self, snap: Snapshot, served: Snapshot | None) -> None:
        """Answer on ``snap`` (an upcoming generation's) the requests ``served`` answered most recently, at
        most :data:`WARM` of them and for at most :data:`WARM_SECONDS`: the swap then serves them from its
        cache, not a cold one (Solr's autowarming)."""
        if served is None:
            return
        curations = self.curations.current()
        deadline = time.monotonic() + WARM_SECONDS
        for key, _ in served.results.items()[-WARM:]:  # oldest of them first: the newest end most recent
            if key[0] != curations.version or snap.results.get(key) is not None:
                continue
            self._answer(snap, key, SearchRequest(**dict(zip(_REQUEST_FIELDS, key[1:], strict=True))), curations)
            if time.monotonic() > deadline:
                break

    def _search(self, snap: Snapshot, req: SearchRequest, curations: Curations | None = None) -> SearchResult:
        curations = self.curations.current() if curations is None else curations
        kept = snap.understood.get(req.q)  # pure given the snapshot's vocabulary: kept per query text, pickled
        if kept is not None:  # (bytes: nothing for the garbage collector to walk)
            u = pickle.loads(kept[0])
            carry.note_reads(kept[1])  # what understanding it read, this search depends on too
        else:
            with carry.recording() as reads:
                u = understand(req.q, snap.vocabulary)
            snap.understood.put(req.q, (pickle.dumps(u, pickle.HIGHEST_PROTOCOL), carry.sealed(reads)))
        pq = u.parsed
        result = SearchResult(query=pq.text, total=0, page=req.page, limit=req.limit, filters=req.filters)
        messages = []
        if pq.truncated:
            result.notices.append("truncated")
            messages.append("Truy vấn quá dài đã được cắt ngắn / The query was too long and has been shortened.")
        elif u.simplified:
            result.notices.append("simplified")
            messages.append("Truy vấn đã được rút gọn / The query was simplified: only its main words were searched.")
        allowed = self._allowed(snap, req, req.kind)
        if u.is_empty:
            carry.note_everything()  # browsing lists every allowed document: any edit may change it
        if u.is_empty and allowed is None:
            result.message = "Nhập từ khóa hoặc số hiệu tiêu chuẩn / Type words or a standard number."
            result.notices = ["type"]
            return result
        matched, ev, info = evaluate(snap, u, allowed, curations)
        carry.note_matched(snap.leaves, matched)  # an edit deleting none of them cannot change this answer's documents
        result.total = int(matched.size)
        docset = np.zeros(snap.size, dtype=bool)
        docset[matched] = True
        result.facets = self._facets(snap, matched, docset)
        start = (req.page - 1) * req.limit
        rules = NEWEST_FIRST if req.sort == "newest" or u.is_empty else RULES
        head = top(ev, rules, start + req.limit)
        if rules is RULES:
            head = current_first(snap, matched, head, info)
        ranked = head[start:]
        words = self._highlight_words(u)
        for position in ranked.tolist():
            result.hits.append(self._hit(snap, int(matched[position]), position, info, words))
        if u.corrections:
            result.suggestion = self._suggestion(snap, u, allowed, result.total)
        if result.total == 0:
            result.notices.append("nothing")
            messages.append(
                "Không tìm thấy kết quả. Thử bỏ bộ lọc, dùng từ khác hoặc duyệt theo ICS. / "
                "Nothing found: try removing filters, other words, or browsing by ICS."
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

    def _suggestion(self, snap: Snapshot, u: Understanding, allowed: np.ndarray | None, total: int) -> str | None:
        """The query with its unknown words corrected, offered only when it finds more than the words as typed.

        Words the index knows are never replaced (only unknown words carry corrections).
        """
        words = []
        for w in u.parsed.text.split():
            fixed = u.corrections.get(w.lower())
            if fixed is not None and u.parsed.accented:  # "mắmm" -> "mắm", not "mam"
                fixed = " ".join(snap.spelling.get(part, (0, part))[1] for part in fixed.split())
            words.append(fixed or w)
        suggestion = " ".join(words)
        if suggestion.lower() == u.parsed.text.lower():
            return None
        strict = Understanding(
            parsed=u.parsed,
            concepts=[
                replace(c, alternatives=tuple(a for a in c.alternatives if a.kind not in ("typo", "split")))
                for c in u.concepts
            ],
            intents=u.intents,
        )
        typed = evaluate(snap, strict, allowed)[0]
        carry.note_matched(snap.leaves, typed)  # the suggestion depends on these too
        typed_total = int(typed.size)
        return suggestion if total > typed_total else None

    @staticmethod
    def _highlight_words(u: Understanding) -> set[str]:
        return {w for c in u.concepts for a in c.alternatives if a.field == "vi" for w in a.words}

    @staticmethod
    def _facets(snap: Snapshot, matched: np.ndarray, docset: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts over the matched documents (``matched``: their numbers; ``docset``: the same as a mask)."""
        facets: dict[str, dict[str, int]] = {}
        for name in ("kind", "status", "ministry", "decade"):
            counts = np.bincount(snap.codes[name][matched], minlength=len(snap.labels[name]))
            pairs = [(label, int(n)) for label, n in zip(snap.labels[name], counts, strict=True) if n and label]
            facets[name] = dict(sorted(pairs, key=lambda x: -x[1]))
        counts = np.bincount(snap.ics_code[docset[snap.ics_doc]], minlength=len(snap.ics_fields))
        ics = {code: int(n) for code, n in zip(snap.ics_fields, counts.tolist(), strict=True)}
        facets["ics_field"] = {k: v for k, v in sorted(ics.items(), key=lambda x: (-x[1], x[0])) if v}
        facets["decade"] = dict(sorted(facets["decade"].items(), reverse=True))
        return facets

    @staticmethod
    def _hit(snap: Snapshot, docnum: int, position: int, info: dict[str, np.ndarray], words: set[str]) -> Hit:
        """The hit of ``docnum``, the ``position``-th matched document (``info``: one entry per matched)."""
        f = snap.stored(docnum)
        ics = [c for c in (f.get("ics") or "").split(",") if c]
        leaf_ics = [c for c in ics if not any(o != c and o.startswith(c + ".") for o in ics)]
        title = f.get("title_vi") or f.get("title_en_text") or ""
        if info["number"][position] == 2:
            match = "number"
        elif info["number"][position] == 1:
            match = "replacement"
        elif info["series"][position]:
            match = "series"
        elif info["equivalent"][position]:
            match = "equivalent"
        elif info["title"][position] > 0 and info["title"][position] >= 0.5 * info["all"][position]:
            match = "title"
        else:
            match = "scope" if f.get("scope") else "other"
        hit = Hit(
            number=f["number"],
            slug=f["slug"],
            kind=f["kind"],
            title_vi=f.get("title_vi"),
            title_en=f.get("title_en_text"),
            status=f["status"],
            year=f.get("year") or None,
            ics=sorted(leaf_ics),
            score=0.0,
            highlight=highlight(title, words),
            match=match,
            current=f.get("current"),
            replaced_by=list(f.get("replaced_by") or []),
            confirmed_by=f.get("confirmed_by"),
        )
        if match in ("scope", "other") and f.get("scope"):
            hit.snippet = snippet(f["scope"], words)
        return hit

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
            everything = Universe(snap.size, np.arange(snap.size))
            for w in done:
                alt = Alternative((w.folded,), 1.0, "typed")
                _, word_mask, word_score, _, _ = alternative(snap, everything, alt)
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
        mask = keys_mask(snap, "numkey", [i.key for i in pq.numbers])
        docs = sorted(np.nonzero(mask & snap.alive)[0].tolist(), key=lambda d: -int(snap.year[d]))
        return [snap.stored(d)["slug"] for d in docs]
