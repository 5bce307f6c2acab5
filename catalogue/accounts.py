"""Secretariat accounts: argon2 passwords, server-side sessions, login rate limiting.

Contracts:

* There is no default account and no default password; ``tieuchuan user add``
  creates them.  Passwords are stored as argon2id hashes (argon2-cffi).
* A session is a row in ``sessions``; the browser holds only its id inside a
  signed cookie.  Logging out deletes the row, so a copied cookie is worthless
  afterwards.  Sessions expire after :data:`IDLE_SECONDS` without use and
  :data:`ABSOLUTE_SECONDS` after login, whatever the use.
* Login attempts are recorded, and failures slow further attempts down by a
  progressive delay — never a hard lock that someone else can set off.  Within
  :data:`WINDOW_SECONDS`, once a rule's free failures are used, each further
  failure doubles the wait before the next attempt under that rule is even
  checked (from :data:`BASE_DELAY` up to :data:`MAX_DELAY` seconds; until then
  :class:`LockedOut`, 429, with ``retry_after``).  The rules:

  - one account from one address: :data:`FREE_PER_PAIR` free failures, counted
    since the pair's last successful login;
  - one address, whatever the accounts: :data:`FREE_PER_IP`;
  - one account from addresses it has not logged in from within
    :data:`KNOWN_SECONDS`: :data:`FREE_PER_ACCOUNT`.  An address the account
    did log in from is exempt from this rule, so an attack on an account from
    elsewhere never keeps its owner out of their own address.

  The address is the client's as :func:`catalogue.web.limits.client_ip` sees it
  (forwarded headers only from configured proxies).
* The time source (``clock``) and the hasher are injectable, so expiry and lockout
  are testable without waiting for the clock or for argon2's deliberate cost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from catalogue.errors import InvalidInput, LockedOut, LoginRefused
from catalogue.store.database import Store

__all__ = ["ROLES", "Accounts", "LockedOut", "LoginRefused", "Session", "User"]

ROLES = ("editor", "admin")  # the store's CHECK constraint names the same two
IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 3600
WINDOW_SECONDS = 15 * 60
FREE_PER_PAIR = 3
FREE_PER_IP = 20
FREE_PER_ACCOUNT = 10
BASE_DELAY = 2.0
MAX_DELAY = 15 * 60.0
KNOWN_SECONDS = 90 * 86400
MIN_PASSWORD = 10


def delay(failures: int, free: int) -> float:
    """Seconds to wait after ``failures`` failures under a rule that allows ``free`` of them."""
    if failures < free:
        return 0.0
    return min(MAX_DELAY, BASE_DELAY * 2 ** (failures - free))


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    id: str
    user: User
    csrf: str


class Accounts:
    def __init__(
        self, store: Store, clock: Callable[[], float] = time.time, hasher: PasswordHasher | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.hasher = hasher or PasswordHasher()  # argon2id with argon2-cffi's defaults

    # -- users -------------------------------------------------------------------
    def add(self, name: str, role: str, password: str) -> User:
        name = (name or "").strip()
        if not name or len(name) > 64 or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise InvalidInput("tên đăng nhập chỉ gồm chữ, số, . - _ / user names use letters, digits, . - _")
        if role not in ROLES:
            raise InvalidInput(f"vai trò phải là / role must be one of {', '.join(ROLES)}")
        if len(password or "") < MIN_PASSWORD:
            raise InvalidInput(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự / passwords need {MIN_PASSWORD}+ characters")
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if not self.store.accounts.add_user(name, role, self.hasher.hash(password), created):
            raise InvalidInput(f"tài khoản đã tồn tại / user {name!r} exists")
        return self.user(name)

    def user(self, name: str) -> User:
        row = self.store.accounts.user(name)
        if row is None:
            raise InvalidInput(f"không có tài khoản / no user {name!r}")
        return User(row["id"], row["name"], row["role"], bool(row["disabled"]))

    def users(self) -> list[User]:
        return [User(r["id"], r["name"], r["role"], bool(r["disabled"])) for r in self.store.accounts.users()]

    def disable(self, name: str) -> None:
        self.store.accounts.disable(self.user(name).id)

    # -- login -------------------------------------------------------------------
    def retry_after(self, name: str, ip: str) -> float:
        """Seconds before ``name`` may try to log in from ``ip`` again (0: now)."""
        repo, now = self.store.accounts, self.clock()
        since = now - WINDOW_SECONDS
        rules = [
            (repo.failure_stats(since, name=name, ip=ip, after_success=True), FREE_PER_PAIR),
            (repo.failure_stats(since, ip=ip), FREE_PER_IP),
        ]
        if not repo.succeeded(name, ip, now - KNOWN_SECONDS):
            rules.append((repo.failure_stats(since, name=name), FREE_PER_ACCOUNT))
        return max([0.0, *(last + delay(count, free) - now for (count, last), free in rules if count)])

    def login(self, name: str, password: str, ip: str) -> Session:
        """A new session, or :class:`LoginRefused` / :class:`LockedOut` with a message."""
        name = (name or "").strip()[:64]
        wait = self.retry_after(name, ip)
        if wait > 0:
            seconds = int(wait) + 1
            raise LockedOut(
                f"Quá nhiều lần đăng nhập sai; hãy thử lại sau {seconds} giây. / Too many failed logins; try again"
                f" in {seconds} seconds.",
                seconds,
            )
        row = self.store.accounts.user(name)
        ok = False
        if row is not None and not row["disabled"]:
            try:
                ok = self.hasher.verify(row["password_hash"], password or "")
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
        else:
            self.hasher.hash("timing equaliser")  # the same work whether or not the name exists
        sid, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock()
        self.store.accounts.record_login(now, name, ip, ok, (sid, row["id"], csrf) if ok else None)
        if not ok:  # the attempt is recorded (committed) before refusing
            raise LoginRefused("Sai tên đăng nhập hoặc mật khẩu. / Wrong user name or password.")
        return Session(sid, User(row["id"], row["name"], row["role"], False), csrf)

    def session(self, sid: str | None) -> Session | None:
        """The live session for ``sid`` (touching it), or ``None`` when absent or expired."""
        if not sid:
            return None
        row = self.store.accounts.session(sid)
        if row is None:
            return None
        now = self.clock()
        if row["disabled"] or now - row["last_seen"] > IDLE_SECONDS or now - row["created_at"] > ABSOLUTE_SECONDS:
            self.logout(sid)
            return None
        with contextlib.suppress(sqlite3.OperationalError):  # disk full or busy: admin pages must still read
            self.store.accounts.touch_session(sid, now)
        return Session(sid, User(row["user_id"], row["name"], row["role"], False), row["csrf"])

    def logout(self, sid: str) -> None:
        self.store.accounts.delete_session(sid)
