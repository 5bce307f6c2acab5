"""Advisory file locks between processes (``flock(2)``), released by the kernel when a process dies.

Contracts:

* :class:`FileLock` guards one lock file.  :meth:`FileLock.acquire` takes it
  shared or exclusive, waiting up to ``timeout`` seconds (``0``: try once,
  ``None``: wait for ever); it returns ``False`` when the time is up.
* A SIGKILLed holder never leaves a stale lock: the kernel drops ``flock`` locks
  with the process's last file descriptor.  The file's text (the holder's pid and
  purpose) is only a hint for messages.
* A lock object is not re-entrant and not a lock between threads of one process
  (``flock`` locks belong to the open file, which the threads share): callers
  serialise their threads with a :class:`threading.Lock` of their own.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["FileLock"]

POLL = 0.01


class FileLock:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, shared: bool = False, timeout: float | None = None, note: str = "") -> bool:
        """Take the lock; ``False`` if another process still holds it after ``timeout`` seconds."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this object")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(POLL)
        self._fd = fd
        if not shared:
            with contextlib.suppress(OSError):  # a full disk must not stop the lock itself
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()} {note}".strip().encode(), 0)
        return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def taken(self) -> bool:
        """Whether an open file description other than this object's holds the lock exclusively. Only
        looks: takes nothing, and never creates the file (a missing file is not taken)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # the last descriptor of this open: its shared lock goes with it
        return False

    def holder(self) -> str:
        """What the last exclusive holder wrote (``"<pid> <note>"``), for messages."""
        try:
            return self.path.read_text().strip()
        except OSError:
            return ""

    @contextlib.contextmanager
    def hold(self, *, shared: bool = False, timeout: float | None = None) -> Iterator[bool]:
        """``with lock.hold(timeout=…) as got:`` — released on exit if it was taken."""
        got = self.acquire(shared=shared, timeout=timeout)
        try:
            yield got
        finally:
            if got:
                self.release()
