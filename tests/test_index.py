"""Atomic index builds, corruption detection and the store → index watermark."""

from pathlib import Path

import pytest

from catalogue.engine import Engine
from catalogue.errors import IndexUnavailable
from catalogue.search.searcher import SearchRequest
from catalogue.settings import Settings
from catalogue.store.database import Store
from indexer.index import Index, document
from tests.conftest import make_standard


def _records(n: int) -> list:
    return [make_standard(f"TCVN {1000 + i}:2010", title_vi=f"Mật ong loại {i}") for i in range(n)]


@pytest.fixture
def built(tmp_path: Path) -> tuple[Store, Index]:
    store = Store(tmp_path / "s.sqlite3")
    store.upsert_many(_records(5))
    index = Index(tmp_path / "index")
    index.rebuild(store.all(), store.seq)
    return store, index


def test_rebuild_swaps_in_a_complete_generation(built) -> None:
    store, index = built
    meta = index.check()
    assert meta["count"] == 5
    assert meta["watermark"] == store.seq
    assert (index.root / "CURRENT").read_text().strip() == index.current_name


def test_the_served_generation_follows_the_searcher_not_the_current_file(built) -> None:
    store, index = built
    assert index.served_name == index.current_name  # nothing served yet: the CURRENT file
    served = index.current_name
    index.searcher()
    other = Index(index.root)  # another process rebuilds
    other.rebuild(store.all(), store.seq)
    assert index.current_name != served
    assert index.served_name == served  # still serving the old one (until its freshness check)
    index._checked = 0.0  # the check is due: it runs in the background, the caller keeps what it had
    searcher = index.searcher()
    assert index._checker is not None
    index._checker.join(30)
    assert index.served_name == index.current_name != served
    assert index.searcher() is not searcher and not index.own(index.searcher())


def test_a_due_check_never_makes_a_query_wait_for_a_writer(built) -> None:
    import threading

    store, index = built
    first = index.searcher()
    assert index.own(first)  # opened by the caller
    other = Index(index.root)
    other.update([make_standard("TCVN 1999:2024", title_vi="Mật ong rừng")], store.seq + 1)
    index._checked = 0.0
    with index._lock:  # as a writer holds it; the check waits for it in its own thread
        got = []
        asking = threading.Thread(target=lambda: got.append(index.searcher()))
        asking.start()
        asking.join(30)
        assert got == [first]
        assert index._checker is not None and index._checker.is_alive()
    index._checker.join(30)
    assert index.searcher() is not first and index.searcher().doc_count() == 6
    index.update([make_standard("TCVN 2999:2024", title_vi="Mật ong nuôi")], store.seq + 2)
    assert index.own(index.searcher())  # this process's own write


def test_a_crash_mid_build_leaves_the_old_index_serving(built) -> None:
    _store, index = built
    before = index.current_name

    def exploding():
        yield from _records(3)
        raise RuntimeError("killed mid-build")

    with pytest.raises(RuntimeError):
        index.rebuild(exploding(), 99)
    assert index.current_name == before
    assert index.check()["count"] == 5
    assert not [p for p in index.root.iterdir() if p.name.endswith(".building")]
    assert index.searcher().doc_count() == 5


def test_a_half_written_generation_left_by_a_killed_process_is_ignored_and_pruned(built) -> None:
    store, index = built
    junk = index.root / "gen-000000000000001-1.building"
    junk.mkdir()
    (junk / "garbage").write_bytes(b"\x00" * 100)
    assert index.check()["count"] == 5
    previous = index.current_name
    index.rebuild(store.all(), store.seq)
    # the killed build's folder is gone; the generation served before is kept for readers still on it
    assert sorted(p.name for p in index.root.iterdir() if p.is_dir()) == sorted([previous, index.current_name])
    index.rebuild(store.all(), store.seq)
    assert previous not in [p.name for p in index.root.iterdir()]


def test_missing_index_is_reported(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable):
        Index(tmp_path / "nothing").check()


def test_corrupt_index_is_detected(built) -> None:
    _, index = built
    for path in index.current_dir.iterdir():
        if path.suffix in (".seg", ".toc") or path.name.endswith(".trm"):
            path.write_bytes(b"corrupt")
    with pytest.raises(IndexUnavailable):
        index.check()


def test_engine_rebuilds_a_corrupt_index_at_start_up(tmp_path: Path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path)}, environ={})
    Engine.open(settings).close()
    index = Index(settings.index_path)
    for path in index.current_dir.iterdir():
        if path.name != "META.json":
            path.write_bytes(b"corrupt")
    engine = Engine.open(settings)
    try:
        assert any("rebuilding" in e for e in engine.events)
        assert engine.search(SearchRequest(q="nuoc mam")).hits[0].number == "TCVN 5107:2003"
    finally:
        engine.close()


def test_engine_refuses_to_serve_a_corrupt_index_when_rebuild_is_off(tmp_path: Path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path), "rebuild_on_start": False}, environ={})
    with pytest.raises(IndexUnavailable):
        Engine.open(settings)


