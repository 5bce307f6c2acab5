"""Search over the catalogue: the one Python API the web app and the CLI share.

The read pipeline: :func:`~catalogue.search.query.parse_query` (numbers, words)
→ :func:`~catalogue.search.understand.understand` (concepts, intents, synonyms,
translation, typos) → evidence per document from the numpy
:class:`~catalogue.search.snapshot.Snapshot` → :mod:`catalogue.search.rules`
(the ordered ranking rules) → a page of :class:`Hit` s with facets.

Contracts:

* :meth:`Searcher.search` never raises for query text; bad *parameters*
  (page, limit, sort, status...) raise :class:`InvalidInput` with a message.
* Best match, not all-or-nothing: a record matching some of the query's
  concepts is a result, ranked by how much it covers (:class:`~catalogue.search.rules.WordsRule`);
  records far below the best coverage (:data:`MIN_SHARE`) are left out.  Function
  words never make a query fail.
* Folded syllables are the required match; exact accents, pyvi compounds and
  adjacent words only add to the score.
* Facet counts (kind, status, ICS field, ministry, decade) describe the whole
  filtered result set, not just the page.
* Work per query is bounded (:mod:`catalogue.search.understand` limits);
  :attr:`SearchResult.message` says when the query was simplified.
"""

from __future__ import annotations

import itertools
import math
import pickle
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from catalogue import lexicon
from catalogue.errors import InvalidInput
from catalogue.identifiers import KINDS, parse_loose
from catalogue.model import STATUSES, YEAR_MAX, YEAR_MIN
from catalogue.search.curations import Curations, CurationSource, StaticCurations, name_words
from catalogue.search.frozen import freeze, thaw
from catalogue.search.highlight import highlight, snippet
from catalogue.search.query import parse_query
from catalogue.search.rules import NEWEST_FIRST, RULES, Evidence, replacements_first
from catalogue.search.snapshot import Snapshot
from catalogue.search.swap import BACKGROUND_FROM, Build, SnapshotSwap
from catalogue.search.topk import top
from catalogue.search.understand import Alternative, Concept, Understanding, understand
from catalogue.search.universe import Universe
from indexer.analysis import compounds, english_analyzer, terms
from indexer.index import Index

__all__ = ["Hit", "SearchRequest", "SearchResult", "Searcher"]

