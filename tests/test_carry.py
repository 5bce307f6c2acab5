"""Cached results carried across small edits: kept only where the edit cannot change them."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from pathlib import Path

import pytest

from catalogue.engine import Engine
from catalogue.search import carry
from catalogue.search.searcher import Searcher, SearchRequest, SearchResult
from catalogue.search.snapshot import Snapshot
from indexer.index import Index
from tests.conftest import make_standard

ROOT = Path(__file__).resolve().parents[1]


def _pinned(searcher: Searcher, snap: Snapshot) -> list[Snapshot]:
    """Make ``searcher`` answer from the snapshot held in the returned list (tests swap it by hand)."""
    held = [snap]
    searcher.snapshot = lambda: held[0]  # type: ignore[method-assign]
    return held


def _view(result: SearchResult) -> tuple:
    """Everything a page shows but the scores."""
    hits = [(h.number, h.title_vi, h.status, h.current, h.match, tuple(h.replaced_by)) for h in result.hits]
    return result.total, hits, result.facets, result.suggestion, tuple(result.notices)


def _dev_queries(n: int) -> list[str]:
    lines = (ROOT / "tests/eval/search_cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [c["query"] for c in map(json.loads, lines) if c.get("split") == "dev"][:n]


def test_after_edits_carried_answers_equal_fresh_ones(writable_engine: Engine) -> None:
    """On the bundled catalogue: edits of matched records (deletions), then new records alone (additions).
    After each phase, whatever was carried equals a snapshot built from nothing, and the edits did change
    some answers (so a stale one would be seen)."""
    engine = writable_engine
    held = _pinned(engine.searcher, Snapshot(engine.index.searcher()))
    requests = [SearchRequest(q=q) for q in _dev_queries(120)] + [SearchRequest(q="", kind="qcvn")]
    edits = []
    for r in requests[:6]:  # the first hit of a few questions gets a new title or status
        record = engine.store.get(engine.searcher.search(r).hits[0].number)
        if len(edits) % 2:
            edits.append(dataclasses.replace(record, title_vi=f"{record.title_vi} - Phần sửa đổi"))
        else:
            edits.append(dataclasses.replace(record, status="withdrawn"))
    additions = [
        make_standard("TCVN 99901:2026", title_vi="Nước mắm cá cơm - Yêu cầu kỹ thuật", status="active"),
        make_standard("TCVN 99902:2026", title_vi="Mũ bảo hiểm trẻ em", title_en="Fish sauce", status="active"),
        make_standard("TCVN 99903:2026", title_vi="Zzkhác hoàn toàn", status="active"),
    ]
    fresh_searcher = Searcher(engine.index, curations=engine.searcher.curations)
    for phase in (edits, additions):
        before = [_view(engine.searcher.search(r)) for r in requests]
        for record in phase:
            engine.save([record])
            held[0] = Snapshot(engine.index.searcher(), held[0])
        assert 0 < held[0].carried < 2 * len(requests)  # some kept, not all
        carried = [_view(engine.searcher.search(r)) for r in requests]
        _pinned(fresh_searcher, Snapshot(engine.index.searcher()))
        fresh = [_view(fresh_searcher.search(r)) for r in requests]
        for r, a, b in zip(requests, carried, fresh, strict=True):
            assert a == b, r.q
        assert sum(a != b for a, b in zip(before, fresh, strict=True)) >= 3  # a stale answer would show


@pytest.fixture
def small(tmp_path: Path) -> tuple[Index, Searcher, list[Snapshot]]:
    records = [
        make_standard("TCVN 1001:2020", title_vi="Nước mắm", status="active"),
        make_standard("TCVN 1002:2020", title_vi="Thép cốt bê tông", status="active"),
        make_standard("QCVN 5:2010/BYT", title_vi="Quy chuẩn kỹ thuật quốc gia về sữa", status="active"),
    ]
    index = Index(tmp_path / "index")
    index.rebuild(iter(records), len(records))
    searcher = Searcher(index)
    return index, searcher, _pinned(searcher, Snapshot(index.searcher()))


def _save(index: Index, held: list[Snapshot], *records) -> Snapshot:
    index.update(list(records), 10)
    held[0] = Snapshot(index.searcher(), held[0])
    return held[0]


def test_an_unrelated_edit_keeps_the_entry_and_a_related_one_drops_it(small) -> None:
    index, searcher, held = small
    searcher.search(SearchRequest(q="nước mắm"))
    searcher.search(SearchRequest(q="thép"))
    snap = _save(index, held, make_standard("TCVN 1003:2021", title_vi="Thép không gỉ", status="active"))
    assert snap.carried == 2  # "nước mắm": its result and its understanding; "thép" shares a word
    assert {h.number for h in searcher.search(SearchRequest(q="thép")).hits} == {"TCVN 1002:2020", "TCVN 1003:2021"}


def test_a_new_word_one_letter_away_renews_a_typo_lookup(small) -> None:
    """ "ongg" is no indexed word; a record holding "ong" makes it a correction: the cached answer goes."""
    index, searcher, held = small
    first = searcher.search(SearchRequest(q="thép ongg"))
    assert first.suggestion is None
    snap = _save(index, held, make_standard("TCVN 1004:2021", title_vi="Ong nuôi", status="active"))
    assert snap.carried == 0
    assert searcher.search(SearchRequest(q="thép ongg")).suggestion is not None


def test_a_deleted_match_renews_the_entry(small) -> None:
    index, searcher, held = small
    assert searcher.search(SearchRequest(q="sữa")).total == 1
    renamed = make_standard("QCVN 5:2010/BYT", title_vi="Quy chuẩn kỹ thuật quốc gia về nước khoáng", status="active")
    _save(index, held, renamed)
    assert searcher.search(SearchRequest(q="sữa")).total == 0


def test_browsing_and_old_entries_are_never_carried(small) -> None:
    index, searcher, held = small
    searcher.search(SearchRequest(q="", kind="qcvn"))
    snap = _save(index, held, make_standard("TCVN 1005:2021", title_vi="Gạch", status="active"))
    assert len(snap.results) == 0  # browsing lists every allowed document: any edit may change it
    searcher.search(SearchRequest(q="nước mắm"))
    later = Snapshot(index.searcher(), snap)
    assert carry.carry(snap, later) >= 2  # "nước mắm" (result, understanding) and the understanding of ""
    assert carry.carry(snap, later, now=time.monotonic() + carry.CARRY_SECONDS + 1) == 0


def test_entries_made_together_expire_spread_over_the_lifetimes(small, monkeypatch: pytest.MonkeyPatch) -> None:
    index, searcher, _ = small
    monkeypatch.setattr(carry, "random", random.Random(7))  # the spread is random: fix it
    for q in ("nước mắm", "gạch", "xi măng", "thép", "sữa", "gạo", "ống nhựa", "thang máy"):
        searcher.search(SearchRequest(q=q))
    snap = searcher.snapshot()
    entries = [entry[1] for _, entry in snap.results.items()]
    low = carry.CARRY_SECONDS * (1 - carry.CARRY_SPREAD)
    assert all(low <= r.lifetime <= carry.CARRY_SECONDS for r in entries)
    assert len({round(r.lifetime, 3) for r in entries}) > len(entries) // 2  # not in step
    born = min(r.born for r in entries)
    kept = [carry.carry(snap, Snapshot(index.searcher(), snap), now=born + t) for t in (low - 1, 45.0, 61.0)]
    assert kept[0] == len(snap.results) + len(snap.understood) and 0 < kept[1] < kept[0] and kept[2] == 0


def test_a_large_edit_carries_nothing(small, monkeypatch: pytest.MonkeyPatch) -> None:
    index, searcher, held = small
    searcher.search(SearchRequest(q="nước mắm"))
    monkeypatch.setattr(carry, "CARRY_DOCS", 1)
    snap = _save(
        index, held, *(make_standard(f"TCVN {2000 + i}:2021", title_vi="Gạch", status="active") for i in range(2))
    )
    assert snap.carried == 0


def test_recordings_nest_and_notes_outside_one_are_dropped() -> None:
    carry.note(("p", "title_f", "ignored"))  # no recording open: nothing to do
    with carry.recording() as outer:
        carry.note(("p", "title_f", "a"))
        with carry.recording() as inner:
            carry.note(("f", "body_f", "b"))
            carry.note_everything()
        assert inner.keys == {("f", "body_f", "b")}
    assert outer.keys == {("p", "title_f", "a"), ("f", "body_f", "b")} and outer.everything
    reads = carry.sealed(outer)
    with carry.recording() as again:
        carry.note_reads(reads)
    assert again.keys == reads.keys and again.everything


def test_an_added_document_touches_its_terms_and_their_typo_neighbours(small) -> None:
    index, _, held = small
    snap = _save(index, held, make_standard("TCVN 1006:2021", title_vi="Ong", status="active"))
    keys = carry.edit_keys(snap.leaves[-1][1].all_terms())  # the new segment
    assert {("p", "title_f", "ong"), ("f", "title_f", "ong"), ("near", "ong"), ("near", "on")} <= keys


def test_entries_outlive_merges_of_the_edited_segments(tmp_path: Path) -> None:
    """Each save adds a segment and Whoosh merges the small ones now and then (not the 300-record base): a
    merged segment's documents count as edited, the rest is kept."""
    records = [make_standard("TCVN 1001:2020", title_vi="Nước mắm", status="active")]
    records += [make_standard(f"TCVN {5000 + i}:2020", title_vi=f"Thép loại {i}", status="active") for i in range(300)]
    index = Index(tmp_path / "index")
    index.rebuild(iter(records), len(records))
    searcher = Searcher(index)
    held = _pinned(searcher, Snapshot(index.searcher()))
    searcher.search(SearchRequest(q="nước mắm"))
    merges = 0
    for i in range(12):
        before = set(held[0].segments)
        snap = _save(index, held, make_standard(f"TCVN {3000 + i}:2021", title_vi=f"Gạch {i}", status="active"))
        merges += not before <= set(snap.segments)
        assert snap.carried >= 2, i  # the result and understanding of "nước mắm"
    assert merges >= 1
    assert searcher.search(SearchRequest(q="gạch")).total == 12
