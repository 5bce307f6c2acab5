"""The processes serving searches from an index, and which upcoming generation each has prepared.

Why: a large rebuild names its new generation in ``NEXT`` and lets the servers read
it before the swap (:mod:`indexer.index`).  Waiting a fixed time made every large
build slower by that time, even with no server running, and never told whether the
servers were done.  Now the rebuild waits for each live server's acknowledgement,
up to a deadline, and not at all when no server runs.

Layout under ``<index root>/readers``::

    <pid>-<token>.lock     held (``flock``, exclusive) by a serving process for as long as it serves
    <pid>-<token>.ready    the name of the upcoming generation that process has prepared

Contracts:

* :meth:`Readers.join` registers this object's process (once; later calls do
  nothing; a forked child starts unregistered); :meth:`Readers.leave` removes its files.  A process that dies releases
  its ``flock`` with its last descriptor; :meth:`Readers.live` then finds the lock
  free and sweeps both files.  A registration is visible only once its lock is
  held (it is taken under a private name, then renamed), so a sweep never takes a
  live reader for a dead one.
* :meth:`Readers.live` lists the other registrations whose lock is held: this
  object's own is never among them (a rebuild in a serving process does not wait
  for itself), another object's in the same process is.
* :meth:`Readers.acknowledge` records a prepared generation atomically (a
  half-written name is never read).
* :meth:`Readers.wait_ready` returns once every live reader has acknowledged the
  generation, or at the deadline: at once when none is live.  It only reads
  files; it never fails the caller's build (an unreadable folder counts as no
  readers).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from pathlib import Path

from catalogue.locks import FileLock

__all__ = ["POLL", "Readers"]

POLL = 0.05  # seconds between looks at the acknowledgements (they come from other processes)


class Readers:
    """The reader registry of one index root."""

    def __init__(self, root: str | Path) -> None:
        self.folder = Path(root) / "readers"
        self._pid = os.getpid()
        self.name = f"{self._pid}-{secrets.token_hex(4)}"
        self._lock: FileLock | None = None  # held on the registration for as long as it lasts
        self._mutex = threading.Lock()

    @property
    def joined(self) -> bool:
        self._after_fork()
        return self._lock is not None

    def _after_fork(self) -> None:
        """In a forked child the registration (and its descriptor) is the parent's: start unregistered."""
        if self._pid != os.getpid():
            self._pid, self._lock = os.getpid(), None
            self.name = f"{self._pid}-{secrets.token_hex(4)}"

    def join(self) -> None:
        """Register this process as a reader, for as long as it lives or until :meth:`leave`."""
        with self._mutex:
            self._after_fork()
            if self._lock is not None:
                return
            private = self.folder / f"{self.name}.joining"
            lock = FileLock(private)  # the lock stays with the open file once renamed
            if not lock.acquire(timeout=0, note="serving"):  # a fresh name: nobody else can hold it
                raise OSError(f"{private} is held by another process")
            try:
                os.replace(private, self.folder / f"{self.name}.lock")
            except BaseException:
                lock.release()
                private.unlink(missing_ok=True)
                raise
            self._lock = lock

    def leave(self) -> None:
        """Unregister (idempotent)."""
        with self._mutex:
            self._after_fork()
            if self._lock is None:
                return
            for suffix in (".ready", ".lock"):
                (self.folder / f"{self.name}{suffix}").unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def acknowledge(self, generation: str) -> None:
        """Record that this reader has prepared ``generation`` (a no-op when it has not joined)."""
        if not self.joined:
            return
        path = self.folder / f"{self.name}.ready"
        tmp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
        try:
            tmp.write_text(generation, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:  # the rebuild then waits until its deadline: slower, never wrong
            tmp.unlink(missing_ok=True)

    def live(self) -> list[str]:
        """The other registrations whose process still holds its lock; dead ones are swept."""
        try:
            names = sorted(p.name.removesuffix(".lock") for p in self.folder.glob("*.lock"))
        except OSError:
            return []
        alive = []
        for name in names:
            if name == self.name:
                continue
            if _held(self.folder / f"{name}.lock"):
                alive.append(name)
            else:
                for suffix in (".ready", ".lock"):
                    with contextlib.suppress(OSError):
                        (self.folder / f"{name}{suffix}").unlink()
        return alive

    def ready(self, name: str) -> str | None:
        """The generation reader ``name`` last acknowledged."""
        try:
            return (self.folder / f"{name}.ready").read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def wait_ready(self, generation: str, seconds: float) -> list[str]:
        """Wait up to ``seconds`` until every live reader has acknowledged ``generation``; the readers that
        had not by then (empty: all had, or none is live)."""
        deadline = time.monotonic() + seconds
        while True:
            waiting = [name for name in self.live() if self.ready(name) != generation]
            if not waiting or time.monotonic() >= deadline:
                return waiting
            time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))


def _held(path: Path) -> bool:
    """Whether some open file description holds ``path``'s lock (ours included: a second open is another).
    A file swept meanwhile, or left, is not held (the probe creates nothing; the caller sweeps it)."""
    try:
        return FileLock(path).taken()
    except OSError:
        return False
