"""catalogue.store.bodies: response bodies shared by the server's processes, best effort and bounded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalogue.store import bodies
from catalogue.store.bodies import SharedBodies, code_version


def test_a_body_is_answered_only_for_its_identity_key_and_code(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "bodies.sqlite3"
    one, other_process = SharedBodies(path, "code-1"), SharedBodies(path, "code-1")
    one.put("snap-a", ("search.html", "vi", 7, "/search", "q=xi+mang"), b"<html>a</html>")
    assert other_process.get("snap-a", ("search.html", "vi", 7, "/search", "q=xi+mang")) == b"<html>a</html>"
    assert other_process.get("snap-b", ("search.html", "vi", 7, "/search", "q=xi+mang")) is None  # other index
    assert other_process.get("snap-a", ("search.html", "en", 7, "/search", "q=xi+mang")) is None  # other key
    assert SharedBodies(path, "code-2").get("snap-a", ("search.html", "vi", 7, "/search", "q=xi+mang")) is None


def test_bounded_oldest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bodies, "MAX_ROWS", 10)
    monkeypatch.setattr(bodies, "PRUNE_EVERY", 5)
    cache = SharedBodies(tmp_path / "b.sqlite3")
    for i in range(40):
        cache.put("s", ("k", i), b"x%d" % i)
    rows = sqlite3.connect(tmp_path / "b.sqlite3").execute("SELECT COUNT(*) FROM bodies").fetchone()[0]
    assert rows <= 10 + 5
    assert cache.get("s", ("k", 39)) == b"x39"
    assert cache.get("s", ("k", 0)) is None


def test_a_locked_file_skips_the_write_and_keeps_the_cache_on(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    cache = SharedBodies(path)
    cache.put("s", ("k", 1), b"one")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another worker mid-write
    cache.put("s", ("k", 2), b"two")  # skipped, no error
    assert cache.get("s", ("k", 1)) == b"one"  # WAL: reads go on
    writer.execute("ROLLBACK")
    writer.close()
    cache.put("s", ("k", 2), b"two")
    assert cache.get("s", ("k", 2)) == b"two"


def test_a_damaged_file_is_made_afresh(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    path.write_bytes(b"not a database at all" * 500)
    cache = SharedBodies(path)
    assert cache.get("s", ("k",)) is None
    cache.put("s", ("k",), b"body")
    assert cache.get("s", ("k",)) == b"body"


def test_an_unusable_place_turns_the_cache_off_without_raising(tmp_path: Path, caplog) -> None:
    (tmp_path / "file").write_text("a file where the cache folder should be")
    cache = SharedBodies(tmp_path / "file" / "cache" / "b.sqlite3")
    cache.put("s", ("k",), b"body")
    assert cache.get("s", ("k",)) is None
    assert "off for" in caplog.text


def test_code_version_follows_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("one")
    before = code_version(tmp_path)
    assert code_version(tmp_path) == before
    (tmp_path / "a.html").write_text("one, longer")
    assert code_version(tmp_path) != before


def test_workers_share_pages_only_over_the_same_index_state(writable_engine) -> None:
    """Two sites over one data folder stand for two workers: a page one made is served by the other
    without computing it, and after a save neither serves the old one."""
    from catalogue.editing import Editor
    from catalogue.engine import Engine
    from catalogue.web.app import create_app
    from tests.conftest import asgi

    second_engine = Engine.open(writable_engine.settings)
    try:
        first = asgi(create_app(writable_engine.settings, writable_engine))
        second_app = create_app(second_engine.settings, second_engine)
        second = asgi(second_app)
        params = {"q": "pho mat tuoi"}
        page = first.get("/search", params=params).text
        made: list[str] = []
        real = second_engine.search
        second_engine.search = lambda req: made.append(req.q) or real(req)  # type: ignore[method-assign]
        assert second.get("/search", params=params).text == page
        assert made == []  # served from the first worker's body
        record = writable_engine.store.get("TCVN 8430:2010")
        record.title_vi = "Phô mát tươi SYNTHETIC đã sửa"
        Editor(writable_engine).save(record, "synthetic", expected_version=record.version)
        second_engine.index.refresh()  # the second worker catches up (in a server: within FRESHNESS) …
        second_engine.searcher.snapshot()  # … builds the new snapshot in the background …
        assert second_engine.searcher.swap.settle(30)  # … and serves it
        assert "SYNTHETIC" in second.get("/search", params=params).text
        assert made == ["pho mat tuoi"]
    finally:
        second_engine.close()


def test_a_file_damaged_under_it_is_dropped_and_made_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bodies, "OFF_FOR", 0.0)
    path = tmp_path / "b.sqlite3"
    first = SharedBodies(path)
    for i in range(50):
        first.put("s", ("k", i), bytes(range(256)) * 20)
    first.close()
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    with path.open("r+b") as f:  # pages after the header torn
        f.seek(4096)
        f.write(b"\xff" * 16384)
    cache = SharedBodies(path)
    answers = [cache.get("s", ("k", i)) for i in range(50)]  # no error reaches the caller
    assert all(a is None or a == bytes(range(256)) * 20 for a in answers)
    cache.put("s", ("new",), b"body")
    cache.put("s", ("new",), b"body")  # once more: the first may have found the file damaged
    assert cache.get("s", ("new",)) == b"body"