def test_catch_up_reindexes_writes_made_after_the_watermark(built) -> None:
    store, index = built
    store.upsert(make_standard("TCVN 9999:2020", title_vi="Phomat tươi"))  # index not told
    assert index.catch_up(store) == 1
    assert index.meta()["watermark"] == store.seq
    assert index.catch_up(store) == 0
    s = index.searcher()
    from whoosh.query import Term

    assert s.doc_count() == 6
    assert len(list(s.docs_for_query(Term("title_f", "phomat")))) == 1


def test_update_replaces_by_key_without_duplicates(built) -> None:
    store, index = built
    rec = store.get("TCVN 1000:2010")
    rec.title_vi = "Nước mắm"
    store.upsert(rec)
    index.update([store.get("TCVN 1000:2010")], store.seq)
    assert index.searcher().doc_count() == 5
    assert index.check()["count"] == 5


def test_engine_save_is_visible_to_search_without_a_rebuild(tmp_path: Path) -> None:
    engine = Engine.open(Settings.load({"data_dir": str(tmp_path)}, environ={}))
    try:
        generation = engine.index.current_name
        engine.save([make_standard("TCVN 99999:2024", title_vi="Bánh phở khô")])
        assert engine.index.current_name == generation
        assert engine.search(SearchRequest(q="banh pho")).hits[0].number == "TCVN 99999:2024"
    finally:
        engine.close()


def test_document_keys() -> None:
    doc = document(make_standard("TCVN ISO 9001:2015", title_vi="Hệ thống quản lý chất lượng"))
    assert "tcvn iso 9001:2015" in doc["numkey"].split(",")
    assert "iso 9001" in doc["equiv"].split(",")


def test_a_parallel_build_finds_current_editions_across_its_processes(tmp_path: Path, monkeypatch) -> None:
    """Two build processes, each with half the records: an old edition's current one is in the other half."""
    import indexer.index as index_module
    from catalogue.search.searcher import Searcher

    monkeypatch.setattr(index_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(index_module.os, "cpu_count", lambda: 2)
    store = Store(tmp_path / "s.sqlite3")
    old = make_standard("TCVN 1000:2001", title_vi="Mật ong", status="replaced", replaced_by=["TCVN 1000:2010"])
    filler = [make_standard(f"TCVN {2000 + i}:2020", title_vi=f"Sữa bột {i}", status="active") for i in range(4)]
    new = make_standard("TCVN 1000:2010", title_vi="Mật ong", status="active", replaces=["TCVN 1000:2001"])
    again = make_standard("TCVN 3000:2005", title_vi="Chè xanh", status="active")  # newer edition first
    store.upsert_many([old, *filler, make_standard("TCVN 3000:2015", title_vi="Chè xanh", status="active"), again, new])
    index = Index(tmp_path / "index", holdings=store)
    meta = index.rebuild(store.all(), store.seq, size_hint=store.count())
    assert meta["processes"] == 2

    def current(number: str) -> str | None:
        hits = Searcher(index).search(SearchRequest(q=number)).hits
        return next(h.current for h in hits if h.number == number)

    assert current("TCVN 1000:2001") == "TCVN 1000:2010"  # first process; its current edition in the second
    assert current("TCVN 3000:2005") == "TCVN 3000:2015"  # the newest edition of the same subject
    assert current("TCVN 2000:2020") == "TCVN 2000:2020"
    store.close()


def test_documents_store_the_current_edition_and_writes_refresh_older_editions(tmp_path: Path) -> None:
    """Mechanics on a test store: a new edition moves the older edition's ``current``."""
    from catalogue.search.searcher import Searcher

    store = Store(tmp_path / "s.sqlite3")
    old = make_standard("TCVN 1000:2001", title_vi="Mật ong", status="replaced", replaced_by=["TCVN 1000:2010"])
    mid = make_standard("TCVN 1000:2010", title_vi="Mật ong", status="active", replaces=["TCVN 1000:2001"])
    store.upsert_many([old, mid])
    index = Index(tmp_path / "index", holdings=store)
    index.rebuild(store.all(), store.seq)

    def current(number: str) -> str | None:
        hits = Searcher(index).search(SearchRequest(q=number)).hits
        return next(h.current for h in hits if h.number == number)

    assert current("TCVN 1000:2001") == "TCVN 1000:2010"
    mid.status, mid.replaced_by = "replaced", ["TCVN 1000:2020"]
    store.upsert(mid)
    store.upsert(make_standard("TCVN 1000:2020", title_vi="Mật ong", status="active", replaces=["TCVN 1000:2010"]))
    index.catch_up(store)  # only the two writes are after the watermark; the 2001 edition is refreshed too
    assert current("TCVN 1000:2001") == "TCVN 1000:2020"
    assert current("TCVN 1000:2020") == "TCVN 1000:2020"
    assert document(make_standard("TCVN 1:2001"))["confirmed_by"] is None  # titled: nothing to confirm
    untitled = document(
        make_standard(
            "TCVN 1:2001", title_vi=None, sources=[{"ref": "https://vsqi.gov.vn/x", "kind": "official_decision"}]
        )
    )
    assert untitled["confirmed_by"] == "decision|vsqi.gov.vn"
