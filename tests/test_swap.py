"""Queries during a snapshot swap: answered from the old or the new snapshot, never blocked by the build.

The builds are gated by events, so each test holds a build open exactly while it
queries; every wait has a bound that only a failure would reach.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from catalogue.search.searcher import Searcher, SearchRequest
from catalogue.search.snapshot import Snapshot
from indexer.index import Index
from tests.conftest import make_standard

BOUND = 20.0  # seconds; reached only when something blocks


class Gate:
    """A snapshot builder that, once closed, stops inside every build until opened."""

    def __init__(self) -> None:
        self.closed = False
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.fail = False
        self.builds = 0

    def __call__(self, searcher, previous) -> Snapshot:
        self.builds += 1
        if self.closed:
            self.entered.set()
            assert self.opened.wait(BOUND), "the test never opened the gate"
            if self.fail:
                raise RuntimeError("build failed")
        return Snapshot(searcher, previous)


@pytest.fixture
def index(tmp_path: Path) -> Index:
    ix = Index(tmp_path / "index")
    records = [make_standard(f"TCVN {7000 + i}:2015", title_vi=f"Mật ong loại {i}") for i in range(30)]
    ix.rebuild(iter(records), 30)
    return ix


def _found(searcher: Searcher, q: str) -> int:
    return searcher.search(SearchRequest(q=q)).total


def _add_dua(index: Index) -> None:
    index.update([make_standard("TCVN 7999:2024", title_vi="Nước cốt dừa")], 99)


@pytest.mark.parametrize("background_from", [10**9, 0], ids=["built-by-the-caller", "built-in-background"])
def test_a_query_during_a_swap_is_answered_from_the_old_snapshot_without_waiting(
    index: Index, background_from: int
) -> None:
    gate = Gate()
    searcher = Searcher(index, build=gate, background_from=background_from)
    old = searcher.snapshot()
    assert _found(searcher, "dừa") == 0
    _add_dua(index)
    gate.closed = True
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(_found, searcher, "dừa")  # notices the new searcher and starts the build
        assert gate.entered.wait(BOUND)
        # the build is held open: other queries are answered now, from the old snapshot
        during = [pool.submit(_found, searcher, q) for q in ("dừa", "mật ong")]
        assert [f.result(timeout=BOUND) for f in during] == [0, 30]
        assert searcher.snapshot() is old
        gate.opened.set()
        assert first.result(timeout=BOUND) in (0, 1)  # the caller's own build: 1; a background build: 0
    assert searcher.swap.settle(BOUND)
    assert searcher.snapshot() is not old
    assert _found(searcher, "dừa") == 1
    assert gate.builds == 2  # the first snapshot, then one successor: no duplicate builds


def test_a_failed_background_build_keeps_the_old_snapshot_serving(index: Index) -> None:
    gate = Gate()
    searcher = Searcher(index, build=gate, background_from=0)
    old = searcher.snapshot()
    _add_dua(index)
    gate.closed, gate.fail = True, True
    assert searcher.snapshot() is old  # starts the background build
    assert gate.entered.wait(BOUND)
    gate.opened.set()
    assert searcher.swap.settle(BOUND)
    assert searcher.snapshot() is old and _found(searcher, "mật ong") == 30


def test_the_first_snapshot_is_built_once_for_concurrent_callers(index: Index) -> None:
    gate = Gate()
    gate.closed = True
    searcher = Searcher(index, build=gate)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(searcher.snapshot) for _ in range(4)]
        assert gate.entered.wait(BOUND)
        gate.opened.set()
        snaps = {id(f.result(timeout=BOUND)) for f in futures}
    assert len(snaps) == 1 and gate.builds == 1


def test_queries_do_not_wait_for_a_writer_holding_the_index(index: Index) -> None:
    searcher = Searcher(index)
    assert _found(searcher, "mật ong") == 30
    inside, finish = threading.Event(), threading.Event()

    class SlowStore:  # a store whose change list is read while the index's write lock is held
        seq = 200

        def changed_since(self, seq: int):
            inside.set()
            assert finish.wait(BOUND)
            return [make_standard("TCVN 7998:2024", title_vi="Nước cốt dừa")]

    with ThreadPoolExecutor(2) as pool:
        writer = pool.submit(index.catch_up, SlowStore())
        assert inside.wait(BOUND)
        assert pool.submit(_found, searcher, "mật ong").result(timeout=BOUND) == 30
        finish.set()
        assert writer.result(timeout=BOUND) == 1
    assert _found(searcher, "dừa") == 1  # the writer's own change: visible to the next query


def test_another_processs_commit_is_built_in_the_background_not_by_a_query(index: Index) -> None:
    gate = Gate()
    searcher = Searcher(index, build=gate)  # a small change, which this process's own write builds in the caller
    old = searcher.snapshot()
    other = Index(index.root)  # another process's writer, on the same folder
    other.update([make_standard("TCVN 7999:2024", title_vi="Nước cốt dừa")], 99)
    index.refresh()  # the background check, run here: the new searcher is not this process's own
    assert not index.own(index.searcher())
    gate.closed = True
    assert _found(searcher, "dừa") == 0  # answered at once from the old snapshot; the build waits at the gate
    assert gate.entered.wait(BOUND) and searcher.snapshot() is old
    gate.opened.set()
    assert searcher.swap.settle(BOUND)
    assert _found(searcher, "dừa") == 1 and searcher.snapshot() is not old


def test_a_large_rebuild_is_prepared_for_before_its_swap_and_the_swap_builds_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexer.index as index_module

    records = [make_standard(f"TCVN {7000 + i}:2015", title_vi=f"Mật ong loại {i}") for i in range(30)]
    Index(tmp_path / "index").rebuild(iter(records), 30)
    monkeypatch.setattr(index_module, "PREPARE_FROM", 10)  # "large": these 31 records
    monkeypatch.setattr(index_module, "PREPARE_SECONDS", 10 * BOUND)  # the rebuild swaps on the acknowledgement
    server = Index(tmp_path / "index")  # the serving process
    gate = Gate()
    searcher = Searcher(server, build=gate, background_from=0)
    old = searcher.snapshot()  # opens the searcher: the server joins the readers
    assert server.readers.joined
    assert _found(searcher, "mật ong loại 7") >= 1  # a recent request: answered on the upcoming one too
    rebuilt = records + [make_standard("TCVN 7999:2024", title_vi="Nước cốt dừa")]
    with ThreadPoolExecutor(1) as pool:
        rebuild = pool.submit(Index(tmp_path / "index").rebuild, iter(rebuilt), 31, size_hint=31)
        deadline = time.monotonic() + BOUND
        while server.upcoming() is None:  # the rebuild announces NEXT; the server's background check sees it
            assert not rebuild.done(), "the rebuild swapped without announcing its generation"
            assert time.monotonic() < deadline, "the rebuild never announced its generation"
            server.refresh()
        gate.closed = True
        assert _found(searcher, "dừa") == 0  # starts the preparation; served from the old generation meanwhile
        assert gate.entered.wait(BOUND) and searcher.snapshot() is old
        assert not rebuild.done()  # it waits for the server, which has not prepared yet
        gate.opened.set()
        assert searcher.swap.settle(BOUND)  # the preparation too: acknowledged, so the rebuild swaps
        prepared = searcher.swap.prepared
        assert prepared is not None and prepared.searcher is server.upcoming()
        assert len(prepared.results) == len(old.results) >= 2  # warmed: "mật ong loại 7" and "dừa"
        meta = rebuild.result(timeout=BOUND)  # well before PREPARE_SECONDS
    assert meta["unprepared_readers"] == 0
    server.refresh()
    assert _found(searcher, "dừa") in (0, 1)  # notices the swap; built in the background
    assert searcher.swap.settle(BOUND)
    assert _found(searcher, "dừa") == 1 and server.upcoming() is None
    served = searcher.snapshot()
    assert served.carried >= 1  # the warmed answers, carried from the prepared snapshot over the last edit
    fresh = Searcher(server)
    for q in ("mật ong loại 7", "dừa"):
        assert searcher.search(SearchRequest(q=q)) == fresh.search(SearchRequest(q=q))
    shared = [a for a, _, _ in served.leaves if a.key in prepared.segments]
    assert shared and all(a is prepared.segments[a.key] for a in shared)  # read once, before the swap
