"""The Whoosh index: schema, documents, atomic builds and incremental updates.

Layout under ``<data-dir>/index``::

    CURRENT          one line: the name of the generation being served
    gen-000007/      a complete Whoosh index plus META.json

Contracts:

* :meth:`Index.rebuild` writes a new generation directory and only then swaps
  ``CURRENT`` with an atomic ``os.replace``.  A crash at any point before the
  swap leaves the previous generation serving; leftovers are removed by the next
  build.
* ``META.json`` holds the store's sequence number the index reflects (its
  watermark).  :meth:`Index.catch_up` re-indexes every record written after it,
  which repairs a crash between a store write and the index update.
* :meth:`Index.check` raises :class:`IndexUnavailable` for a missing or corrupt
  index; callers rebuild from the store, which is the truth.
* One searcher stays open (:meth:`Index.searcher`) and is refreshed after writes.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher

from catalogue.errors import IndexUnavailable
from catalogue.identifiers import international_keys, parse
from catalogue.model import Standard
from indexer import bulk
from indexer.analysis import (
    bigram_analyzer,
    compound_analyzer,
    english_analyzer,
    exact_analyzer,
    folded_analyzer,
)

__all__ = ["SCHEMA_VERSION", "Index", "document", "make_schema"]

_COVERED = re.compile(r"product covered[^:]*:\s*([^;]+(?:;[^;]+)?)", re.IGNORECASE)
SCHEMA_VERSION = 2  # 2: title_bi (folded bigrams), replaced_by stored
FRESHNESS = 0.5  # seconds between checks for commits made by other processes
PARALLEL_FROM = 5000  # below this, starting worker processes costs more than it saves


def make_schema() -> Schema:
    """Few, lean fields: titles are searched first, the body only as a fallback."""
    return Schema(
        key=ID(stored=True, unique=True),
        number=STORED(),
        slug=STORED(),
        title_vi=STORED(),
        title_en_text=STORED(),
        scope=STORED(),
        replaced_by=STORED(),
        numkey=KEYWORD(commas=True, scorable=False),
        equiv=KEYWORD(commas=True, lowercase=True, scorable=False),
        title=TEXT(analyzer=exact_analyzer(), phrase=False),
        title_f=TEXT(analyzer=folded_analyzer(), phrase=False, spelling=True),
        title_c=TEXT(analyzer=compound_analyzer(), phrase=False),
        title_bi=TEXT(analyzer=bigram_analyzer(), phrase=False),
        title_en=TEXT(analyzer=english_analyzer(), phrase=False),
        body_f=TEXT(analyzer=folded_analyzer(), phrase=False),
        body_en=TEXT(analyzer=english_analyzer(), phrase=False),
        replaces=KEYWORD(commas=True, scorable=False),  # keys of the editions this one replaces
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        ministry=ID(stored=True, sortable=True),
        decade=ID(sortable=True),
        replaced=ID(sortable=True),  # "yes" when a newer edition replaces it
        edition=ID(sortable=True),  # the number without its year: every edition of one standard shares it
        ics=KEYWORD(commas=True, stored=True),
        ics_fields=ID(sortable=True),
        year=NUMERIC(stored=True, sortable=True),
    )


def document(record: Standard) -> dict[str, Any]:
    """The Whoosh document for a record; pure function of the record."""
    ident = parse(record.number)
    numkeys = set(ident.lookup_keys())
    for amendment in record.amendments:
        label = amendment.get("amendment") or ""
        with contextlib.suppress(Exception):
            numkeys |= parse(f"{label} {record.number}").lookup_keys()
    equiv = set()
    for eq in record.equivalents:
        for full, series in international_keys(eq.number):
            equiv.update((full, series))
    if ident.prefix:  # TCVN ISO 9001:2015 adopts ISO 9001
        equiv.add(f"{ident.prefix.lower()} {ident.base}" + (f"-{ident.part}" if ident.part else ""))
        equiv.add(f"{ident.prefix.lower()} {ident.base}")
    ics_all = set()
    for code in record.ics:
        pieces = code.split(".")
        ics_all.update(".".join(pieces[:n]) for n in range(1, len(pieces) + 1))
    products = " ; ".join(record.extra.get("products") or [])
    covered = [m.group(1) for n in record.notes for m in [_COVERED.search(n)] if m]  # untitled: what it covers
    body = " ".join(filter(None, [record.scope_vi, record.extra.get("subject_vi"), products, *covered]))
    replaces = set()
    for number in record.replaces:
        with contextlib.suppress(Exception):
            old = parse(number)
            replaces.update((old.key, old._key(ministry=False)))
    title_vi = record.title_vi or ""
    doc: dict[str, Any] = {
        "key": ident.key,
        "number": record.number,
        "slug": ident.slug(),
        "title_vi": record.title_vi,
        "title_en_text": record.title_en,
        "scope": record.scope_vi,
        "replaced_by": list(record.replaced_by),
        "numkey": ",".join(sorted(numkeys)),
        "kind": ident.kind,
        "status": record.status,
        "ministry": (ident.ministry or "").upper(),
        "decade": f"{ident.year // 10 * 10}s" if ident.year else "",
        "replaced": "yes" if record.replaced_by else "no",
        "edition": ident.edition_key,
        "ics": ",".join(sorted(ics_all)),
        "ics_fields": ",".join(sorted({c.split(".")[0] for c in record.ics})),
        "year": ident.year or 0,
    }
    if equiv:
        doc["equiv"] = ",".join(sorted(equiv))
    if title_vi:
        doc.update(title=title_vi, title_f=title_vi, title_c=title_vi, title_bi=title_vi)
    if record.title_en:
        doc["title_en"] = record.title_en
    if body:
        doc["body_f"] = body
    if products or record.title_en:
        doc["body_en"] = " ; ".join(filter(None, [products, *covered]))
    if replaces:
        doc["replaces"] = ",".join(sorted(replaces))
    return doc


def _write_json(path: Path, data: dict[str, Any]) -> None:
    # a private temp name: several processes may write META at once; the last replace wins,
    # and a watermark that goes back only causes records to be re-indexed, never skipped
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Index:
    """The served index generation under ``root``; thread-safe for one process."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._searcher_gen: str | None = None
        self._ix: Any = None
        self._checked = 0.0

    # -- locating ----------------------------------------------------------------
    @property
    def current_name(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except OSError:
            return None
        return name or None

    @property
    def current_dir(self) -> Path:
        name = self.current_name
        if name is None:
            raise IndexUnavailable("chưa có chỉ mục / no search index has been built")
        return self.root / name

    def meta(self) -> dict[str, Any]:
        try:
            return json.loads((self.current_dir / "META.json").read_text())
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"chỉ mục hỏng / index metadata unreadable: {exc}") from exc

    def check(self) -> dict[str, Any]:
        """Open and probe the served generation; :class:`IndexUnavailable` if unusable."""
        meta = self.meta()
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexUnavailable("chỉ mục cũ / index schema is outdated")
        try:
            ix = whoosh_index.open_dir(str(self.current_dir))
            with ix.searcher() as s:
                count = s.doc_count()
                list(s.lexicon("kind"))
        except Exception as exc:  # Whoosh raises many types for damaged files
            raise IndexUnavailable(f"chỉ mục hỏng / index is corrupt: {type(exc).__name__}: {exc}") from exc
        if count != meta.get("count"):
            raise IndexUnavailable(f"chỉ mục không khớp / index holds {count} documents, META says {meta.get('count')}")
        return meta

    # -- building ----------------------------------------------------------------
    def rebuild(
        self,
        records: Iterable[Standard],
        watermark: int,
        progress: Callable[[int], None] | None = None,
        size_hint: int = 0,
    ) -> dict[str, Any]:
        """Build a complete new generation from ``records`` and swap it in atomically.

        Segments are written by :mod:`indexer.bulk` (Whoosh's format, without its
        sorting pool).  Large builds (``size_hint`` ≥ :data:`PARALLEL_FROM`) run one
        process per core, each writing its own segment of a contiguous run of records.
        """
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            gen = f"gen-{int(time.time() * 1000):015d}-{os.getpid()}"
            tmp_dir = self.root / (gen + ".building")
            tmp_dir.mkdir()
            started = time.perf_counter()
            ix = whoosh_index.create_in(str(tmp_dir), make_schema())
            procs = min(os.cpu_count() or 1, 4) if size_hint >= PARALLEL_FROM else 1
            try:
                count = bulk.write(ix, records, document, procs, progress)
            except BaseException:
                shutil.rmtree(tmp_dir, ignore_errors=True)
                raise
            meta = {
                "schema_version": SCHEMA_VERSION,
                "count": count,
                "watermark": watermark,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": round(time.perf_counter() - started, 3),
                "processes": procs,
            }
            _write_json(tmp_dir / "META.json", meta)
            os.replace(tmp_dir, self.root / gen)
            (self.root / "CURRENT.tmp").write_text(gen + "\n")
            with open(self.root / "CURRENT.tmp", "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(self.root / "CURRENT.tmp", self.root / "CURRENT")
            self._prune(keep=gen)
            self._drop_searcher()
            return meta

    def _prune(self, keep: str) -> None:
        for path in self.root.iterdir():
            if path.is_dir() and path.name.startswith("gen-") and path.name != keep:
                shutil.rmtree(path, ignore_errors=True)

    # -- incremental -------------------------------------------------------------
    def update(self, records: Iterable[Standard], watermark: int) -> int:
        """Replace documents by key and advance the watermark; returns how many."""
        return self._write(lambda: (list(records), watermark))

    def catch_up(self, store: Any) -> int:
        """Re-index records the store wrote after the index's watermark.

        The changes are listed while holding Whoosh's write lock, so two processes
        catching up at once cannot commit an older copy of a record over a newer one.
        """

        def changes() -> tuple[list[Standard], int]:
            seq = store.seq  # read first: anything written later has a higher seq
            return list(store.changed_since(self.meta().get("watermark", 0))), seq

        return self._write(changes, skip_empty=True)

    def _write(self, produce: Callable[[], tuple[list[Standard], int]], skip_empty: bool = False) -> int:
        with self._lock:
            ix = whoosh_index.open_dir(str(self.current_dir))
            writer = ix.writer(limitmb=64, timeout=60.0, delay=0.05)  # waits for other processes' writers
            try:
                records, watermark = produce()
                if skip_empty and not records:
                    writer.cancel()
                    return 0
                for record in records:
                    writer.update_document(**document(record))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            meta = self.meta()
            with ix.searcher() as s:
                meta["count"] = s.doc_count()
            meta["watermark"] = max(watermark, meta.get("watermark", 0))
            _write_json(self.current_dir / "META.json", meta)
            self._refresh()
            del writer, ix
            gc.collect()  # Whoosh writers and readers hold reference cycles; free them now, not later
            return len(records)

    # -- searching ---------------------------------------------------------------
    def searcher(self) -> Searcher:
        """The shared searcher for the served generation, reopened when it changes.

        Other processes (workers, the crawler, editors) may commit to the index; at
        most every :data:`FRESHNESS` seconds the searcher checks and reopens.  While
        another thread writes or rebuilds, the current searcher is returned at once:
        readers never wait for a writer.
        """
        current = self._searcher
        if current is not None:
            if not self._lock.acquire(blocking=False):
                return current  # another thread writes or rebuilds: keep serving, never wait for it
            self._lock.release()
        with self._lock:
            now = time.monotonic()
            due = now - self._checked > FRESHNESS
            if self._searcher is not None and due:
                self._checked = now
                try:
                    if not self._searcher.up_to_date():
                        self._searcher = self._ix.searcher()
                except Exception:  # a generation swapped underneath: reopen below
                    self._drop_searcher()
            # CURRENT is read when the checks are due, not on every query (it cost a file open each)
            name = self.current_name if due or self._searcher is None else self._searcher_gen
            if self._searcher is None or name != self._searcher_gen:
                self._drop_searcher()
                try:
                    self._ix = whoosh_index.open_dir(str(self.current_dir))
                    self._searcher = self._ix.searcher()
                except IndexUnavailable:
                    raise
                except Exception as exc:
                    raise IndexUnavailable(f"không mở được chỉ mục / cannot open index: {exc}") from exc
                self._searcher_gen = name
            return self._searcher

    def _refresh(self) -> None:
        # Whoosh's Searcher.refresh() reuses segment readers with stale deletions (a
        # replaced document would stay visible), so open a fresh searcher instead.  The
        # old one is not closed: a query may still be running on it; GC releases it.
        if self._searcher is not None and self._ix is not None:
            self._searcher = self._ix.searcher()

    def _drop_searcher(self) -> None:
        # not closed: a snapshot may still be serving queries from it; GC releases it
        self._searcher = None
        self._searcher_gen = None

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                with contextlib.suppress(Exception):
                    self._searcher.close()
            self._drop_searcher()
