"""The accounts repository: users, login attempts and sessions, with their multi-row writes atomic."""

import sqlite3

import pytest

from catalogue.store.database import Store
from tests.conftest import sql


def test_a_user_is_added_once(store: Store) -> None:
    assert store.accounts.add_user("lan", "admin", "$argon2id$x", "2026-01-01T00:00:00+00:00")
    assert not store.accounts.add_user("lan", "editor", "$argon2id$y", "2026-01-02T00:00:00+00:00")
    row = store.accounts.user("lan")
    assert (row["role"], row["password_hash"], row["disabled"]) == ("admin", "$argon2id$x", 0)
    assert store.accounts.user("nobody") is None
    assert [u["name"] for u in store.accounts.users()] == ["lan"]


def test_a_success_records_the_attempt_and_the_session_together(store: Store) -> None:
    store.accounts.add_user("lan", "editor", "h", "t")
    uid = store.accounts.user("lan")["id"]
    store.accounts.record_login(100.0, "lan", "10.0.0.1", True, ("sid-1", uid, "csrf-1"))
    session = store.accounts.session("sid-1")
    assert (session["name"], session["csrf"], session["created_at"], session["last_seen"]) == (
        "lan",
        "csrf-1",
        100.0,
        100.0,
    )
    store.accounts.touch_session("sid-1", 150.0)
    assert store.accounts.session("sid-1")["last_seen"] == 150.0
    store.accounts.delete_session("sid-1")
    assert store.accounts.session("sid-1") is None


def test_a_failed_session_insert_loses_the_attempt_too(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):  # no such user: the foreign key refuses the session
        store.accounts.record_login(100.0, "ghost", "10.0.0.1", True, ("sid-x", 999, "c"))
    assert sql(store, "SELECT count(*) FROM login_attempts") == [(0,)]


def test_failures_count_within_the_window_by_name_or_ip(store: Store) -> None:
    for at in (10.0, 20.0, 30.0):
        store.accounts.record_login(at, "lan", "10.0.0.1", False)
    store.accounts.record_login(35.0, "lan", "10.0.0.2", False)
    store.accounts.record_login(36.0, "lan", "10.0.0.1", True)  # a success is not a failure
    assert store.accounts.failures("name", "lan", since=0) == 4
    assert store.accounts.failures("name", "lan", since=15) == 3
    assert store.accounts.failures("ip", "10.0.0.1", since=0) == 3
    assert store.accounts.failures("ip", "10.9.9.9", since=0) == 0
    with pytest.raises(ValueError):
        store.accounts.failures("ok = 0 OR 1", "x", since=0)  # the column is never taken from outside


def test_disable_ends_every_session_of_the_user(store: Store) -> None:
    store.accounts.add_user("lan", "editor", "h", "t")
    uid = store.accounts.user("lan")["id"]
    for sid in ("a", "b"):
        store.accounts.record_login(1.0, "lan", "ip", True, (sid, uid, "c"))
    store.accounts.disable(uid)
    assert store.accounts.user("lan")["disabled"] == 1
    assert store.accounts.session("a") is None and store.accounts.session("b") is None
