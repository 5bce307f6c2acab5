"""The one exception hierarchy of tieuchuan.

Every error the application raises on purpose derives from :class:`TieuchuanError`.
Each class carries the HTTP status the web handler answers with and a short
machine-readable ``code`` for JSON bodies; the message is written for people
(Vietnamese first, English after a slash) and never contains a traceback.
"""

from __future__ import annotations

import errno
import sqlite3

__all__ = [
    "DataDirInUse",
    "DiskFull",
    "IndexBusy",
    "IndexUnavailable",
    "InvalidIdentifier",
    "InvalidInput",
    "NotFound",
    "StoreError",
    "TieuchuanError",
    "ValidationError",
    "from_os_error",
]


class TieuchuanError(Exception):
    """Base class. ``status`` is the HTTP status; ``code`` a stable identifier."""

    status = 500
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(TieuchuanError):
    """A request, query, argument or file the user can correct."""

    status = 400
    code = "invalid_input"


class InvalidIdentifier(InvalidInput):
    """Text that is not a TCVN/QCVN number."""

    code = "invalid_identifier"


class ValidationError(InvalidInput):
    """A record that fails validation; ``problems`` lists every reason."""

    code = "validation_failed"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class NotFound(TieuchuanError):
    status = 404
    code = "not_found"


class StoreError(TieuchuanError):
    """The SQLite store cannot be opened, migrated or written."""

    status = 503
    code = "store_unavailable"


class IndexUnavailable(TieuchuanError):
    """The search index is missing or corrupt; it can be rebuilt from the store."""

    status = 503
    code = "index_unavailable"


class IndexBusy(TieuchuanError):
    """Another process is rebuilding the index; retry when it is done."""

    status = 503
    code = "index_busy"


class DataDirInUse(TieuchuanError):
    """A server or another command holds the data folder (a restore needs it alone)."""

    status = 503
    code = "data_dir_in_use"


class DiskFull(StoreError):
    """No space left where the store, the index or uploads are written; reads still work."""

    status = 507
    code = "disk_full"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Hết dung lượng đĩa: không lưu được thay đổi; việc tra cứu vẫn hoạt động. / The disk is full: changes"
            " cannot be saved; searching still works." + (f" ({detail})" if detail else "")
        )


_FULL = (errno.ENOSPC, errno.EDQUOT)


def from_os_error(exc: BaseException) -> TieuchuanError | None:
    """The :class:`TieuchuanError` for a low-level failure we can explain (a full disk), else ``None``.

    Looks through ``__cause__``/``__context__``, since SQLite and Whoosh wrap the ``OSError``.
    """
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if isinstance(current, OSError) and current.errno in _FULL:
            return DiskFull(getattr(current, "filename", "") or "")
        if isinstance(current, sqlite3.OperationalError) and "disk is full" in str(current):
            return DiskFull("SQLite")
        current, seen = current.__cause__ or current.__context__, seen + 1
    return None
