"""The secretariat's tables: ``users``, ``sessions`` and ``login_attempts``.

Contract: plain rows in, plain rows (dicts) out; the rules (password strength,
lockout, expiry) live in :mod:`catalogue.accounts`.  Methods that write several
rows do it in one transaction.  SQL is parameterised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalogue.store.database import Store

__all__ = ["AccountRepository"]

_FAILURE_COLUMNS = ("name", "ip")  # the only columns a lockout counts by


class AccountRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- users -------------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str, created_at: str) -> bool:
        """Insert a user; ``False`` (and nothing written) when the name is taken."""
        with self.store.transaction() as tx:
            if tx.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                return False
            tx.execute(
                "INSERT INTO users(name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, password_hash, created_at),
            )
        return True

    def user(self, name: str) -> dict[str, Any] | None:
        row = self.store._conn().execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return dict(row) if row else None

    def users(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.store._conn().execute("SELECT * FROM users ORDER BY name").fetchall()]

    def disable(self, user_id: int) -> None:
        """Disable the account and end all its sessions, together."""
        with self.store.transaction() as tx:
            tx.execute("UPDATE users SET disabled = 1 WHERE id = ?", (user_id,))
            tx.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    # -- login attempts ----------------------------------------------------------
    def failures(self, column: str, value: str, since: float) -> int:
        """Failed attempts with ``column`` (``name`` or ``ip``) equal to ``value`` after ``since``."""
        if column not in _FAILURE_COLUMNS:
            raise ValueError(f"not a login_attempts column: {column!r}")
        row = (
            self.store._conn()
            .execute(f"SELECT count(*) FROM login_attempts WHERE {column} = ? AND ok = 0 AND at > ?", (value, since))
            .fetchone()
        )
        return row[0]

    def failure_stats(
        self, since: float, *, name: str | None = None, ip: str | None = None, after_success: bool = False
    ) -> tuple[int, float]:
        """``(count, time of the last)`` of failed attempts after ``since`` for ``name`` and/or ``ip``.

        ``after_success`` (with both) counts only those after that pair's last successful login.
        """
        clauses, params = ["ok = 0", "at > ?"], [since]
        if name is not None:
            clauses.append("name = ?")
            params.append(name)
        if ip is not None:
            clauses.append("ip = ?")
            params.append(ip)
        if after_success:
            clauses.append(
                "at > coalesce((SELECT max(at) FROM login_attempts WHERE ok = 1 AND name = ? AND ip = ?), 0)"
            )
            params += [name, ip]
        sql = f"SELECT count(*), max(at) FROM login_attempts WHERE {' AND '.join(clauses)}"
        row = self.store._conn().execute(sql, params).fetchone()
        return row[0], row[1] or 0.0

    def succeeded(self, name: str, ip: str, since: float) -> bool:
        """Whether ``name`` logged in successfully from ``ip`` after ``since``."""
        row = (
            self.store._conn()
            .execute("SELECT 1 FROM login_attempts WHERE ok = 1 AND name = ? AND ip = ? AND at > ?", (name, ip, since))
            .fetchone()
        )
        return row is not None

    def record_login(
        self, at: float, name: str, ip: str, ok: bool, session: tuple[str, int, str] | None = None
    ) -> None:
        """The attempt, and for a success the new session ``(sid, user_id, csrf)``, in one transaction."""
        with self.store.transaction() as tx:
            tx.execute("INSERT INTO login_attempts(at, name, ip, ok) VALUES (?, ?, ?, ?)", (at, name, ip, int(ok)))
            if session is not None:
                sid, user_id, csrf = session
                tx.execute(
                    "INSERT INTO sessions(id, user_id, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                    (sid, user_id, csrf, at, at),
                )

    # -- sessions ----------------------------------------------------------------
    def session(self, sid: str) -> dict[str, Any] | None:
        """The session row joined with its user's ``name``, ``role`` and ``disabled``."""
        row = (
            self.store._conn()
            .execute(
                "SELECT s.*, u.name, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id"
                " WHERE s.id = ?",
                (sid,),
            )
            .fetchone()
        )
        return dict(row) if row else None

    def touch_session(self, sid: str, now: float) -> None:
        self.store._conn().execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (now, sid))

    def delete_session(self, sid: str) -> None:
        self.store._conn().execute("DELETE FROM sessions WHERE id = ?", (sid,))
