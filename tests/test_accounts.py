"""Secretariat accounts: argon2 passwords, progressive login delays by account and address, session expiry."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from catalogue.accounts import (
    ABSOLUTE_SECONDS,
    BASE_DELAY,
    FREE_PER_ACCOUNT,
    FREE_PER_IP,
    FREE_PER_PAIR,
    IDLE_SECONDS,
    MAX_DELAY,
    WINDOW_SECONDS,
    Accounts,
    delay,
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


def _fail(accounts: Accounts, name: str, ip: str) -> None:
    with pytest.raises(LoginRefused) as info:
        accounts.login(name, "wrong password!!", ip)
    assert type(info.value) is LoginRefused


def test_delays_start_after_the_free_failures_double_and_stop_at_the_cap() -> None:
    assert [delay(n, 3) for n in range(6)] == [0, 0, 0, BASE_DELAY, 2 * BASE_DELAY, 4 * BASE_DELAY]
    assert delay(60, 3) == MAX_DELAY


def test_failures_from_one_address_slow_that_address_and_spare_the_owners(accounts, clock) -> None:
    accounts.login("lan", PASSWORD, "10.0.0.1")  # the owner's usual address
    waits = []
    for _ in range(FREE_PER_PAIR + 3):
        _fail(accounts, "lan", "10.6.6.6")
        waits.append(accounts.retry_after("lan", "10.6.6.6"))
        if waits[-1]:
            with pytest.raises(LockedOut) as info:  # during the wait even the right password is not checked
                accounts.login("lan", PASSWORD, "10.6.6.6")
            assert info.value.status == 429 and info.value.retry_after >= waits[-1]
        assert accounts.retry_after("lan", "10.0.0.1") == 0  # the owner is never kept waiting
        clock[0] += waits[-1] + 0.001
    assert waits == pytest.approx([0, 0, BASE_DELAY, 2 * BASE_DELAY, 4 * BASE_DELAY, 8 * BASE_DELAY], abs=0.01)
    assert accounts.login("lan", PASSWORD, "10.0.0.1").user.name == "lan"
    clock[0] += WINDOW_SECONDS + 1  # old failures stop counting
    assert accounts.retry_after("lan", "10.6.6.6") == 0


def test_an_attack_from_many_addresses_delays_new_addresses_only(accounts, clock) -> None:
    accounts.login("lan", PASSWORD, "10.0.0.1")
    for i in range(FREE_PER_ACCOUNT):
        _fail(accounts, "lan", f"10.7.0.{i}")
    assert accounts.retry_after("lan", "10.8.0.1") == pytest.approx(BASE_DELAY, abs=0.01)
    with pytest.raises(LockedOut):
        accounts.login("lan", PASSWORD, "10.8.0.1")
    assert accounts.retry_after("lan", "10.0.0.1") == 0
    assert accounts.login("lan", PASSWORD, "10.0.0.1").user.name == "lan"


def test_an_address_failing_on_many_names_is_slowed_down(accounts) -> None:
    for i in range(FREE_PER_IP):
        _fail(accounts, f"guess{i}", "10.6.6.6")
    with pytest.raises(LockedOut):
        accounts.login("lan", PASSWORD, "10.6.6.6")
    assert accounts.login("lan", PASSWORD, "10.0.0.1")


def test_the_owners_own_typos_stop_counting_once_they_are_in(accounts) -> None:
    for _ in range(FREE_PER_PAIR - 1):
        _fail(accounts, "lan", "10.0.0.1")
    accounts.login("lan", PASSWORD, "10.0.0.1")
    for _ in range(FREE_PER_PAIR - 1):
        _fail(accounts, "lan", "10.0.0.1")
    assert accounts.retry_after("lan", "10.0.0.1") == 0


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
