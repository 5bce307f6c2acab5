"""The served snapshot and its successor: built out of the readers' way, swapped in when ready.

Why: building a :class:`~catalogue.search.snapshot.Snapshot` under the searcher's
lock made every query wait for it (0.48 s at 20,000 records, seconds after a
rebuild).  Now queries never wait for a build while there is a snapshot to serve.

Contracts of :class:`SnapshotSwap`:

* :meth:`~SnapshotSwap.get` returns the snapshot of the index's current searcher
  when it is ready, else the newest ready one.  It never waits for a build while
  a snapshot exists; only the very first build is waited for (nothing to serve).
* When the searcher changes, the first caller that notices starts the successor,
  built on the previous snapshot (shared segments are reused).  A small change
  (fewer than ``background_from`` documents to read: an edit, a crawl batch) that
  ``own(searcher)`` says this process made is built by that caller, so a thread
  reads its own writes; any other change (another process's commit, a new
  generation) is built by a background thread while the old snapshot serves, so
  no query pays for it.
* At most one build runs at a time; a change seen during a build is picked up by
  the first query after it.  The swap is one reference assignment: a query keeps
  the snapshot it started with, old or new, to its end.
* A failed background build is logged and the current snapshot keeps serving;
  it is not retried for the same searcher.
* ``upcoming()`` names the generation a rebuild is about to swap in (a Whoosh
  searcher on it, or ``None``).  Its snapshot is prepared by a background thread,
  beside and never instead of the builds above, and kept aside; when the swap
  comes, the successor is built on it (the new generation shares its segments),
  so the swap costs what the rebuild's last catch-up wrote, not the catalogue.
  ``prepared(upcoming)`` is then called (outside the lock): the index tells the
  rebuild, which swaps without waiting longer (:mod:`indexer.readers`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from catalogue.search.segments import segment_key
from catalogue.search.snapshot import Snapshot

__all__ = ["BACKGROUND_FROM", "SnapshotSwap"]

log = logging.getLogger("tieuchuan.search")
BACKGROUND_FROM = 5000  # new documents to read from which a build leaves the caller's thread (~0.2 s)
Build = Callable[[Any, Snapshot | None], Snapshot]


def _build(searcher: Any, previous: Snapshot | None) -> Snapshot:
    return Snapshot(searcher, previous)


class SnapshotSwap:
    """Holds the served snapshot of ``source()`` (a Whoosh searcher) and builds its successors."""

    def __init__(
        self,
        source: Callable[[], Any],
        build: Build = _build,
        background_from: int = BACKGROUND_FROM,
        own: Callable[[Any], bool] = lambda searcher: True,
        upcoming: Callable[[], Any] = lambda: None,
        prepared: Callable[[Any], None] = lambda upcoming: None,
        warm: Callable[[Snapshot, Snapshot | None], None] = lambda snapshot, served: None,
    ) -> None:
        self._source = source
        self._upcoming = upcoming
        self._announce_prepared = prepared
        self._warm = warm
        self._build = build
        self._background_from = background_from
        self._own = own
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._current: Snapshot | None = None
        self._building: Any = None  # the searcher a build is running for
        self._failed: Any = None  # the searcher whose background build failed
        self._prepared: Snapshot | None = None  # of the upcoming generation: not served, built on at the swap
        self._preparing: Any = None  # the upcoming searcher a preparation is running for
        self._prepare_failed: Any = None  # the upcoming searcher whose preparation failed

    @property
    def current(self) -> Snapshot | None:
        """The served snapshot, without looking for a newer searcher."""
        return self._current

    def get(self) -> Snapshot:
        upcoming = self._upcoming()  # read before the source: the index drops it only after serving it
        searcher = self._source()
        if upcoming is not None:
            self._prepare(upcoming)
        with self._lock:
            current = self._current
            idle = current is not None and current.searcher is searcher and self._preparing is None
            if upcoming is None and idle:
                self._prepared = None  # nothing upcoming, nothing to build: a rebuild that failed, if any
            if current is not None and (
                current.searcher is searcher or self._building is not None or self._failed is searcher
            ):
                return current
            while current is None and self._building is not None:  # the first build: nothing to serve yet
                self._changed.wait()
                current = self._current
            if current is not None and (current.searcher is searcher or self._building is not None):
                return current
            self._building = searcher
            base, fresh = current, None  # fresh: the documents a build on base reads, once counted
            if current is not None and self._prepared is not None:
                # the swap: build on the prepared snapshot when the new searcher shares more with it
                fresh, shared = _new_documents(current, searcher), _new_documents(self._prepared, searcher)
                if shared < fresh:
                    base, fresh, self._prepared = self._prepared, shared, None
            background = base is not None and (
                not self._own(searcher)
                or (fresh if fresh is not None else _new_documents(base, searcher)) >= self._background_from
            )
        if background:
            thread = threading.Thread(target=self._run, args=(searcher, base, False), name="snapshot-build")
            thread.daemon = True
            thread.start()
            return current  # type: ignore[return-value]
        return self._run(searcher, base, True)

    def _prepare(self, upcoming: Any) -> None:
        """Start preparing the snapshot of ``upcoming`` (see the module docstring) unless it is prepared,
        being prepared, or failed to."""
        with self._lock:
            if self._preparing is not None or upcoming is self._prepare_failed:
                return
            if self._prepared is not None and self._prepared.searcher is upcoming:
                return
            self._preparing = upcoming
            base = self._prepared or self._current
        thread = threading.Thread(target=self._run_prepare, args=(upcoming, base), name="snapshot-prepare")
        thread.daemon = True
        thread.start()

    def _run_prepare(self, upcoming: Any, base: Snapshot | None) -> None:
        prepared = None
        try:
            prepared = self._build(upcoming, base)
        except BaseException:  # the swap builds as it would have without it
            log.warning("could not prepare the upcoming generation's snapshot", exc_info=True)
        if prepared is not None:
            try:  # answer the served snapshot's recent requests on it: the swap serves them warm
                self._warm(prepared, self._current)
            except Exception:  # a cold swap: slower first queries, never wrong ones
                log.warning("could not warm the upcoming generation's snapshot", exc_info=True)
        with self._lock:
            if prepared is None:
                self._prepare_failed = upcoming
            else:
                self._prepared = prepared
            self._preparing = None
            self._changed.notify_all()
        if prepared is not None:
            try:
                self._announce_prepared(upcoming)
            except Exception:  # the rebuild then waits until its deadline: slower, never wrong
                log.warning("could not acknowledge the prepared generation", exc_info=True)

    def _run(self, searcher: Any, previous: Snapshot | None, in_caller: bool) -> Snapshot | None:
        try:
            snapshot = self._build(searcher, previous)
        except BaseException:
            with self._lock:
                self._building = None
                if not in_caller:
                    self._failed = searcher
                self._changed.notify_all()
            if in_caller:
                raise
            log.exception("snapshot build failed; the previous snapshot keeps serving")
            return previous
        with self._lock:
            self._current = snapshot
            self._building = None
            self._changed.notify_all()
        return snapshot

    @property
    def prepared(self) -> Snapshot | None:
        """The upcoming generation's snapshot, once prepared."""
        return self._prepared

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until no build or preparation is running (benchmarks, tests); ``False`` on timeout."""
        with self._lock:
            return self._changed.wait_for(lambda: self._building is None and self._preparing is None, timeout)


def _new_documents(current: Snapshot, searcher: Any) -> int:
    """How many documents a successor of ``current`` for ``searcher`` would have to read."""
    return sum(
        leaf.doc_count_all()
        for leaf, _ in searcher.reader().leaf_readers()
        if segment_key(leaf) not in current.segments
    )
