"""The engine: the store, the index and the searcher, opened and kept consistent together.

Contract of :meth:`Engine.open`:

1. open (and migrate) the SQLite store; seed it from the bundled catalogue when it
   holds no standard;
2. check the served index; when it is missing or corrupt, say so on the log and
   rebuild it from the store (``rebuild_on_start``), else raise
   :class:`IndexUnavailable`;
   An index is also rebuilt when it was built from another store (its identity
   differs: a restore happened) or claims a watermark ahead of the store's;
3. re-index whatever the store wrote after the index's watermark (this, and the
   unit of work's, are the only index catch-ups).

While open, an engine holds ``<data-dir>/in-use.lock`` shared; a restore takes it
exclusively, so it refuses to run under a server or another command, and an
engine waits (up to :data:`IN_USE_WAIT` s) while a restore runs.

The CLI and the web app both go through this class, so they cannot disagree on
where data lives or how it is repaired.  Writes go through :attr:`Engine.writes`
(:class:`~catalogue.unit_of_work.UnitOfWork`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from catalogue.errors import DataDirInUse, IndexUnavailable, StoreError, from_os_error
from catalogue.locks import FileLock
from catalogue.model import Standard
from catalogue.recommend.box import ProductBoxes
from catalogue.recommend.recommender import Recommender
from catalogue.recommend.taxonomy import Taxonomy, TaxonomyCurations
from catalogue.search.searcher import Searcher, SearchRequest, SearchResult
from catalogue.seed import seed
from catalogue.settings import Settings
from catalogue.store.database import Store
from catalogue.unit_of_work import UnitOfWork
from indexer.index import Index

__all__ = ["IN_USE", "Engine"]

log = logging.getLogger("tieuchuan")
IN_USE = "in-use.lock"
IN_USE_WAIT = 60.0


def in_use_lock(settings: Settings) -> FileLock:
    return FileLock(settings.data_path / IN_USE)


class Engine:
    def __init__(self, settings: Settings, *, hold_data_dir: bool = True) -> None:
        self.settings = settings
        self._in_use = in_use_lock(settings)
        if hold_data_dir:
            try:
                got = self._in_use.acquire(shared=True, timeout=IN_USE_WAIT)
            except OSError as exc:
                raise from_os_error(exc) or StoreError(
                    f"không mở được thư mục dữ liệu / cannot use data folder {settings.data_path}: {exc}"
                ) from exc
            if not got:
                raise DataDirInUse(
                    f"Đang khôi phục dữ liệu vào {settings.data_path}; hãy thử lại sau. / A restore is running on"
                    f" {settings.data_path}; try again when it is done."
                )
        try:
            self.store = Store(settings.store_path)
        except BaseException:
            self._in_use.release()
            raise
        self.index = Index(settings.index_path, holdings=self.store)
        self.searcher = Searcher(self.index, curations=TaxonomyCurations(Taxonomy(self.store)))
        self.recommender = Recommender(self.store, self.searcher)
        self.boxes = ProductBoxes(self.recommender)  # the recommender's answer above search results
        self.writes = UnitOfWork(self.store, self.index)
        self.events: list[str] = []
        self._ics: tuple[str | None, dict[str, dict[str, Any]]] | None = None

    @classmethod
    def open(cls, settings: Settings, progress: Callable[[int], None] | None = None) -> Engine:
        engine = cls(settings)
        engine.ensure_ready(progress)
        return engine

    def _say(self, message: str) -> None:
        self.events.append(message)
        log.warning(message)

    def ensure_ready(self, progress: Callable[[int], None] | None = None) -> None:
        counts = seed(self.store)
        if any(counts.values()):
            self._say(
                f"Đã nạp danh mục kèm theo / seeded the bundled catalogue: {counts['new']} standards,"
                f" {counts['groups']} product groups, {counts['hs_lines']} HS lines"
            )
        try:
            meta = self.index.check()
            if meta.get("store_id") != self.store.identity:
                raise IndexUnavailable("chỉ mục được lập từ một kho khác / the index was built from another store")
            if meta.get("watermark", 0) > self.store.seq:
                raise IndexUnavailable("chỉ mục đi trước kho dữ liệu / the index claims writes the store lacks")
        except IndexUnavailable as exc:
            if not self.settings.rebuild_on_start:
                raise
            self._say(f"{exc.message} — xây lại từ kho / rebuilding from the store")
            self.rebuild(progress, wait=True)
        repaired = self.index.catch_up(self.store)
        if repaired:
            self._say(f"Đã cập nhật chỉ mục / re-indexed {repaired} records written after the index's watermark")

    def rebuild(self, progress: Callable[[int], None] | None = None, *, wait: bool = False) -> dict[str, Any]:
        """A new generation from the store, including whatever is written while it builds."""
        seq = self.store.seq
        return self.index.rebuild(
            self.store.all(),
            seq,
            progress,
            size_hint=self.store.count(),
            store=self.store,
            store_id=self.store.identity,
            wait=wait,
        )

    def search(self, request: SearchRequest) -> SearchResult:
        return self.searcher.search(request)

    def save(
        self, records: list[Standard], *, user: str = "tieuchuan", action: str = "save", require_title: bool = True
    ) -> dict[str, int]:
        """Write records (all or nothing, each with its audit entry), then update the index by key."""
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        with self.writes.begin() as change:
            for record in records:
                counts[change.write(record, user=user, action=action, require_title=require_title)] += 1
        return counts

    def ics(self) -> dict[str, dict[str, Any]]:
        """Every ICS code (as :meth:`Store.ics`), read once per served index generation, not on every page."""
        generation = self.index.served_name
        cached = self._ics
        if cached is None or cached[0] != generation:
            cached = self._ics = (generation, self.store.ics())
        return cached[1]

    def close(self) -> None:
        self.index.close()
        self.store.close()
        self._in_use.release()