MAX_LIMIT = 100
MAX_WINDOW = 10_000
SORTS = ("relevance", "newest")
MIN_SHARE = 0.34  # a word match must cover a third of what the best record covers, and a word that is not weak
BODY_FACTOR = 0.5  # a word found only in the scope scores half
BODY_COVERAGE = 0.75  # … and covers three quarters of what it covers in a title
SCATTERED_SHARE = 0.5  # the words of a phrase found in a title, but not side by side
ACCENT_BONUS = 0.25  # the accented words typed, in the title
WHOLE_TITLE_BONUS = 0.5  # the title says no more than the query: the record the query names
CURATED_WEIGHT = 0.8  # a curated product name counts as a synonym of the title's words in the exactness rule
# the same, in the coverage: the folded word is found, the word typed is not (one word only: a phrase whose
# folded words stand side by side is that phrase, an accent mistyped)
ACCENT_MISS_COVERAGE = 0.5
NAMED_MIN = 0.75  # a named concept counts in the named rule when matched whole (a phrase: in a title)
ACCENT_MISS_WEIGHT = 0.75  # the words typed with accents, found only folded: below a synonym (0.8)
PHRASE_BOOST = 1.0  # adjacent query words adjacent in the title
COMPOUND_BOOST = 2.0  # a pyvi compound of the query in the title
CHAIN_HOPS = 6
DENSE_BELOW = 4096  # catalogues smaller than this evaluate over every allowed document (no reach pass)
DENSE_SHARE = 1.0  # posting lists longer in all than this share of the catalogue: every allowed document too
IDF_FULL = 3.0  # a word in fewer than ~1/19 of the records counts fully in the coverage
IDF_FLOOR = 0.25
METHOD_TERMS = (("title_bi", "phuong_phap"), ("title_bi", "xac_dinh"), ("title_bi", "thu_nghiem"))
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
        key = (curations.version, *(getattr(req, f.name) for f in fields(SearchRequest)))
        frozen = snap.results.get(key)
        if frozen is not None:
            return thaw(frozen, SearchResult, Hit)
        result = self._search(snap, req, curations)
        snap.results.put(key, freeze(result))  # tuples: nothing for the garbage collector to walk
        return result

    def _search(self, snap: Snapshot, req: SearchRequest, curations: Curations | None = None) -> SearchResult:
        curations = self.curations.current() if curations is None else curations
        kept = snap.understood.get(req.q)  # pure given the snapshot's vocabulary: kept per query text, pickled
        if kept is not None:  # (bytes: nothing for the garbage collector to walk)
            u = pickle.loads(kept)
        else:
            u = understand(req.q, snap.vocabulary)
            snap.understood.put(req.q, pickle.dumps(u, pickle.HIGHEST_PROTOCOL))
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
        if u.is_empty and allowed is None:
            result.message = "Nhập từ khóa hoặc số hiệu tiêu chuẩn / Type words or a standard number."
            result.notices = ["type"]
            return result
        matched, ev, info = self._evaluate(snap, u, allowed, curations)
        result.total = int(matched.size)
        docset = np.zeros(snap.size, dtype=bool)
        docset[matched] = True
        result.facets = self._facets(snap, matched, docset)
        start = (req.page - 1) * req.limit
        rules = NEWEST_FIRST if req.sort == "newest" or u.is_empty else RULES
        head = top(ev, rules, start + req.limit)
        if rules is RULES:
            head = self._current_first(snap, matched, head, info)
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

    def _evaluate(
        self,
        snap: Snapshot,
        u: Understanding,
        allowed: np.ndarray | None,
        curations: Curations | None = None,
        reference: bool = False,
    ) -> tuple[np.ndarray, Evidence, dict[str, np.ndarray]]:
        """The matched documents (ascending), their evidence for the rules, and match info (one entry each).

        Every per-document array is built over the query's :class:`~catalogue.search.universe.Universe`:
        the allowed documents its posting lists and number look-ups reach; every allowed document below
        :data:`DENSE_BELOW` records, or when the lists are as long as :data:`DENSE_SHARE` of the
        catalogue.  ``reference`` evaluates the plain way (every allowed document, universe-sized
        arrays for every alternative): what the fast paths must equal.
        """
        size = snap.size
        ok = snap.alive if allowed is None else allowed
        pq = u.parsed
        dense = reference or size < DENSE_BELOW
        number = np.zeros(size, dtype=np.int8)
        series = np.zeros(size, dtype=bool)
        equivalent = np.zeros(size, dtype=np.int8)
        keys = [i.key for i in pq.numbers]
        exact = self._keys_mask(snap, "numkey", keys)
        if exact is not None:
            newer = self._keys_mask(snap, "replaces", keys)  # an edition not held, named by its replacement
            if not (exact & ok).any():  # "/BNN" for "/BNNPTNT", or a year not held: the other editions
                loose = [i._key(ministry=False) for i in pq.numbers if i.ministry]
                loose += [i._key(year=False) for i in pq.numbers if i.year and not i.amendment]
                newer |= self._keys_mask(snap, "numkey", loose) if loose else newer
            number[self._chain(snap, (exact | newer) & ok) | newer] = 1
            number[exact] = 2
            if not (exact & ok).any():
                keys = [f"~{i.key}" for i in pq.numbers if not i.part and not i.year]
                mask = self._keys_mask(snap, "numkey", keys)
                if mask is not None:
                    series |= mask
        if pq.international:
            full = self._keys_mask(snap, "equiv", [f for f, _ in pq.international])
            of_series = self._keys_mask(snap, "equiv", [s for _, s in pq.international])
            if full is not None and of_series is not None:
                equivalent = np.maximum(full.astype(np.int8) * 2, of_series.astype(np.int8))
        curated = self._curated(snap, u, curations) if curations else {}
        lists = (
            []
            if dense or u.is_empty
            else [d for c in u.concepts for a in self._usable(snap, c) for d in self._reach(snap, a)]
        )
        if dense or u.is_empty or sum(d.size for d in lists) >= DENSE_SHARE * size:
            uni = Universe.of_mask(ok)  # browsing (no query) lists every allowed document
        else:
            reach = (number > 0) | series | (equivalent > 0)
            for docnums in lists:
                reach[docnums] = True
            for named in curated.values():
                reach |= named
            uni = Universe.of_mask(reach & ok)
        number, series, equivalent = uni.of(number), uni.of(series), uni.of(equivalent)
        m = uni.size
        coverage = np.zeros(m, dtype=np.float32)
        title_coverage = np.zeros(m, dtype=np.float32)
        named_coverage = np.zeros(m, dtype=np.float32)
        exactness = np.zeros(m, dtype=np.float32)
        relevance = np.zeros(m, dtype=np.float32)
        strong = np.zeros(m, dtype=bool)  # matches a concept that is no weak word
        has_strong = any(c.importance >= 1 for c in u.concepts)
        for position, concept in enumerate(u.concepts):
            any_c, title_c, best_c, rel_c = self._concept(snap, uni, concept, reference)
            if position in curated:  # a product name the curators tied to the record: as good as its title
                named = uni.of(curated[position])
                np.maximum(any_c, named, out=any_c)
                np.maximum(title_c, named, out=title_c)
                np.maximum(best_c, named * CURATED_WEIGHT, out=best_c)
            weight = concept.importance * self._informative(snap, concept)
            coverage += weight * any_c
            if concept.named:  # matched whole: not a part, not scattered, not a folded look-alike ("tra" of "kiểm tra")
                # a phrase counts in a title only: bodies keep no word order ("nước … tường" is no "nước tương")
                whole = any_c if len(concept.alternatives[0].words) == 1 else title_c
                named_coverage += weight * np.where(whole >= NAMED_MIN, whole, 0)
            title_coverage += weight * title_c
            exactness += weight * best_c
            relevance += rel_c
            if concept.importance >= 1 or not has_strong:
                strong |= any_c > 0
        relevance += self._proximity(snap, uni, u)
        if u.concepts:  # a title that is the query itself ("Nước mắm" for "nuoc mam") is the most exact match
            typed = sum(len(c.alternatives[0].words) for c in u.concepts if c.alternatives)
            total = sum(c.importance * self._informative(snap, c) for c in u.concepts)
            whole = (uni.of(snap.lengths["title_f"]) <= typed) & (title_coverage >= total - 1e-4) & (title_coverage > 0)
            whole &= ~uni.of(snap.replaced)  # an old edition titled the same never outranks its replacement
            exactness += whole * WHOLE_TITLE_BONUS
        by_words = strong & (coverage > 0)  # every candidate is allowed
        if by_words.any():
            best = float(coverage[by_words].max(initial=0.0))
            by_words &= coverage >= best * MIN_SHARE
        hit_mask = np.ones(m, dtype=bool) if u.is_empty else (number > 0) | series | (equivalent > 0) | by_words
        positions = np.flatnonzero(hit_mask)
        matched = uni.docs[positions]
        status_labels = np.array(snap.labels["status"], dtype=object)
        kind_labels = np.array(snap.labels["kind"], dtype=object)
        status_codes = snap.codes["status"][matched]
        status = status_labels[status_codes]
        in_force = np.array([label in ("active", "unknown") for label in snap.labels["status"]], dtype=bool)
        is_current = in_force[status_codes] & ~snap.replaced[matched]
        is_current &= _latest(snap.codes["edition"][matched], snap.year[matched])
        is_method = np.zeros(matched.size, dtype=bool)
        if "method" in u.intents:
            method = np.zeros(size, dtype=bool)
            for fieldname, term in METHOD_TERMS:
                method[snap.docs(fieldname, term)] = True
            is_method = method[matched]
        ev = Evidence(
            number=number[positions],
            series=series[positions],
            equivalent=equivalent[positions],
            coverage=coverage[positions],
            named=named_coverage[positions],
            title_coverage=title_coverage[positions],
            exactness=exactness[positions],
            relevance=relevance[positions],
            status=status,
            kind=kind_labels[snap.codes["kind"][matched]],
            year=snap.year[matched],
            is_current=is_current,
            is_method=is_method,
            intents=set(u.intents),
        )
        info = {
            "number": ev.number,
            "series": ev.series,
            "equivalent": ev.equivalent,
            "title": ev.title_coverage,
            "all": ev.coverage,
        }
        return matched, ev, info

    @staticmethod
    def _informative(snap: Snapshot, concept: Concept) -> float:
        """How much a concept says, from 0.25 to 1: an idf of :data:`IDF_FULL` or more counts fully.

        "gia" (in every "quốc gia") says little; "xăng" says a lot.  A phrase counts
        as its rarest word; a word the index does not know, as its corrections.
        """

        def rarest(kinds: tuple[str, ...]) -> int:
            found = [
                snap.vocabulary.frequency(w)
                for alt in concept.alternatives[:4]
                if alt.field == "vi" and alt.kind in kinds
                for w in alt.words
            ]
            return min((f for f in found if f > 0), default=0)

        # the words typed; failing those, the likeliest correction (they come most frequent first)
        frequency = (
            rarest(("typed",))
            or rarest(("split",))
            or next((snap.vocabulary.frequency(a.words[0]) for a in concept.alternatives if a.kind == "typo"), 0)
        )
        if not frequency:
            return 1.0
        idf = math.log(1 + snap.doc_count / frequency)
        return min(1.0, max(IDF_FLOOR, idf / IDF_FULL))

    def _curated(self, snap: Snapshot, u: Understanding, curations: Curations) -> dict[int, np.ndarray]:
        """Per concept position: the records a curated product name covering the whole concept names
        (and the editions that replaced them).  Names may span several concepts ("phích" "cắm")."""
        words: list[str] = []
        owner: list[int] = []
        for position, concept in enumerate(u.concepts):
            typed = concept.alternatives[0].words if concept.alternatives else ()
            for word in name_words(" ".join(typed)):
                words.append(word)
                owner.append(position)
        found: dict[int, np.ndarray] = {}
        for start, end, numbers in curations.spans(tuple(words)):
            inside = set(owner[start:end])
            whole = [p for p in inside if all(start <= j < end for j, o in enumerate(owner) if o == p)]
            keys = [ident.key for n in numbers if (ident := parse_loose(n)) is not None]
            mask = self._keys_mask(snap, "numkey", keys) if whole else None
            if mask is None or not mask.any():
                continue
            mask |= self._chain(snap, mask)
            for p in whole:
                found[p] = found.get(p, np.zeros(snap.size, dtype=bool)) | mask
        return found

    def _current_first(self, snap: Snapshot, matched: np.ndarray, head: np.ndarray, info: dict) -> np.ndarray:
        """``head`` (positions in ``matched``, ranked) after :func:`replacements_first`; a number typed
        exactly stays where it is: the user named that edition."""
        docs = matched[head].tolist()
        if not docs or not self._superseded(snap, docs).any():
            return head

        def successors(doc: int) -> list[int]:
            at = int(np.searchsorted(matched, doc))
            return [] if info["number"][at] == 2 else self._successors(snap, doc)

        moved = replacements_first(docs, successors, _SortedDocs(matched))[: len(docs)]
        return np.searchsorted(matched, np.array(moved, dtype=matched.dtype))

    @staticmethod
    def _superseded(snap: Snapshot, docnums: list[int]) -> np.ndarray:
        """Whether each document names a replacement or has a status saying it was superseded."""
        labels = np.array(snap.labels["status"], dtype=object)
        status = labels[snap.codes["status"][docnums]]
        return snap.replaced[docnums] | np.isin(status, ("replaced", "withdrawn"))

    def _successors(self, snap: Snapshot, docnum: int) -> list[int]:
        """The editions that replaced ``docnum`` (its recorded replacements, followed, and the
        current edition its status was reasoned from), oldest first; empty when it is not superseded."""
        if not self._superseded(snap, [docnum])[0]:
            return []
        start = np.zeros(snap.size, dtype=bool)
        start[docnum] = True
        newer = self._chain(snap, start)
        stored = snap.stored(docnum)
        current = parse_loose(stored.get("current") or "")
        if current is not None and stored.get("current") != stored.get("number"):
            newer |= self._keys_mask(snap, "numkey", [current.key])
        newer[docnum] = False
        return sorted(np.nonzero(newer)[0].tolist(), key=lambda d: snap.year[d])

    def _chain(self, snap: Snapshot, start: np.ndarray) -> np.ndarray:
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
            mask = self._keys_mask(snap, "numkey", keys)
            if mask is None:
                break
            fresh = mask & ~seen & ~start
            seen |= fresh
            frontier = np.nonzero(fresh)[0].tolist()[:20]
            if not frontier:
                break
        return seen

    @staticmethod
    def _keys_mask(snap: Snapshot, field: str, keys: list[str]) -> np.ndarray | None:
        if not keys:
            return None
        mask = np.zeros(snap.size, dtype=bool)
        for key in keys:
            mask[snap.docs(field, key)] = True
        return mask

    @staticmethod
    def _usable(snap: Snapshot, concept: Concept) -> list[Alternative]:
        """The alternatives of ``concept`` that can match: a word no record holds matches nothing."""
        return [
            alt
            for alt in concept.alternatives
            if alt.field != "vi" or all(snap.vocabulary.frequency(w) for w in alt.words)
        ]

    @staticmethod
    def _fields(alt: Alternative, word: str) -> list[tuple[str, str, float]]:
        """``(field, term, factor)`` of the posting lists one word of ``alt`` is scored on."""
        if alt.field != "en":
            return [("title_f", word, 1.0), ("body_f", word, BODY_FACTOR)]
        stems = terms(_ENGLISH, word)
        return [("title_en", stems[0], 1.0), ("body_en", stems[0], BODY_FACTOR)] if stems else []

    def _reach(self, snap: Snapshot, alt: Alternative) -> list[np.ndarray]:
        """Document numbers of every posting list ``alt`` reads: a superset of where it can match."""
        return [snap.docs(name, term) for word in alt.words for name, term, _ in self._fields(alt, word)]

    def _alternative(self, snap: Snapshot, uni: Universe, alt: Alternative) -> tuple[np.ndarray, ...]:
        """Where every word of ``alt`` matches (anywhere; in the title), its BM25F score there,
        where the title holds the accented words typed, and where a phrase's words are scattered in a title."""
        size = uni.size
        if len(alt.words) == 1 and alt.field == "vi" and not alt.exact:  # the common case, without the AND
            word = alt.words[0]
            title_docs, title_scores = uni.take(*snap.bm25("title_f", word))
            body_docs, body_scores = uni.take(*snap.bm25("body_f", word))
            everywhere = np.zeros(size, dtype=bool)
            in_title = np.zeros(size, dtype=bool)
            score = np.zeros(size, dtype=np.float32)
            in_title[title_docs] = True
            everywhere[title_docs] = True
            everywhere[body_docs] = True
            score[title_docs] = title_scores
            score[body_docs] += BODY_FACTOR * body_scores
            return everywhere, in_title, score, np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
        everywhere = np.ones(size, dtype=bool)
        in_title = np.ones(size, dtype=bool)
        in_body = np.ones(size, dtype=bool)
        score = np.zeros(size, dtype=np.float32)
        for word in alt.words:
            word_title = np.zeros(size, dtype=bool)
            word_body = np.zeros(size, dtype=bool)
            for name, term, factor in self._fields(alt, word):
                docnums, s = uni.take(*snap.bm25(name, term))
                (word_body if name.startswith("body") else word_title)[docnums] = True
                score[docnums] += factor * s
            in_title &= word_title
            in_body &= word_body | word_title
        loose = np.zeros(size, dtype=bool)
        if alt.field == "vi" and len(alt.words) > 1:
            # in a title the words of a phrase stand side by side ("phân hữu cơ" is not "Phần 6 … hữu cơ");
            # scattered, they count for :data:`SCATTERED_SHARE`
            adjacent = in_title.copy()
            for left, right in itertools.pairwise(alt.words):
                adjacent &= uni.mask(snap.docs("title_bi", f"{left}_{right}"))
            loose = in_title & ~adjacent
            in_title = adjacent
            in_body = _body_only(snap, uni, alt.words)
        everywhere = in_title | in_body
        exact_title = np.zeros(size, dtype=bool)
        if alt.exact and in_title.any():
            exact_title = in_title.copy()
            for word in alt.exact:
                exact_title &= uni.mask(snap.docs("title", word))
        score = np.where(everywhere, score, np.where(loose, SCATTERED_SHARE * score, 0)).astype(np.float32)
        return everywhere, in_title, score, exact_title, loose

    def _concept(
        self, snap: Snapshot, uni: Universe, concept: Concept, reference: bool = False
    ) -> tuple[np.ndarray, ...]:
        """Per candidate: coverage anywhere, coverage in titles, best alternative weight, relevance.

        ``reference``: every alternative through :meth:`_alternative`'s universe-sized arrays
        (the fast path for one-word alternatives must give the same values).
        """
        size = uni.size
        any_c = np.zeros(size, dtype=np.float32)
        title_c = np.zeros(size, dtype=np.float32)
        best_c = np.zeros(size, dtype=np.float32)
        rel_c = np.zeros(size, dtype=np.float32)
        for alt in self._usable(snap, concept):
            if len(alt.words) == 1 and alt.field == "vi" and not reference:
                # one folded word: update only where its two posting lists are (the same values as below)
                title, title_scores = uni.take(*snap.bm25("title_f", alt.words[0]))
                body, body_scores = uni.take(*snap.bm25("body_f", alt.words[0]))
                score = np.zeros(size, dtype=np.float32)
                score[title] = title_scores
                score[body] += BODY_FACTOR * body_scores
                exact_title = None
                if alt.exact:  # the accented words typed, in the title
                    exact_title = np.zeros(size, dtype=bool)
                    exact_title[title] = True
                    for word in alt.exact:
                        exact_title &= uni.mask(snap.docs("title", word))
                # coverage as in the general path below: a folded-only title match covers less, so does the scope
                covers = np.full(title.size, alt.coverage, dtype=np.float32)
                if exact_title is not None:
                    covers = np.where(exact_title[title], covers, covers * ACCENT_MISS_COVERAGE).astype(np.float32)
                any_c[title] = np.maximum(any_c[title], covers)
                title_c[title] = np.maximum(title_c[title], covers)
                in_title = np.zeros(size, dtype=bool)
                in_title[title] = True
                scope_only = body[~in_title[body]]
                any_c[scope_only] = np.maximum(any_c[scope_only], alt.coverage * BODY_COVERAGE)
                for where in (title, body):
                    if exact_title is None:
                        best_c[where] = np.maximum(best_c[where], alt.weight * alt.coverage)
                    else:
                        quality = _accent_quality(alt, exact_title[where])
                        best_c[where] = np.maximum(best_c[where], quality * alt.coverage)
                    rel_c[where] = np.maximum(rel_c[where], alt.weight * score[where])
                continue
            everywhere, in_title, score, exact_title, loose = self._alternative(snap, uni, alt)
            scattered = loose * (SCATTERED_SHARE * alt.coverage)
            covers = np.float32(alt.coverage)
            if alt.exact and len(alt.words) == 1:  # "từ" is no match for "tủ" typed: only the folded word covers less
                covers = np.where(in_title & ~exact_title, ACCENT_MISS_COVERAGE, 1.0).astype(np.float32) * covers
            body = np.where(in_title, 1.0, BODY_COVERAGE)  # a word found only in the scope covers less
            np.maximum(any_c, np.maximum(body * everywhere * covers, scattered), out=any_c)
            np.maximum(title_c, np.maximum(in_title * covers, scattered), out=title_c)
            if alt.exact:  # accents typed: the accents found, or only the folded word ("o" of "ô tô" for "ổ")
                np.maximum(best_c, everywhere * (_accent_quality(alt, exact_title) * alt.coverage), out=best_c)
            else:
                np.maximum(best_c, everywhere * (alt.weight * alt.coverage), out=best_c)
            np.maximum(rel_c, alt.weight * score, out=rel_c)
        return any_c, title_c, best_c, rel_c

    def _proximity(self, snap: Snapshot, uni: Universe, u: Understanding) -> np.ndarray:
        """Adjacent typed words found adjacent in a title, and pyvi compounds of an accented query."""
        boost = np.zeros(uni.size, dtype=np.float32)
        typed = [c.alternatives[0] for c in u.concepts if c.alternatives and c.alternatives[0].field == "vi"]
        words = [w for alt in typed for w in alt.words]
        for left, right in itertools.pairwise(words):
            docnums, s = uni.take(*snap.bm25("title_bi", f"{left}_{right}"))
            boost[docnums] += PHRASE_BOOST * s
        if u.parsed.accented and words:
            text = " ".join(w for alt in typed for w in (alt.exact or alt.words))
            for compound in compounds(text)[:8]:
                docnums, s = uni.take(*snap.bm25("title_c", compound.lower()))
                boost[docnums] += COMPOUND_BOOST * s
        return boost

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
        typed_total = int(self._evaluate(snap, strict, allowed)[0].size)
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
                _, word_mask, word_score, _, _ = self._alternative(snap, everything, alt)
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


