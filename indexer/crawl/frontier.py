"""The crawl frontier, runs and quarantine, kept in the store's SQLite file.

Contracts:

* A run is resumable: :meth:`Frontier.start` reopens the unfinished run of the
  same source instead of starting a new one, and only URLs still ``pending`` in
  it are handed out again.  Work marked ``done`` is never fetched twice in a run.
* A new run puts every URL already known for the source back to ``pending`` with
  its ETag / Last-Modified kept, so an unchanged site costs conditional requests.
* :meth:`Frontier.finish_url` is meant to be called inside the same transaction
  as the store writes the page caused, so a SIGKILL leaves both or neither.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from catalogue.store.database import Store

__all__ = ["Frontier", "UrlState"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class UrlState:
    url: str
    kind: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None


class Frontier:
    def __init__(self, store: Store, source: str) -> None:
        self.store = store
        self.source = source
        self.run_id: int | None = None

    def start(self, base_url: str, seeds: list[tuple[str, str]]) -> tuple[int, bool]:
        """(run id, resumed?) — resumes an unfinished run of this source, else starts one."""
        with self.store.transaction() as tx:
            row = tx.execute(
                "SELECT id FROM crawl_runs WHERE source = ? AND state = 'running' ORDER BY id DESC LIMIT 1",
                (self.source,),
            ).fetchone()
            if row is not None:
                self.run_id = row["id"]
                return self.run_id, True
            cur = tx.execute(
                "INSERT INTO crawl_runs(source, base_url, started_at) VALUES (?, ?, ?)", (self.source, base_url, _now())
            )
            self.run_id = cur.lastrowid
            tx.execute("UPDATE frontier SET state = 'pending', tries = 0, run_id = ?", (self.run_id,))
            for url, kind in seeds:
                self._add(tx, url, kind)
        return self.run_id, False

    def _add(self, conn: sqlite3.Connection, url: str, kind: str) -> bool:
        cur = conn.execute(
            "INSERT INTO frontier(url, kind, state, run_id, updated_at) VALUES (?, ?, 'pending', ?, ?)"
            " ON CONFLICT(url) DO NOTHING",
            (url, kind, self.run_id, _now()),
        )
        return cur.rowcount > 0

    def add(self, urls: list[tuple[str, str]], conn: sqlite3.Connection | None = None) -> int:
        """Enqueue newly discovered URLs; known ones keep their state.  Returns how many were new."""
        if conn is None:
            with self.store.transaction() as tx:
                return self.add(urls, tx)
        return sum(self._add(conn, url, kind) for url, kind in urls)

    def pending(self, limit: int = 1000) -> list[UrlState]:
        rows = (
            self.store._conn()
            .execute(
                "SELECT url, kind, etag, last_modified, content_hash FROM frontier WHERE state = 'pending'"
                " ORDER BY kind = 'detail', rowid LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        return [UrlState(r["url"], r["kind"], r["etag"], r["last_modified"], r["content_hash"]) for r in rows]

    def finish_url(
        self,
        conn: sqlite3.Connection,
        url: str,
        state: str,
        *,
        http_status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_hash: str | None = None,
        error: str | None = None,
    ) -> None:
        conn.execute(
            "UPDATE frontier SET state = ?, http_status = ?, etag = COALESCE(?, etag),"
            " last_modified = COALESCE(?, last_modified), content_hash = COALESCE(?, content_hash), error = ?,"
            " tries = tries + 1, updated_at = ? WHERE url = ?",
            (state, http_status, etag, last_modified, content_hash, error, _now(), url),
        )

    def quarantine(self, conn: sqlite3.Connection, url: str, reason: str, raw: dict[str, Any]) -> None:
        conn.execute(
            "INSERT INTO quarantine(run_id, url, reason, raw, created_at) VALUES (?, ?, ?, ?, ?)",
            (self.run_id, url, reason, json.dumps(raw, ensure_ascii=False), _now()),
        )

    def finish(self, summary: dict[str, int]) -> None:
        with self.store.transaction() as tx:
            tx.execute(
                "UPDATE crawl_runs SET state = 'finished', finished_at = ?, summary = ? WHERE id = ?",
                (_now(), json.dumps(summary), self.run_id),
            )

    def save_summary(self, summary: dict[str, int]) -> None:
        """Progress so far, so a resumed run reports the whole run."""
        with self.store.transaction() as tx:
            tx.execute("UPDATE crawl_runs SET summary = ? WHERE id = ?", (json.dumps(summary), self.run_id))

    def summary_so_far(self) -> dict[str, int]:
        row = self.store._conn().execute("SELECT summary FROM crawl_runs WHERE id = ?", (self.run_id,)).fetchone()
        return json.loads(row["summary"]) if row else {}

    # -- reports -----------------------------------------------------------------
    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.store._conn().execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [{**dict(r), "summary": json.loads(r["summary"])} for r in rows]

    def quarantined(self, limit: int = 100, unresolved_only: bool = True) -> list[dict[str, Any]]:
        sql = (
            "SELECT * FROM quarantine"
            + (" WHERE resolved = 0" if unresolved_only else "")
            + " ORDER BY id DESC LIMIT ?"
        )
        return [{**dict(r), "raw": json.loads(r["raw"])} for r in self.store._conn().execute(sql, (limit,))]

    def counts(self) -> dict[str, int]:
        rows = self.store._conn().execute("SELECT state, count(*) AS n FROM frontier GROUP BY state").fetchall()
        return {r["state"]: r["n"] for r in rows}
