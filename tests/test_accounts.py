"""Secretariat accounts: argon2 passwords, lockout by account and by address, session expiry."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from catalogue.accounts import (
    ABSOLUTE_SECONDS,
    IDLE_SECONDS,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_IP,
    WINDOW_SECONDS,
    Accounts,
)
from catalogue.errors import InvalidInput, LockedOut, LoginRefused
from catalogue.store.database import Store

PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # argon2id still; tests need not pay its cost


@pytest.fixture
def clock() -> list[float]:
    return [1_000_000.0]


@pytest.fixture
def accounts(store: Store, clock: list[float]) -> Accounts:
    acc = Accounts(store, clock=lambda: clock[0], hasher=CHEAP)
    acc.add("lan", "admin", PASSWORD)
    return acc


@pytest.mark.parametrize(
    ("name", "role", "password"),
    [("", "editor", PASSWORD), ("a b", "editor", PASSWORD), ("an", "boss", PASSWORD), ("an", "editor", "short")],
)
def test_bad_accounts_are_refused_with_a_message(accounts: Accounts, name: str, role: str, password: str) -> None:
    with pytest.raises(InvalidInput) as info:
        accounts.add(name, role, password)
    assert "/" in info.value.message  # Vietnamese / English


def test_a_name_is_taken_once_and_passwords_are_argon2(accounts: Accounts, store: Store) -> None:
    with pytest.raises(InvalidInput):
        accounts.add("lan", "editor", PASSWORD)
    assert accounts.store.accounts.user("lan")["password_hash"].startswith("$argon2id$")
    default = Accounts(store)  # the real cost parameters verify the same way
    default.add("an", "editor", PASSWORD)
    assert default.login("an", PASSWORD, "10.0.0.1").user.name == "an"
    assert [(u.name, u.is_admin) for u in accounts.users()] == [("an", False), ("lan", True)]


def test_login_and_logout(accounts: Accounts) -> None:
    session = accounts.login("lan", PASSWORD, "10.0.0.1")
    assert accounts.session(session.id).user.name == "lan"
    assert session.csrf and session.csrf != session.id
    accounts.logout(session.id)
    assert accounts.session(session.id) is None
    assert accounts.session(None) is None and accounts.session("made-up") is None


def test_wrong_passwords_and_unknown_names_are_refused_alike(accounts: Accounts) -> None:
    for name, password in (("lan", "wrong password!!"), ("nobody", PASSWORD)):
        with pytest.raises(LoginRefused) as info:
            accounts.login(name, password, "10.0.0.1")
        assert type(info.value) is LoginRefused and info.value.status == 401


def test_an_account_locks_after_repeated_failures_and_unlocks_after_the_window(accounts, clock) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(LoginRefused):
            accounts.login("lan", "wrong password!!", "10.0.0.1")
    with pytest.raises(LockedOut) as info:
        accounts.login("lan", PASSWORD, "10.0.0.2")  # the right password, from elsewhere, does not help
    assert info.value.status == 429
    clock[0] += WINDOW_SECONDS + 1
    assert accounts.login("lan", PASSWORD, "10.0.0.2").user.name == "lan"


def test_an_address_locks_after_failures_on_many_names(accounts) -> None:
    for i in range(MAX_FAILURES_PER_IP):
        with pytest.raises(LoginRefused):
            accounts.login(f"guess{i}", "wrong password!!", "10.6.6.6")
    with pytest.raises(LockedOut):
        accounts.login("lan", PASSWORD, "10.6.6.6")
    assert accounts.login("lan", PASSWORD, "10.0.0.1")


def test_sessions_expire_when_idle_and_after_the_absolute_limit(accounts, clock) -> None:
    session = accounts.login("lan", PASSWORD, "10.0.0.1")
    clock[0] += IDLE_SECONDS - 5
    assert accounts.session(session.id) is not None
    clock[0] += IDLE_SECONDS + 5
    assert accounts.session(session.id) is None
    session = accounts.login("lan", PASSWORD, "10.0.0.1")
    alive = []
    for _ in range(ABSOLUTE_SECONDS // (IDLE_SECONDS - 60) + 1):
        clock[0] += IDLE_SECONDS - 60
        alive.append(accounts.session(session.id) is not None)
    assert alive[0] and not alive[-1]


def test_disabling_ends_sessions_and_refuses_logins(accounts) -> None:
    accounts.add("an", "editor", PASSWORD)
    session = accounts.login("an", PASSWORD, "10.0.0.1")
    accounts.disable("an")
    assert accounts.session(session.id) is None
    with pytest.raises(LoginRefused):
        accounts.login("an", PASSWORD, "10.0.0.1")
    with pytest.raises(InvalidInput):
        accounts.disable("nobody")
