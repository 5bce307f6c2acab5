"""The append-only ``audit_log`` table.

Contracts:

* :meth:`AuditRepository.append` writes through the caller's connection, so an
  entry commits in the same transaction as the change it records (the unit of
  work, :mod:`catalogue.unit_of_work`, is the only caller).
* SQLite triggers refuse UPDATE and DELETE on the table: entries are never changed.
* ``changes`` is stored as JSON and returned decoded.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalogue.store.database import Store

__all__ = ["AuditRepository"]


class AuditRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, conn: sqlite3.Connection, user: str, action: str, target: str, changes: dict[str, Any]) -> int:
        """Add one entry inside ``conn``'s open transaction; returns its id."""
        cur = conn.execute(
            "INSERT INTO audit_log(at, user, action, target, changes) VALUES (?, ?, ?, ?, ?)",
            (
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                user,
                action,
                target,
                json.dumps(changes, ensure_ascii=False, default=str),
            ),
        )
        return int(cur.lastrowid or 0)

    def entries(self, target: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first; every entry, or those about ``target``."""
        conn = self.store._conn()
        if target is None:
            rows = conn.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = conn.execute("SELECT * FROM audit_log WHERE target = ? ORDER BY id DESC LIMIT ?", (target, limit))
        return [{**dict(r), "changes": json.loads(r["changes"])} for r in rows]

    def search(
        self,
        *,
        action: str = "",
        user: str = "",
        target: str = "",
        since: str | None = None,
        until: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Newest first: entries of ``action``, by ``user`` (any case), about a record whose number contains
        ``target`` (any case), written at or after ``since`` and before ``until`` (UTC, the log's format)."""
        clauses, params = [], []
        if action:
            clauses.append("action = ?")
            params.append(action)
        if user:
            clauses.append("lower(user) = lower(?)")
            params.append(user)
        if target:
            clauses.append("lower(target) LIKE ? ESCAPE '\\'")
            escaped = target.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        if since:
            clauses.append("at >= ?")
            params.append(since)
        if until:
            clauses.append("at < ?")
            params.append(until)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.store._conn().execute(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [{**dict(r), "changes": json.loads(r["changes"])} for r in rows]

    def actions(self) -> list[str]:
        """Every action the log holds (the filter's choices)."""
        return [row[0] for row in self.store._conn().execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]

    def targets(self) -> set[str]:
        """Every record number some entry is about (the seed keeps those records as the secretariat left them)."""
        return {row[0] for row in self.store._conn().execute("SELECT DISTINCT target FROM audit_log")}

    def count(self) -> int:
        return self.store._conn().execute("SELECT count(*) FROM audit_log").fetchone()[0]
