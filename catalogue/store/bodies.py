"""Response bodies shared by a server's worker processes: one disposable SQLite file in the data folder.

Why: each worker keeps the bodies it made with its own snapshot (``Site.rendered``),
so with N workers every first-seen query was computed N times, once by each.  A
body one worker made is here for the others at the cost of a primary-key read
(about 0.1 ms) instead of a search, a recommendation and a render (5–15 ms).

Contracts of :class:`SharedBodies`:

* :meth:`get` answers a body only for the *snapshot identity* it was put under
  (``Snapshot.identity``: the index commit, its segments and their deletions) and
  the same key, so a worker never serves a body made from an index state other
  than the one it serves (or a later one: the putter's snapshot may have moved on).
* Keys are tuples of ``str``/``int``/``None``; they are stored as a SHA-256 of
  their ``repr`` under the identity and the ``code`` version (:func:`code_version`:
  a body made by other code or templates is never served).  Bodies are ``bytes``,
  zlib-compressed.
* Best effort, never raises: a write that finds the file locked is skipped; any
  other SQLite or OS error turns the cache off for :data:`OFF_FOR` seconds and is
  logged once; a file that is not a database is removed and made afresh.
* Bounded: about :data:`MAX_ROWS` bodies, the oldest dropped first.
* Disposable: written with ``synchronous=OFF``; removing the file at any time
  loses nothing but time.  One connection per thread and process (safe across fork).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
import time
import zlib
from pathlib import Path
from typing import Any

__all__ = ["MAX_ROWS", "OFF_FOR", "SharedBodies", "code_version"]

log = logging.getLogger("tieuchuan.store")
MAX_ROWS = 5000  # ~6 KB a compressed results page: ~30 MB on disk at most
PRUNE_EVERY = 256  # puts between two prunes (a prune is one DELETE by rowid)
OFF_FOR = 30.0  # seconds the cache stays off after an error
_SCHEMA = "CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, body BLOB NOT NULL)"


class SharedBodies:
    """Bodies by (snapshot identity, key), in the SQLite file ``path``."""

    def __init__(self, path: str | Path, code: str = "") -> None:
        self.path = Path(path)
        self.code = code
        self._local = threading.local()
        self._lock = threading.Lock()  # the counters below
        self._puts = 0
        self._off_until = 0.0
        self._warned = False

    # -- the two operations --------------------------------------------------------
    def get(self, identity: str, key: tuple[Any, ...]) -> bytes | None:
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT body FROM bodies WHERE key = ?", (self._key(identity, key),)).fetchone()
            return zlib.decompress(row[0]) if row is not None else None
        except (sqlite3.Error, zlib.error) as exc:
            self._fail(exc)
            return None

    def put(self, identity: str, key: tuple[Any, ...], body: bytes) -> None:
        db = self._db()
        if db is None:
            return
        try:
            db.execute(
                "INSERT OR REPLACE INTO bodies (key, body) VALUES (?, ?)",
                (self._key(identity, key), zlib.compress(body, 1)),
            )
            with self._lock:
                self._puts += 1
                prune = self._puts % PRUNE_EVERY == 0
            if prune:
                db.execute("DELETE FROM bodies WHERE rowid <= (SELECT MAX(rowid) FROM bodies) - ?", (MAX_ROWS,))
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):  # another worker writing: skip this one
                self._fail(exc)
        except sqlite3.Error as exc:
            self._fail(exc)

    # -- the connection ------------------------------------------------------------
    def _db(self) -> sqlite3.Connection | None:
        if self._off_until and time.monotonic() < self._off_until:
            return None
        held = getattr(self._local, "db", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        try:
            db = self._open()
        except (sqlite3.OperationalError, OSError) as exc:  # locked, read-only, no space: try again later
            self._fail(exc)
            return None
        except sqlite3.DatabaseError as exc:  # not a database (a torn file): it is disposable
            log.warning("shared body cache %s unreadable (%s): made afresh", self.path, exc)
            try:
                self._remove()
                db = self._open()
            except (sqlite3.Error, OSError) as again:
                self._fail(again)
                return None
        self._local.db = (os.getpid(), db)
        return db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # another worker may be creating the file: wait up to 1 s for it here, never on a read or write
        db = sqlite3.connect(self.path, timeout=1.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA synchronous=OFF")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.execute("SELECT 1 FROM bodies LIMIT 1").fetchall()
            db.execute("PRAGMA busy_timeout=0")
        except BaseException:
            db.close()
            raise
        return db

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _fail(self, exc: BaseException) -> None:
        self._off_until = time.monotonic() + OFF_FOR
        self.close()
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._remove()  # damaged ("malformed"): made afresh when the cache is back
        if not self._warned:
            self._warned = True
            log.warning("shared body cache %s off for %.0f s: %s", self.path, OFF_FOR, exc)

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        held = getattr(self._local, "db", None)
        self._local.db = None
        if held is not None and held[0] == os.getpid():
            held[1].close()

    def _key(self, identity: str, key: tuple[Any, ...]) -> str:
        return identity + ":" + hashlib.sha256(repr((self.code, key)).encode("utf-8")).hexdigest()


def code_version(*folders: Path) -> str:
    """A digest of every file under ``folders`` (path, size, modification time): it changes when the code,
    the templates or the bundled data that make a body change (an upgrade, an edit)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            stat = path.stat()
            digest.update(f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]
