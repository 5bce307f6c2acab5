"""The crawl: frontier → polite fetch → read → validate → store → index.

Contracts of :meth:`Crawler.run`:

* Resumable: a run killed at any point (SIGKILL included) continues where it
  stopped when started again; pages already done are not fetched again, and the
  store ends as an uninterrupted crawl would have left it.  Each page's store
  writes and its frontier mark commit in one transaction.
* Incremental: a later run revisits known pages with conditional GETs; an
  unchanged page costs a 304, an unchanged record is not rewritten.
* Bad pages never stop the crawl: a page that fails validation is quarantined
  with its reasons and URL; a page that cannot be fetched is counted as failed.
* Each page's records are written through the unit of work
  (:mod:`catalogue.unit_of_work`), with their audit entries (action ``crawl``).
  The index is updated by key as records change (never rebuilt), every
  :data:`INDEX_BATCH` records; a crash between a store write and the index
  update is repaired by the index watermark.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from catalogue.errors import Disallowed, FetchFailed, ValidationError
from catalogue.store.database import Store
from catalogue.unit_of_work import UnitOfWork
from indexer.crawl.fetcher import Fetcher, FetchSettings
from indexer.crawl.frontier import Frontier, UrlState
from indexer.index import Index
from indexer.sources.base import Source

__all__ = ["CrawlSummary", "Crawler"]

log = logging.getLogger("tieuchuan.crawl")
INDEX_BATCH = 500  # records per incremental index commit: fewer, larger Whoosh commits


@dataclass
class CrawlSummary:
    fetched: int = 0
    not_modified: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    quarantined: int = 0
    disallowed: int = 0
    list_pages: int = 0
    requests: int = 0
    resumed: bool = False
    run_id: int | None = None
    failures: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int) and not isinstance(v, bool)}

    def line(self) -> str:
        return (
            f"fetched {self.fetched} (304: {self.not_modified}), new {self.new}, changed {self.changed},"
            f" unchanged {self.unchanged}, failed {self.failed}, quarantined {self.quarantined},"
            f" disallowed {self.disallowed}"
        )


class Crawler:
    def __init__(
        self,
        store: Store,
        index: Index | None,
        source: Source,
        settings: FetchSettings | None = None,
        max_pages: int | None = None,
        progress: Callable[[CrawlSummary], None] | None = None,
    ) -> None:
        self.store = store
        self.index = index
        self.source = source
        self.settings = settings or FetchSettings()
        self.settings.allowed_hosts = self.settings.allowed_hosts or source.allowed_hosts()
        self.max_pages = max_pages
        self.frontier = Frontier(store, source.name)
        self.writes = UnitOfWork(store, index)
        self.progress = progress
        self.summary = CrawlSummary()
        self._changed: list[str] = []

    # -- the run -----------------------------------------------------------------
    def run(self, transport: Any = None) -> CrawlSummary:
        return asyncio.run(self.arun(transport))

    async def arun(self, transport: Any = None) -> CrawlSummary:
        run_id, resumed = self.frontier.start(self.source.base_url, self.source.seeds())
        self.summary.run_id, self.summary.resumed = run_id, resumed
        if resumed:
            for key, value in self.frontier.summary_so_far().items():
                if hasattr(self.summary, key) and isinstance(value, int):
                    setattr(self.summary, key, value)
        async with Fetcher(self.settings, transport) as fetcher:
            while True:
                batch = self.frontier.pending(limit=self.settings.concurrency * 8)
                if self.max_pages is not None:
                    budget = self.max_pages - (self.summary.fetched + self.summary.failed)
                    batch = batch[: max(0, budget)]
                if not batch:
                    break
                await asyncio.gather(*(self._one(fetcher, item) for item in batch))
                self.frontier.save_summary(self.summary.counts())
                self._flush_index()
            self.summary.requests += fetcher.requests
        self._flush_index(force=True)
        self.frontier.finish(self.summary.counts())
        return self.summary

    async def _one(self, fetcher: Fetcher, item: UrlState) -> None:
        try:
            page = await fetcher.fetch(item.url, item.etag, item.last_modified)
        except FetchFailed as exc:
            disallowed = isinstance(exc, Disallowed)
            with self.store.transaction() as tx:
                self.frontier.finish_url(
                    tx, item.url, "skipped" if disallowed else "failed", http_status=exc.http_status, error=exc.reason
                )
            if disallowed:
                self.summary.disallowed += 1
            else:
                self.summary.failed += 1
                self.summary.failures.append(f"{item.url}: {exc.reason}")
                log.warning("failed: %s: %s", item.url, exc.reason)
            self._report()
            return
        self.summary.fetched += 1
        if page.status == 304:
            self.summary.not_modified += 1
            with self.store.transaction() as tx:
                self.frontier.finish_url(tx, item.url, "done", http_status=304)
            if item.kind == "detail":
                self.summary.unchanged += 1
            self._report()
            return
        digest = hashlib.sha256(page.body).hexdigest()
        text = page.text or ""
        if item.kind == "list":
            self.summary.list_pages += 1
            links = self.source.read_list(page.url, text)
            with self.store.transaction() as tx:
                self.frontier.add(links, tx)
                self._finish(tx, item, page, "done", digest)
            self._report()
            return
        if digest == item.content_hash:  # same bytes as last time: nothing can have changed
            self.summary.unchanged += 1
            with self.store.transaction() as tx:
                self._finish(tx, item, page, "done", None)
            self._report()
            return
        with self.writes.begin(catch_up=False) as change:
            tx = change.tx
            try:
                record = self.source.read_detail(page.url, text)
            except ValidationError as exc:
                self.frontier.quarantine(tx, item.url, "; ".join(exc.problems), self.source.raw(page.url, text))
                self._finish(tx, item, page, "quarantined", digest, error=exc.message[:500])
                self.summary.quarantined += 1
            else:
                outcome = change.merge(record, user=f"crawl:{self.source.name}", action="crawl")
                setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
                if outcome != "unchanged":
                    self._changed.append(record.number)
                self._finish(tx, item, page, "done", digest)
        self._report()

    def _finish(self, tx: Any, item: UrlState, page: Any, state: str, digest: str | None, error: str | None = None):
        """Mark a fetched URL in the frontier, keeping its validators for the next conditional GET."""
        self.frontier.finish_url(
            tx,
            item.url,
            state,
            http_status=200,
            etag=page.etag,
            last_modified=page.last_modified,
            content_hash=digest,
            error=error,
        )

    def _flush_index(self, force: bool = False) -> None:
        if self.index is None or not self._changed or (len(self._changed) < INDEX_BATCH and not force):
            return
        self._changed.clear()
        self.writes.catch_up()  # by key, everything written after the watermark

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.summary)

    # -- reports -----------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        return {
            "runs": self.frontier.runs(),
            "quarantine": self.frontier.quarantined(),
            "frontier": self.frontier.counts(),
        }


def format_report(report: dict[str, Any]) -> str:
    lines = ["Lần thu thập gần nhất / last crawls:"]
    for run in report["runs"]:
        lines.append(
            f"  #{run['id']} {run['source']} {run['started_at']} → {run['finished_at'] or 'chưa xong / unfinished'}"
            f" {json.dumps(run['summary'])}"
        )
    lines.append(f"Frontier: {report['frontier']}")
    lines.append(f"Cách ly / quarantined ({len(report['quarantine'])}):")
    for q in report["quarantine"]:
        lines.append(f"  {q['url']}\n      {q['reason']}")
    return "\n".join(lines)