def _accent_quality(alt: Alternative, exact_title: np.ndarray) -> np.ndarray:
    """The exactness weight of ``alt`` (typed with accents) where the title holds its accented words
    (``exact_title``) and where it holds only the folded ones: the words typed gain :data:`ACCENT_BONUS`,
    a folded look-alike weighs at most :data:`ACCENT_MISS_WEIGHT`."""
    bonus = ACCENT_BONUS if alt.kind == "typed" else 0.0
    return np.where(exact_title, alt.weight + bonus, min(alt.weight, ACCENT_MISS_WEIGHT))


def _latest(edition: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Per document: whether no other matched edition of the same standard is newer."""
    if edition.size == 0:
        return np.zeros(0, dtype=bool)
    newest = np.zeros(int(edition.max()) + 1, dtype=year.dtype)
    np.maximum.at(newest, edition, year)
    return year >= newest[edition]


def _body_only(snap: Snapshot, uni: Universe, words: tuple[str, ...]) -> np.ndarray:
    """Candidates whose body (scope, products) holds every word; bodies keep no word order."""
    mask = np.ones(uni.size, dtype=bool)
    for word in words:
        mask &= uni.mask(snap.docs("body_f", word))
    return mask


class _SortedDocs:
    """Membership in an ascending array of document numbers (a binary search, no set built)."""

    def __init__(self, docs: np.ndarray) -> None:
        self.docs = docs

    def __contains__(self, doc: object) -> bool:
        at = int(np.searchsorted(self.docs, doc))
        return at < self.docs.size and int(self.docs[at]) == doc
