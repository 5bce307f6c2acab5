"""The Whoosh index: schema, documents, atomic builds and incremental updates.

Layout under ``<data-dir>/index``::

    CURRENT          one line: the name of the generation being served
    NEXT             during a large rebuild: the generation about to be swapped in
    readers/         the serving processes, and what each has prepared (indexer.readers)
    gen-…/           a complete Whoosh index plus META.json
    WRITE.lock       held (flock) by whoever commits to the served generation or swaps it
    BUILD.lock       held by the one rebuild that may run

Contracts:

* :meth:`Index.rebuild` takes ``BUILD.lock`` (:class:`IndexBusy` at once when
  another rebuild holds it, unless ``wait``), removes the leftovers of killed
  builds, writes a new generation directory and only then swaps ``CURRENT`` with
  an atomic ``os.replace``.  A crash at any point before the swap leaves the
  previous generation serving.
* Nothing written during a rebuild is lost: given the ``store``, the rebuild
  re-indexes every record written after its start, last under ``WRITE.lock`` —
  so no other process can commit to the old generation between that catch-up
  and the swap.  Incremental writers take ``WRITE.lock`` and then read
  ``CURRENT``, so they always write to the generation being served.
* The generation served before the swap is kept (for queries still running on
  it in other processes); older ones are removed.
* ``META.json`` holds the store's sequence number the index reflects (its
  watermark), the store's identity, and a checksum manifest of every index file
  (``files``: name → size, mtime, sha256), rewritten after every commit.
  :meth:`Index.catch_up` re-indexes every record written after the watermark,
  which repairs a crash between a store write and the index update.
* :meth:`Index.check` verifies every checksum (files the manifest does not name
  are tolerated unless one is a TOC, which Whoosh would open) and probes the index; it raises
  :class:`IndexUnavailable` for a missing, damaged or altered index; callers
  rebuild from the store, which is the truth.
* One searcher stays open (:meth:`Index.searcher`) and is refreshed after this
  process's writes; other processes' commits are picked up by a background check.
* A document stores the number of its record's current edition (``current``),
  worked out from the holdings the index is given (the store); a write re-indexes
  the other editions of the records it changes, whose current edition may move.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import logging
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

from catalogue import editions, provenance
from catalogue.errors import IndexBusy, IndexUnavailable, NotFound, from_os_error
from catalogue.identifiers import international_keys, parse
from catalogue.locks import FileLock
from catalogue.model import Standard
from indexer import bulk, segment_files
from indexer.analysis import (
    bigram_analyzer,
    compound_analyzer,
    english_analyzer,
    exact_analyzer,
    folded_analyzer,
)
from indexer.readers import Readers

__all__ = ["SCHEMA_VERSION", "Index", "document", "make_schema"]

log = logging.getLogger("tieuchuan.index")
segment_files.install()  # a searcher opened after a commit maps the segments instead of copying them

_COVERED = re.compile(r"product covered[^:]*:\s*(.+?)(?:;\s*from\b|$)", re.IGNORECASE)
# what the list an untitled record was cited from is about, in the words people search for it
_CITED_FOR = (("energy efficiency", "hiệu suất năng lượng"),)
# 5: untitled records indexed (title words included) by the products their sources say they cover;
# 4: title_bi (folded bigrams), body_en, replaces, replaced, edition; current, confirmed_by stored
SCHEMA_VERSION = 5
FRESHNESS = 0.5  # seconds between checks for commits made by other processes
PARALLEL_FROM = 5000  # below this, starting worker processes costs more than it saves
LOCK_TIMEOUT = 60.0  # seconds a writer waits for another process's commit or swap
UNHASHED = ("META.json", "MAIN_WRITELOCK")  # bookkeeping files the manifest does not cover
NEXT = "NEXT"  # names the generation a large rebuild is about to swap in, so that servers prepare for it
PREPARE_FROM = PARALLEL_FROM  # records from which a rebuild announces itself (NEXT) before its swap
PREPARE_SECONDS = 5.0  # the longest it waits for servers to prepare (a 50,000-record snapshot: 1-4 s under load)


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
        current=STORED(),
        confirmed_by=STORED(),
    )


def document(record: Standard, current: str | None = None) -> dict[str, Any]:
    """The Whoosh document for a record; pure function of the record and its current edition's number."""
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
    notes = [*record.notes, *(str(s.get("note") or "") for s in record.sources if isinstance(s, dict))]
    covered = []  # untitled: what its sources say it covers, and what the list citing it is about
    for note in notes:
        if m := _COVERED.search(note):
            covered.append(m.group(1))
            covered += [f"{vi} ({en})" for en, vi in _CITED_FOR if en in note.lower()]
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
        "current": current,
        "confirmed_by": None if record.title_vi or record.title_en else provenance.confirmed_by(record.sources),
    }
    if equiv:
        doc["equiv"] = ",".join(sorted(equiv))
    if title_vi:
        doc.update(title=title_vi, title_f=title_vi, title_c=title_vi, title_bi=title_vi)
    elif covered and not record.title_en:  # untitled: the products it covers stand in for the title words
        stand_in = " ; ".join(covered)
        doc.update(title=stand_in, title_f=stand_in, title_c=stand_in, title_bi=stand_in)
    if record.title_en:
        doc["title_en"] = record.title_en
    if body:
        doc["body_f"] = body
    if products or record.title_en:
        doc["body_en"] = " ; ".join(filter(None, [products, *covered]))
    if replaces:
        doc["replaces"] = ",".join(sorted(replaces))
    return doc


