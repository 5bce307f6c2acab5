"""Matching: the evidence per document that the ranking rules read, from one snapshot.

:func:`evaluate` turns an :class:`~catalogue.search.understand.Understanding` into the matched
documents and their :class:`~catalogue.search.rules.Evidence`.

Contracts:

* Best match, not all-or-nothing: a record matching some of the query's concepts is a
  candidate; records below :data:`MIN_SHARE` of the best coverage are left out.
* Folded syllables are the required match; exact accents (:data:`ACCENT_BONUS`), pyvi
  compounds (:data:`COMPOUND_BOOST`) and adjacent words (:data:`PHRASE_BOOST`) only add.
* The fast paths (a query's :class:`~catalogue.search.universe.Universe`, one-word
  alternatives updated in place) give exactly what ``reference=True`` gives.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from catalogue.identifiers import parse_loose
from catalogue.search.curations import Curations, name_words
from catalogue.search.lineage import chain, keys_mask
from catalogue.search.rules import Evidence
from catalogue.search.snapshot import Snapshot
from catalogue.search.understand import Alternative, Concept, Understanding
from catalogue.search.universe import Universe
from indexer.analysis import compounds, english_analyzer, terms

IN_FORCE = frozenset({"active", "unknown"})  # statuses a current edition may have
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
DENSE_BELOW = 4096  # catalogues smaller than this evaluate over every allowed document (no reach pass)
DENSE_SHARE = 1.0  # posting lists longer in all than this share of the catalogue: every allowed document too
IDF_FULL = 3.0  # a word in fewer than ~1/19 of the records counts fully in the coverage
IDF_FLOOR = 0.25
METHOD_TERMS = (("title_bi", "phuong_phap"), ("title_bi", "xac_dinh"), ("title_bi", "thu_nghiem"))
_ENGLISH = english_analyzer()


def evaluate(
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
    exact = keys_mask(snap, "numkey", keys)
    if exact is not None:
        newer = keys_mask(snap, "replaces", keys)  # an edition not held, named by its replacement
        if not (exact & ok).any():  # "/BNN" for "/BNNPTNT", or a year not held: the other editions
            loose = [i._key(ministry=False) for i in pq.numbers if i.ministry]
            loose += [i._key(year=False) for i in pq.numbers if i.year and not i.amendment]
            newer |= keys_mask(snap, "numkey", loose) if loose else newer
        number[chain(snap, (exact | newer) & ok) | newer] = 1
        number[exact] = 2
        if not (exact & ok).any():
            keys = [f"~{i.key}" for i in pq.numbers if not i.part and not i.year]
            mask = keys_mask(snap, "numkey", keys)
            if mask is not None:
                series |= mask
    if pq.international:
        full = keys_mask(snap, "equiv", [f for f, _ in pq.international])
        of_series = keys_mask(snap, "equiv", [s for _, s in pq.international])
        if full is not None and of_series is not None:
            equivalent = np.maximum(full.astype(np.int8) * 2, of_series.astype(np.int8))
    curated = _curated(snap, u, curations) if curations else {}
    lists = [] if dense or u.is_empty else [d for c in u.concepts for a in _usable(snap, c) for d in _reach(snap, a)]
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
        any_c, title_c, best_c, rel_c = _concept(snap, uni, concept, reference)
        if position in curated:  # a product name the curators tied to the record: as good as its title
            named = uni.of(curated[position])
            np.maximum(any_c, named, out=any_c)
            np.maximum(title_c, named, out=title_c)
            np.maximum(best_c, named * CURATED_WEIGHT, out=best_c)
        weight = concept.importance * informative(snap, concept)
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
    relevance += _proximity(snap, uni, u)
    if u.concepts:  # a title that is the query itself ("Nước mắm" for "nuoc mam") is the most exact match
        typed = sum(len(c.alternatives[0].words) for c in u.concepts if c.alternatives)
        total = sum(c.importance * informative(snap, c) for c in u.concepts)
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
    status_labels = snap.label_array("status")
    kind_labels = snap.label_array("kind")
    status_codes = snap.codes["status"][matched]
    status = status_labels[status_codes]
    in_force = snap.label_in("status", IN_FORCE)
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


def informative(snap: Snapshot, concept: Concept) -> float:
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


def _curated(snap: Snapshot, u: Understanding, curations: Curations) -> dict[int, np.ndarray]:
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
        mask = keys_mask(snap, "numkey", keys) if whole else None
        if mask is None or not mask.any():
            continue
        mask |= chain(snap, mask)
        for p in whole:
            found[p] = found.get(p, np.zeros(snap.size, dtype=bool)) | mask
    return found


def _usable(snap: Snapshot, concept: Concept) -> list[Alternative]:
    """The alternatives of ``concept`` that can match: a word no record holds matches nothing."""
    return [
        alt for alt in concept.alternatives if alt.field != "vi" or all(snap.vocabulary.frequency(w) for w in alt.words)
    ]


def _fields(alt: Alternative, word: str) -> list[tuple[str, str, float]]:
    """``(field, term, factor)`` of the posting lists one word of ``alt`` is scored on."""
    if alt.field != "en":
        return [("title_f", word, 1.0), ("body_f", word, BODY_FACTOR)]
    stems = terms(_ENGLISH, word)
    return [("title_en", stems[0], 1.0), ("body_en", stems[0], BODY_FACTOR)] if stems else []


def _reach(snap: Snapshot, alt: Alternative) -> list[np.ndarray]:
    """Document numbers of every posting list ``alt`` reads: a superset of where it can match."""
    return [snap.docs(name, term) for word in alt.words for name, term, _ in _fields(alt, word)]


def alternative(snap: Snapshot, uni: Universe, alt: Alternative) -> tuple[np.ndarray, ...]:
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
        for name, term, factor in _fields(alt, word):
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


def _concept(snap: Snapshot, uni: Universe, concept: Concept, reference: bool = False) -> tuple[np.ndarray, ...]:
    """Per candidate: coverage anywhere, coverage in titles, best alternative weight, relevance.

    ``reference``: every alternative through :func:`alternative`'s universe-sized arrays
    (the fast path for one-word alternatives must give the same values).
    """
    size = uni.size
    any_c = np.zeros(size, dtype=np.float32)
    title_c = np.zeros(size, dtype=np.float32)
    best_c = np.zeros(size, dtype=np.float32)
    rel_c = np.zeros(size, dtype=np.float32)
    for alt in _usable(snap, concept):
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
        everywhere, in_title, score, exact_title, loose = alternative(snap, uni, alt)
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


def _proximity(snap: Snapshot, uni: Universe, u: Understanding) -> np.ndarray:
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
