"""The one write path: a change and its audit entry commit together or not at all, then the index follows."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.errors import ValidationError
from catalogue.search.searcher import Searcher, SearchRequest
from catalogue.store.database import Store
from catalogue.unit_of_work import UnitOfWork, diff
from indexer.index import Index
from tests.conftest import make_standard, sql

ROOT = Path(__file__).resolve().parents[1]


class CountingIndex:
    """Stands in for the index where only the calls matter."""

    def __init__(self) -> None:
        self.calls = 0

    def catch_up(self, store: object) -> int:
        self.calls += 1
        return 0


@pytest.fixture
def indexed(tmp_path: Path):
    store = Store(tmp_path / "s.sqlite3")
    index = Index(tmp_path / "index")
    index.rebuild([], 0)
    yield store, index
    index.close()
    store.close()


def test_a_write_and_its_entry_commit_together_then_search_sees_it(indexed) -> None:
    store, index = indexed
    with UnitOfWork(store, index).begin() as change:
        assert change.write(make_standard(), user="lan", action="edit") == "new"
    (entry,) = store.audit.entries()
    assert (entry["user"], entry["action"], entry["target"]) == ("lan", "edit", "TCVN 5107:2003")
    assert entry["changes"]["title_vi"] == {"from": None, "to": "Nước mắm"}
    assert index.meta()["watermark"] == store.seq
    assert Searcher(index).search(SearchRequest(q="nuoc mam")).hits[0].number == "TCVN 5107:2003"


def test_an_unchanged_record_writes_neither_record_nor_entry(indexed) -> None:
    store, index = indexed
    uow = UnitOfWork(store, index)
    with uow.begin() as change:
        change.write(make_standard(), user="lan", action="edit")
    seq = store.seq
    with uow.begin() as change:
        assert change.write(make_standard(), user="lan", action="edit") == "unchanged"
    assert store.seq == seq and store.audit.count() == 1


def test_a_crash_at_the_audit_insert_leaves_neither_the_change_nor_the_entry(indexed, monkeypatch) -> None:
    store, index = indexed
    uow = UnitOfWork(store, index)
    with uow.begin() as change:
        change.write(make_standard(title_en="Fish sauce"), user="lan", action="edit")
    before_seq, before_entries = store.seq, store.audit.count()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk gone, between the record's UPDATE and the audit INSERT")

    monkeypatch.setattr(store.audit, "append", crash)
    with pytest.raises(OSError), uow.begin() as change:
        change.write(make_standard(title_en="Changed"), user="mallory", action="edit")
    assert store.get("TCVN 5107:2003").title_en == "Fish sauce"
    assert (store.seq, store.audit.count()) == (before_seq, before_entries)


def test_a_failure_after_an_entry_takes_the_entry_back_too(indexed) -> None:
    """The other direction: no entry may exist for a change that did not commit."""
    store, index = indexed
    with pytest.raises(ValidationError), UnitOfWork(store, index).begin() as change:
        change.write(make_standard("TCVN 1:2008"), user="lan", action="import")  # written, with its entry
        change.write(make_standard("TCVN 2:2008", title_vi=""), user="lan", action="import")  # invalid
    assert store.count() == 0 and store.audit.count() == 0


SIGKILL_SCRIPT = """
import os, signal, sys
from catalogue.store.database import Store
from catalogue.unit_of_work import UnitOfWork
from tests.conftest import make_standard

store = Store(sys.argv[1])
store.audit.append = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # dies between the two statements
with UnitOfWork(store).begin() as change:
    change.write(make_standard(title_en="Killed halfway"), user="lan", action="edit")
"""


def test_sigkill_between_the_two_statements_leaves_neither(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    with UnitOfWork(store).begin() as change:
        change.write(make_standard(title_en="Fish sauce"), user="lan", action="edit")
    store.close()
    proc = subprocess.run(
        [sys.executable, "-c", SIGKILL_SCRIPT, str(path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-500:]
    again = Store(path)
    assert again.get("TCVN 5107:2003").title_en == "Fish sauce"
    assert sql(again, "SELECT action, target FROM audit_log") == [("edit", "TCVN 5107:2003")]
    again.close()


def test_a_merge_audits_every_record_it_rewrites(indexed) -> None:
    store, index = indexed
    uow = UnitOfWork(store, index)
    with uow.begin() as change:
        change.write(make_standard("TCVN 6096:2004", title_vi="Nước uống đóng chai"), user="lan", action="edit")
    with uow.begin() as change:
        newer = make_standard("TCVN 6096:2010", title_vi="Nước uống đóng chai", replaces=["TCVN 6096:2004"])
        assert change.merge(newer, user="crawl:vsqi", action="crawl") == "new"
    entries = {e["target"]: e for e in store.audit.entries() if e["action"] == "crawl"}
    assert set(entries) == {"TCVN 6096:2010", "TCVN 6096:2004"}
    assert entries["TCVN 6096:2004"]["changes"]["status"] == {"from": "unknown", "to": "replaced"}
    assert entries["TCVN 6096:2004"]["changes"]["replaced_by"] == {"from": [], "to": ["TCVN 6096:2010"]}
    assert store.get("TCVN 6096:2004").status == "replaced"


def test_the_index_catches_up_only_after_a_record_write(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    index = CountingIndex()
    uow = UnitOfWork(store, index)
    with uow.begin() as change:
        change.audit("lan", "note", "nothing", {})
    assert index.calls == 0
    with uow.begin(catch_up=False) as change:
        change.write(make_standard(), user="lan", action="import")
    assert index.calls == 0
    uow.catch_up()
    with uow.begin() as change:
        change.write(make_standard(title_en="Fish sauce"), user="lan", action="edit")
    assert index.calls == 2
    store.close()


def test_diff_lists_only_fields_that_differ() -> None:
    before = make_standard(equivalents=[{"number": "CODEX STAN 302:2011"}])
    after = make_standard(title_en="Fish sauce", equivalents=[{"number": "CODEX STAN 302:2011", "degree": "MOD"}])
    changes = diff(before, after)
    assert set(changes) == {"title_en", "equivalents"}
    assert changes["equivalents"]["to"] == [{"number": "CODEX STAN 302:2011", "degree": "MOD"}]
    assert diff(after, after) == {}
    assert diff(None, after)["number"] == {"from": None, "to": "TCVN 5107:2003"}


def test_only_the_unit_of_work_and_engine_start_up_catch_the_index_up() -> None:
    """``Index.catch_up(store)`` takes the store; ``UnitOfWork.catch_up()`` takes nothing and is the door."""
    callers = set()
    for package in ("catalogue", "indexer"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "catch_up" and node.args:
                    callers.add(str(path.relative_to(ROOT)))
    assert callers == {"catalogue/unit_of_work.py", "catalogue/engine.py"}
