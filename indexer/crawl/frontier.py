"""The crawl frontier, runs and quarantine, kept in the store's SQLite file (:mod:`catalogue.store.frontier`).

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
            running = self.store.frontier.open_run(tx, self.source)
            if running is not None:
                self.run_id = running
                return self.run_id, True
            self.run_id = self.store.frontier.insert_run(tx, self.source, base_url, _now())
            self.store.frontier.reset_urls(tx, self.run_id)
            for url, kind in seeds:
                self._add(tx, url, kind)
        return self.run_id, False

    def _add(self, conn: sqlite3.Connection, url: str, kind: str) -> bool:
        return self.store.frontier.add_url(conn, url, kind, self.run_id, _now())

    def add(self, urls: list[tuple[str, str]], conn: sqlite3.Connection | None = None) -> int:
        """Enqueue newly discovered URLs; known ones keep their state.  Returns how many were new."""
        if conn is None:
            with self.store.transaction() as tx:
                return self.add(urls, tx)
        return sum(self._add(conn, url, kind) for url, kind in urls)

    def pending(self, limit: int = 1000) -> list[UrlState]:
        rows = self.store.frontier.pending(limit)
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
        self.store.frontier.finish_url(
            conn,
            url,
            state,
            _now(),
            http_status=http_status,
            etag=etag,
            last_modified=last_modified,
            content_hash=content_hash,
            error=error,
        )

    def quarantine(
        self, conn: sqlite3.Connection, url: str, reason: str, raw: dict[str, Any], key: str | None = None
    ) -> None:
        """Set a bad page or row aside; with ``key``, an open entry of the same key is updated, not repeated."""
        self.store.frontier.quarantine(conn, self.run_id, url, reason, raw, _now(), key)

    def finish(self, summary: dict[str, int]) -> None:
        with self.store.transaction() as tx:
            self.store.frontier.finish_run(tx, self.run_id, summary, _now())

    def save_summary(self, summary: dict[str, int]) -> None:
        """Progress so far, so a resumed run reports the whole run."""
        with self.store.transaction() as tx:
            self.store.frontier.save_summary(tx, self.run_id, summary)

    def summary_so_far(self) -> dict[str, int]:
        return self.store.frontier.summary(self.run_id)

    # -- reports -----------------------------------------------------------------
    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        return self.store.frontier.runs(limit)

    def quarantined(self, limit: int = 100, unresolved_only: bool = True) -> list[dict[str, Any]]:
        return self.store.frontier.quarantined(limit, unresolved_only)

    def counts(self) -> dict[str, int]:
        return self.store.frontier.counts()
