"""The audit repository: entries commit with their transaction and can never be changed."""

import sqlite3

import pytest

from catalogue.store.database import Store
from tests.conftest import sql


def test_an_entry_commits_with_its_transaction(store: Store) -> None:
    with store.transaction() as tx:
        store.audit.append(tx, "lan", "edit", "TCVN 1:2008", {"title_vi": {"from": "a", "to": "b"}})
    entry = store.audit.entries()[0]
    assert (entry["user"], entry["action"], entry["target"]) == ("lan", "edit", "TCVN 1:2008")
    assert entry["changes"] == {"title_vi": {"from": "a", "to": "b"}}
    assert entry["at"].endswith("+00:00")


def test_an_entry_is_rolled_back_with_its_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.audit.append(tx, "lan", "edit", "TCVN 1:2008", {})
        raise RuntimeError("the change failed")
    assert store.audit.count() == 0


def test_entries_newest_first_and_by_target(store: Store) -> None:
    with store.transaction() as tx:
        for i, target in enumerate(["A", "B", "A"]):
            store.audit.append(tx, "lan", f"step {i}", target, {})
    assert [e["action"] for e in store.audit.entries()] == ["step 2", "step 1", "step 0"]
    assert [e["action"] for e in store.audit.entries("A")] == ["step 2", "step 0"]
    assert len(store.audit.entries(limit=1)) == 1


def test_the_log_is_append_only(store: Store) -> None:
    with store.transaction() as tx:
        store.audit.append(tx, "lan", "edit", "A", {})
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        sql(store, "UPDATE audit_log SET user = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        sql(store, "DELETE FROM audit_log")
    assert store.audit.entries()[0]["user"] == "lan"
