"""Frozen search results: nested tuples of atoms, thawed back into equal, independent results."""

from __future__ import annotations

import gc
from dataclasses import asdict, fields

from catalogue.engine import Engine
from catalogue.search.frozen import freeze, thaw
from catalogue.search.searcher import Hit, SearchRequest, SearchResult


def _atoms_only(value: object) -> bool:
    if isinstance(value, tuple):
        return all(_atoms_only(v) for v in value)
    return value is None or type(value) in (str, int, float, bool) or isinstance(value, str)


def _full_result() -> SearchResult:
    """A result with every field of the result and of a hit set away from its default."""
    hit = Hit(
        number="TCVN 5107:2003",
        slug="tcvn-5107-2003",
        kind="TCVN",
        title_vi="Nước mắm",
        title_en="Fish sauce",
        status="active",
        year=2003,
        ics=["67.120.30"],
        score=1.5,
        highlight="<mark>Nước</mark> mắm",
        snippet="… nước mắm …",
        match="scope",
        current="TCVN 5107:2018",
        replaced_by=["TCVN 5107:2018"],
        confirmed_by="decision|vsqi.gov.vn",
    )
    result = SearchResult(
        query="nuoc mam",
        total=12,
        page=2,
        limit=5,
        hits=[hit, Hit(**{**asdict(hit), "number": "TCVN 1:2000", "ics": [], "replaced_by": []})],
        facets={"kind": {"TCVN": 10, "QCVN": 2}, "ics_field": {}},
        suggestion="nước mắm",
        message="Truy vấn đã được rút gọn",
        filters={"kind": "TCVN", "year_from": 2000},
        notices=["simplified"],
    )
    defaults = SearchResult(query="", total=0, page=1, limit=10)
    assert all(getattr(result, f.name) != getattr(defaults, f.name) for f in fields(SearchResult)), "set every field"
    return result


def test_a_frozen_result_is_atoms_and_thaws_equal() -> None:
    result = _full_result()
    frozen = freeze(result)
    assert _atoms_only(frozen)
    thawed = thaw(frozen, SearchResult, Hit)
    assert thawed == result and thawed is not result
    assert thawed.to_dict() == result.to_dict()
    assert all(type(h) is Hit for h in thawed.hits) and type(thawed.hits[0].ics) is list


def test_a_thawed_result_is_the_callers_own() -> None:
    result = _full_result()
    frozen = freeze(result)
    first = thaw(frozen, SearchResult, Hit)
    first.hits.clear()
    first.facets["kind"]["TCVN"] = 0
    first.filters.clear()
    first.notices.append("x")
    second = thaw(frozen, SearchResult, Hit)
    second.hits[0].ics.append("01.040")
    assert thaw(frozen, SearchResult, Hit) == result


def test_the_garbage_collector_stops_tracking_a_frozen_result() -> None:
    frozen = freeze(_full_result())
    for _ in range(10):  # at least one nesting level a collection
        gc.collect()
    assert not gc.is_tracked(frozen)


def test_a_searchers_cache_holds_frozen_results(engine: Engine) -> None:
    req = SearchRequest(q="nước mắm", limit=5)
    first = engine.search(req)
    snap = engine.searcher.snapshot()
    cached = [v for v, _ in snap.results._items.values() if thaw(v, SearchResult, Hit) == first]
    assert cached and all(_atoms_only(v) for v in cached)
    first.hits.clear()  # the caller's result, not the cache's
    assert engine.search(req).hits