def _write_pointer(path: Path, name: str) -> None:
    """Make ``path`` (CURRENT, NEXT) name a generation folder, atomically."""
    _write_atomic(path, name + "\n")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write_atomic(path, json.dumps(data))


def _write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, synced first.  A killed writer may leave its temp file
    (a private name, ``….tmp``): manifests ignore it, and a rebuild sweeps CURRENT's and NEXT's."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hashed_files(gen_dir: Path) -> list[Path]:
    return sorted(
        p for p in gen_dir.iterdir() if p.is_file() and p.name not in UNHASHED and not p.name.endswith(".tmp")
    )


def manifest(gen_dir: Path, previous: dict[str, list] | None = None) -> dict[str, list]:
    """``{name: [size, mtime_ns, sha256]}`` of every index file in ``gen_dir``.

    A file already in ``previous`` with the same size and mtime keeps its hash
    (Whoosh never rewrites a segment in place), so an update hashes only new files.
    """
    previous = previous or {}
    files: dict[str, list] = {}
    for path in _hashed_files(gen_dir):
        st = path.stat()
        old = previous.get(path.name)
        if isinstance(old, list) and len(old) == 3 and old[:2] == [st.st_size, st.st_mtime_ns]:
            files[path.name] = old
        else:
            files[path.name] = [st.st_size, st.st_mtime_ns, _sha256(path)]
    return files


def verify(gen_dir: Path, files: Any) -> None:
    """:class:`IndexUnavailable` unless ``gen_dir`` holds exactly the files of the manifest, byte for byte."""
    if not isinstance(files, dict) or not files:
        raise IndexUnavailable("chỉ mục không có mã kiểm tra / the index has no checksum manifest")
    present = {p.name: p for p in _hashed_files(gen_dir)}
    missing = sorted(set(files) - set(present))
    # Other extra files are debris of an aborted write (segments the verified TOC never names); an extra
    # TOC is not: Whoosh would open the newest TOC, which nobody verified.
    extra = sorted(n for n in set(present) - set(files) if n.endswith(".toc"))
    if missing or extra:
        raise IndexUnavailable(
            f"tệp chỉ mục không khớp / index files differ from the manifest: missing {missing[:3]}, extra {extra[:3]}"
        )
    for name, entry in sorted(files.items()):
        if not isinstance(entry, list) or len(entry) != 3 or _sha256(present[name]) != entry[2]:
            raise IndexUnavailable(f"tệp chỉ mục bị hỏng / index file {name} fails its checksum")


def _open(gen_dir: Path) -> Any:
    try:
        return whoosh_index.open_dir(str(gen_dir))
    except Exception as exc:  # Whoosh raises many types for a missing or damaged generation
        raise from_os_error(exc) or IndexUnavailable(
            f"không mở được chỉ mục / cannot open index: {type(exc).__name__}: {exc}"
        ) from exc


