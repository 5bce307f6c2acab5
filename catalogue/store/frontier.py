"""The crawler's tables: ``crawl_runs``, ``frontier`` and ``quarantine``.

Contract: one method per statement; the crawl's rules (resuming, conditional
requests) live in :mod:`indexer.crawl.frontier`.  Methods that take a ``conn``
write inside the caller's transaction, so a page's frontier mark commits with the
store writes it caused.  JSON columns (``summary``, ``raw``) are decoded on the
way out.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalogue.store.database import Store

__all__ = ["FrontierRepository"]


class FrontierRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- runs --------------------------------------------------------------------
    def open_run(self, conn: sqlite3.Connection, source: str) -> int | None:
        """The newest unfinished run of ``source``, if any."""
        row = conn.execute(
            "SELECT id FROM crawl_runs WHERE source = ? AND state = 'running' ORDER BY id DESC LIMIT 1", (source,)
        ).fetchone()
        return row["id"] if row else None

    def insert_run(self, conn: sqlite3.Connection, source: str, base_url: str, now: str) -> int:
        cur = conn.execute(
            "INSERT INTO crawl_runs(source, base_url, started_at) VALUES (?, ?, ?)", (source, base_url, now)
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, conn: sqlite3.Connection, run_id: int | None, summary: dict[str, int], now: str) -> None:
        conn.execute(
            "UPDATE crawl_runs SET state = 'finished', finished_at = ?, summary = ? WHERE id = ?",
            (now, json.dumps(summary), run_id),
        )

    def save_summary(self, conn: sqlite3.Connection, run_id: int | None, summary: dict[str, int]) -> None:
        conn.execute("UPDATE crawl_runs SET summary = ? WHERE id = ?", (json.dumps(summary), run_id))

    def summary(self, run_id: int | None) -> dict[str, int]:
        row = self.store._conn().execute("SELECT summary FROM crawl_runs WHERE id = ?", (run_id,)).fetchone()
        return json.loads(row["summary"]) if row else {}

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.store._conn().execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [{**dict(r), "summary": json.loads(r["summary"])} for r in rows]

    # -- URLs --------------------------------------------------------------------
    def reset_urls(self, conn: sqlite3.Connection, run_id: int) -> None:
        """Every known URL back to ``pending`` for a new run; validators (ETag, hash) are kept."""
        conn.execute("UPDATE frontier SET state = 'pending', tries = 0, run_id = ?", (run_id,))

    def add_url(self, conn: sqlite3.Connection, url: str, kind: str, run_id: int | None, now: str) -> bool:
        """Enqueue ``url`` unless known; ``True`` when it was new."""
        cur = conn.execute(
            "INSERT INTO frontier(url, kind, state, run_id, updated_at) VALUES (?, ?, 'pending', ?, ?)"
            " ON CONFLICT(url) DO NOTHING",
            (url, kind, run_id, now),
        )
        return cur.rowcount > 0

    def pending(self, limit: int) -> list[dict[str, Any]]:
        """Pending URLs, list pages before detail pages, in discovery order."""
        rows = (
            self.store._conn()
            .execute(
                "SELECT url, kind, etag, last_modified, content_hash FROM frontier WHERE state = 'pending'"
                " ORDER BY kind = 'detail', rowid LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        return [dict(r) for r in rows]

    def finish_url(
        self,
        conn: sqlite3.Connection,
        url: str,
        state: str,
        now: str,
        *,
        http_status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_hash: str | None = None,
        error: str | None = None,
    ) -> None:
        """Mark ``url``; validators not given keep their stored value."""
        conn.execute(
            "UPDATE frontier SET state = ?, http_status = ?, etag = COALESCE(?, etag),"
            " last_modified = COALESCE(?, last_modified), content_hash = COALESCE(?, content_hash), error = ?,"
            " tries = tries + 1, updated_at = ? WHERE url = ?",
            (state, http_status, etag, last_modified, content_hash, error, now, url),
        )

    def counts(self) -> dict[str, int]:
        rows = self.store._conn().execute("SELECT state, count(*) AS n FROM frontier GROUP BY state").fetchall()
        return {r["state"]: r["n"] for r in rows}

    def url_states(self) -> dict[str, str]:
        """``{url: state}`` of every known URL."""
        return {r["url"]: r["state"] for r in self.store._conn().execute("SELECT url, state FROM frontier")}

    # -- quarantine --------------------------------------------------------------
    def quarantine(
        self,
        conn: sqlite3.Connection,
        run_id: int | None,
        url: str,
        reason: str,
        raw: dict[str, Any],
        now: str,
        key: str | None = None,
    ) -> None:
        """A new entry; with ``key``, an open entry of the same key is brought up to date instead."""
        conn.execute(
            "INSERT INTO quarantine(run_id, url, reason, raw, created_at, dedupe_key) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(dedupe_key) WHERE dedupe_key IS NOT NULL AND resolved = 0 DO UPDATE SET"
            " run_id = excluded.run_id, url = excluded.url, reason = excluded.reason, raw = excluded.raw",
            (run_id, url, reason, json.dumps(raw, ensure_ascii=False), now, key),
        )

    def quarantined(self, limit: int = 100, unresolved_only: bool = True) -> list[dict[str, Any]]:
        sql = (
            "SELECT * FROM quarantine"
            + (" WHERE resolved = 0" if unresolved_only else "")
            + " ORDER BY id DESC LIMIT ?"
        )
        return [{**dict(r), "raw": json.loads(r["raw"])} for r in self.store._conn().execute(sql, (limit,))]

    def resolve(self, conn: sqlite3.Connection, quarantine_id: int) -> bool:
        """Mark a quarantined page as dealt with; ``False`` when there is no such entry."""
        cur = conn.execute("UPDATE quarantine SET resolved = 1 WHERE id = ?", (quarantine_id,))
        return cur.rowcount > 0