class Index:
    """The served index generation under ``root``; thread-safe within a process, locked between processes."""

    def __init__(self, root: str | Path, holdings: editions.Holdings | None = None) -> None:
        self.root = Path(root)
        self.holdings = holdings
        self._lock = threading.RLock()  # this process's threads: searcher state and WRITE.lock's descriptor
        self._build_mutex = threading.Lock()  # this process's threads: BUILD.lock's descriptor
        self._write_lock = FileLock(self.root / "WRITE.lock")
        self._build_lock = FileLock(self.root / "BUILD.lock")
        self._searcher: Searcher | None = None
        self._searcher_gen: str | None = None
        self._own: Searcher | None = None  # the searcher this process's own write (or a first open) made
        self._ix: Any = None
        self._checked = 0.0
        self._check_mutex = threading.Lock()
        self._checker: threading.Thread | None = None  # the background check for other processes' commits
        self._upcoming: tuple[str, Any] | None = None  # (NEXT's name, a searcher on it)
        self.readers = Readers(self.root)  # joined once this process serves searches from the index

    # -- locating ----------------------------------------------------------------
    @property
    def current_name(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except OSError:
            return None
        return name or None

    @property
    def served_name(self) -> str | None:
        """The generation the shared searcher serves (no file read); :attr:`current_name` before it opens."""
        return self._searcher_gen or self.current_name

    @property
    def current_dir(self) -> Path:
        name = self.current_name
        if name is None:
            raise IndexUnavailable("chưa có chỉ mục / no search index has been built")
        return self.root / name

    def meta(self) -> dict[str, Any]:
        return self._read_meta(self.current_dir)

    @staticmethod
    def _read_meta(gen_dir: Path) -> dict[str, Any]:
        try:
            data = json.loads((gen_dir / "META.json").read_text())
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"chỉ mục hỏng / index metadata unreadable: {exc}") from exc
        if not isinstance(data, dict):
            raise IndexUnavailable("chỉ mục hỏng / index metadata is not an object")
        return data

    @contextlib.contextmanager
    def _locked(self, *, shared: bool = False) -> Any:
        """WRITE.lock between processes; the caller holds ``self._lock``."""
        if not self._write_lock.acquire(shared=shared, timeout=LOCK_TIMEOUT, note="index write"):
            raise IndexBusy(
                f"chỉ mục đang bận / the index has been locked by another process for over {LOCK_TIMEOUT:.0f} s"
                f" ({self._write_lock.holder() or 'unknown'})"
            )
        try:
            yield
        finally:
            self._write_lock.release()

    def check(self) -> dict[str, Any]:
        """Verify the served generation's checksums and probe it; :class:`IndexUnavailable` if unusable."""
        if self.current_name is None:
            raise IndexUnavailable("chưa có chỉ mục / no search index has been built")
        with self._lock, self._locked(shared=True):  # no commit or swap half done while we look
            gen_dir = self.current_dir
            meta = self._read_meta(gen_dir)
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise IndexUnavailable("chỉ mục cũ / index schema is outdated")
            verify(gen_dir, meta.get("files"))
            try:
                ix = whoosh_index.open_dir(str(gen_dir))
                with ix.searcher() as s:
                    count = s.doc_count()
                    list(s.lexicon("kind"))
            except Exception as exc:  # Whoosh raises many types for damaged files
                raise IndexUnavailable(f"chỉ mục hỏng / index is corrupt: {type(exc).__name__}: {exc}") from exc
            if count != meta.get("count"):
                raise IndexUnavailable(
                    f"chỉ mục không khớp / index holds {count} documents, META says {meta.get('count')}"
                )
            return meta

    # -- building ----------------------------------------------------------------
    def rebuild(
        self,
        records: Iterable[Standard],
        watermark: int,
        progress: Callable[[int], None] | None = None,
        size_hint: int = 0,
        *,
        store: Any = None,
        store_id: str | None = None,
        wait: bool = False,
    ) -> dict[str, Any]:
        """Build a complete new generation from ``records`` and swap it in atomically.

        ``watermark`` is the store's sequence number read before ``records``.  With
        ``store``, whatever it wrote after that is indexed too before the swap.
        Segments are written by :mod:`indexer.bulk` (Whoosh's format, without its
        sorting pool).  Large builds (``size_hint`` ≥ :data:`PARALLEL_FROM`) run one
        process per core, each writing its own segment of a contiguous run of records.
        """
        with self._build_mutex:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                got = self._build_lock.acquire(timeout=None if wait else 0, note="rebuild")
            except OSError as exc:
                raise from_os_error(exc) or IndexUnavailable(f"không tạo được chỉ mục / {exc}") from exc
            if not got:
                holder = self._build_lock.holder().split(" ")[0] or "?"
                raise IndexBusy(
                    f"Một lần xây lại chỉ mục khác đang chạy (tiến trình {holder}); hãy đợi nó xong. / Another index"
                    f" rebuild is running (process {holder}); wait for it to finish."
                )
            try:
                self._remove_leftovers()
                return self._build(records, watermark, progress, size_hint, store, store_id)
            finally:
                self._build_lock.release()

    def _remove_leftovers(self) -> None:
        """Under BUILD.lock no other build runs: every ``.building`` folder is a killed build's."""
        for path in self.root.iterdir():
            if path.name.endswith(".building"):
                shutil.rmtree(path, ignore_errors=True)
            elif path.name.endswith(".tmp") and path.name.startswith(("CURRENT.", f"{NEXT}.")):
                path.unlink(missing_ok=True)
        (self.root / NEXT).unlink(missing_ok=True)

    def _build(
        self,
        records: Iterable[Standard],
        watermark: int,
        progress: Callable[[int], None] | None,
        size_hint: int,
        store: Any,
        store_id: str | None,
    ) -> dict[str, Any]:
        gen = f"gen-{time.time_ns() // 1_000_000:015d}-{os.getpid()}"
        tmp_dir = self.root / (gen + ".building")
        started = time.perf_counter()
        procs = min(os.cpu_count() or 1, 4) if size_hint >= PARALLEL_FROM else 1
        try:
            tmp_dir.mkdir()
            ix = whoosh_index.create_in(str(tmp_dir), make_schema())
            held = None
            if self.holdings is not None:  # current editions from the records in hand: no query per record,
                records = list(records)  # and forked build processes can read them
                held = editions.MemoryHoldings(records)
            making = functools.partial(_built_document, held)
            count = bulk.write(ix, records, making, procs, progress)  # on failure the folder goes, below
            del ix
            announced = self._announce(tmp_dir) if size_hint >= PREPARE_FROM else None
            meta: dict[str, Any] = {
                "schema_version": SCHEMA_VERSION,
                "count": count,
                "watermark": watermark,
                "store_id": store_id,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": 0.0,
                "processes": procs,
            }
            if store is not None:
                self._apply_changes(tmp_dir, store, meta)  # the long tail, while others still commit
            if announced is not None:  # servers read the new segments now, not after the swap
                left = max(0.0, PREPARE_SECONDS - (time.monotonic() - announced))
                meta["unprepared_readers"] = len(self.readers.wait_ready(tmp_dir.name, left))
            with self._lock, self._locked():
                if store is not None:
                    self._apply_changes(tmp_dir, store, meta)  # the rest: nobody can commit now
                meta["build_seconds"] = round(time.perf_counter() - started, 3)
                meta["files"] = manifest(tmp_dir)
                _write_json(tmp_dir / "META.json", meta)
                previous = self.current_name
                os.replace(tmp_dir, self.root / gen)
                _write_pointer(self.root / "CURRENT", gen)
                (self.root / NEXT).unlink(missing_ok=True)
                self._prune(keep={gen, previous})
                self._drop_searcher()
            return meta
        except BaseException as exc:
            (self.root / NEXT).unlink(missing_ok=True)
            shutil.rmtree(tmp_dir, ignore_errors=True)
            if self.current_name != gen:  # renamed but never served
                shutil.rmtree(self.root / gen, ignore_errors=True)
            if isinstance(exc, Exception) and (err := from_os_error(exc)) is not None:
                raise err from exc
            raise

    def _announce(self, gen_dir: Path) -> float:
        """Name ``gen_dir`` in NEXT, where serving processes look for a generation to prepare; when."""
        _write_pointer(self.root / NEXT, gen_dir.name)
        return time.monotonic()

    def _apply_changes(self, gen_dir: Path, store: Any, meta: dict[str, Any]) -> None:
        """Index in ``gen_dir`` what ``store`` wrote after ``meta['watermark']``; updates ``meta``."""
        seq = store.seq  # read first: anything written later has a higher seq
        changes = self._with_editions(list(store.changed_since(meta["watermark"])))
        ix = whoosh_index.open_dir(str(gen_dir))
        if changes:
            writer = ix.writer(limitmb=64)
            try:
                for record in changes:
                    writer.update_document(**self._document(record))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
        with ix.searcher() as s:
            meta["count"] = s.doc_count()
        meta["watermark"] = max(seq, meta["watermark"])
        meta["caught_up"] = meta.get("caught_up", 0) + len(changes)

    def _prune(self, keep: set[str | None]) -> None:
        for path in self.root.iterdir():
            finished = path.is_dir() and path.name.startswith("gen-") and not path.name.endswith(".building")
            if finished and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # -- incremental -------------------------------------------------------------
    def update(self, records: Iterable[Standard], watermark: int) -> int:
        """Replace documents by key and advance the watermark; returns how many."""
        return self._write(lambda gen_dir: (list(records), watermark))

    def catch_up(self, store: Any) -> int:
        """Re-index records the store wrote after the index's watermark.

        The changes are listed while holding WRITE.lock, so two processes catching
        up at once cannot commit an older copy of a record over a newer one.
        """

        def changes(gen_dir: Path) -> tuple[list[Standard], int]:
            seq = store.seq  # read first: anything written later has a higher seq
            changed = list(store.changed_since(self._read_meta(gen_dir).get("watermark", 0)))
            return self._with_editions(changed), seq

        return self._write(changes, skip_empty=True)

    def _write(self, produce: Callable[[Path], tuple[list[Standard], int]], skip_empty: bool = False) -> int:
        with self._lock:
            if self.current_name is None:
                raise IndexUnavailable("chưa có chỉ mục / no search index has been built")
            with self._locked():
                gen_dir = self.current_dir  # stable: swaps happen under the same lock
                # listed before a Whoosh writer exists: WRITE.lock already keeps other writers out, and a
                # cancelled writer would leave its segment's files behind
                records, watermark = produce(gen_dir)
                if skip_empty and not records:
                    return 0
                ix = _open(gen_dir)
                before = set(os.listdir(gen_dir))
                try:
                    writer = ix.writer(limitmb=64, timeout=LOCK_TIMEOUT, delay=0.05)
                    try:
                        for record in records:
                            writer.update_document(**self._document(record))
                        writer.commit()
                    except BaseException:
                        writer.cancel()
                        raise
                except BaseException as exc:
                    debris = set(os.listdir(gen_dir)) - before - set(UNHASHED)
                    if not any(name.endswith(".toc") for name in debris):  # nothing names them: remove
                        for name in debris:
                            with contextlib.suppress(OSError):
                                (gen_dir / name).unlink()
                    if isinstance(exc, Exception) and (err := from_os_error(exc)) is not None:
                        raise err from exc
                    raise
                meta = self._read_meta(gen_dir)
                with ix.searcher() as s:
                    meta["count"] = s.doc_count()
                meta["watermark"] = max(watermark, meta.get("watermark", 0))
                meta["files"] = manifest(gen_dir, meta.get("files"))
                _write_json(gen_dir / "META.json", meta)
            self._refresh(gen_dir.name)
            del ix
            gc.collect(1)  # Whoosh writers and readers hold reference cycles; free them now, not later
            return len(records)

    def _document(self, record: Standard) -> dict[str, Any]:
        return _built_document(self.holdings, record)

    def _with_editions(self, records: list[Standard]) -> list[Standard]:
        """``records`` and the held records their current edition depends on (same number, replacements)."""
        if self.holdings is None or not records:
            return records
        found = {r.key: r for r in records}
        for record in records:
            around = self.holdings.editions(record.ident.edition_key)
            for number in record.replaces + record.replaced_by:
                with contextlib.suppress(NotFound):
                    around.append(self.holdings.get(number))
            for other in around:
                found.setdefault(other.key, other)
        return list(found.values())

    # -- searching ---------------------------------------------------------------
    def searcher(self) -> Searcher:
        """The shared searcher for the served generation, reopened when it changes.

        Other processes (workers, the crawler, editors) may commit to the index or
        swap in a new generation.  At most every :data:`FRESHNESS` seconds a
        background thread looks (:meth:`refresh`) and reopens; meanwhile, and while
        another thread writes or rebuilds, the searcher in hand is returned at once:
        readers never wait for a check, a reopen or a writer.  Only the first call
        (and the first after this process swapped generations) opens in the caller.
        """
        current = self._searcher
        if current is not None:
            if time.monotonic() - self._checked > FRESHNESS:
                self._check_soon()
            return current
        with self._lock:
            if self._searcher is None:
                self._open_served()
                self._own = self._searcher
                try:  # a rebuild waits for this process to prepare its generation (indexer.readers)
                    self.readers.join()
                except OSError:  # it then swaps without waiting for us: slower queries, never wrong ones
                    log.warning("could not register as a reader of %s", self.root, exc_info=True)
            assert self._searcher is not None
            return self._searcher

    def own(self, searcher: Any) -> bool:
        """Whether ``searcher`` was opened in a caller's thread (this process's own write, or a first open)
        rather than by the background check: who asked for it should read from it at once."""
        return searcher is self._own

    def refresh(self) -> None:
        """Look for other processes' commits and generation swaps now; reopen the searcher if there are any.
        Then look for a generation about to be swapped in (:meth:`upcoming`)."""
        with self._lock:
            self._checked = time.monotonic()
            if self._searcher is None:
                return  # nothing open yet: the first searcher() opens
            try:
                stale = self.current_name != self._searcher_gen or not self._searcher.up_to_date()
            except Exception:  # a generation swapped underneath: open the served one
                stale = True
            if stale:
                self._open_served()
            self._look_ahead()

    def upcoming(self) -> Any:
        """A searcher on the generation a large rebuild is about to swap in, seen by the last :meth:`refresh`,
        until this process serves it (or the rebuild gives up); else ``None``.  Never reads a file."""
        held = self._upcoming
        return held[1] if held is not None else None

    def prepared(self, upcoming: Any) -> None:
        """The caller has prepared what it serves from ``upcoming`` (a searcher :meth:`upcoming` gave):
        acknowledged to the rebuild, which may swap without waiting longer."""
        held = self._upcoming
        if held is not None and held[1] is upcoming:
            self.readers.acknowledge(held[0])

    def _look_ahead(self) -> None:
        try:
            name = (self.root / NEXT).read_text().strip() or None
        except OSError:
            name = None
        held = self._upcoming
        if name is None:
            # forgotten once served, or once CURRENT names another (the rebuild failed); until then the
            # swap may be between its two files
            if held is not None and (self._searcher_gen == _final(held[0]) or self.current_name != _final(held[0])):
                self._upcoming = None
            return
        if held is not None and held[0] == name:
            return
        try:
            self._upcoming = (name, _open(self.root / name).searcher())
        except Exception:  # gone already (swapped, or abandoned): nothing to prepare
            self._upcoming = None

    def _check_soon(self) -> None:
        """Start the background :meth:`refresh`, unless one runs."""
        with self._check_mutex:
            if self._checker is not None and self._checker.is_alive():
                return
            self._checked = time.monotonic()
            self._checker = threading.Thread(target=self._check, name="index-refresh", daemon=True)
            self._checker.start()

    def _check(self) -> None:
        try:
            self.refresh()
        except Exception:  # keep serving what is open; the next check tries again
            log.warning("could not reopen the index searcher", exc_info=True)

    def _open_served(self) -> None:
        """Open the generation ``CURRENT`` names; the searcher in hand serves until the new one is ready."""
        for attempt in range(3):
            name = self.current_name
            if name is None:
                raise IndexUnavailable("chưa có chỉ mục / no search index has been built")
            try:
                same = name == self._searcher_gen and self._ix is not None
                ix = self._ix if same else _open(self.root / name)
                searcher = ix.searcher()
            except Exception as exc:
                if self.current_name != name and attempt < 2:
                    continue  # swapped while we opened it: open the new one
                if isinstance(exc, IndexUnavailable):
                    raise
                raise IndexUnavailable(f"không mở được chỉ mục / cannot open index: {exc}") from exc
            self._ix, self._searcher, self._searcher_gen = ix, searcher, name
            return

    def _refresh(self, gen_name: str) -> None:
        # Whoosh's Searcher.refresh() reuses segment readers with stale deletions (a
        # replaced document would stay visible), so open a fresh searcher instead.  The
        # old one is not closed: a query may still be running on it; GC releases it.
        if self._searcher is not None and self._ix is not None:
            if self._searcher_gen == gen_name:
                self._searcher = self._own = self._ix.searcher()
            else:
                self._drop_searcher()

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
            with contextlib.suppress(OSError):
                self.readers.leave()


def _final(name: str) -> str:
    """The generation a ``….building`` folder becomes when it is swapped in."""
    return name.removesuffix(".building")


def _built_document(holdings: editions.Holdings | None, record: Standard) -> dict[str, Any]:
    """:func:`document` of ``record`` with its current edition's number (:mod:`catalogue.editions`) in ``holdings``.

    Without holdings, an active record is its own current edition and any other has none.
    """
    if holdings is None:
        current = record.number if record.status == "active" else None
    else:
        current = editions.current_number(holdings, record)
    return document(record, current)
