"""The one exception hierarchy of tieuchuan.

Every error the application raises on purpose derives from :class:`TieuchuanError`.
Each class carries

* ``status``: the HTTP status the web handler (:func:`catalogue.web.http.handle_error`)
  answers with;
* ``exit_code``: the exit status of the ``tieuchuan`` command (:func:`catalogue.cli.main`);
  0 is success, 1 an error of ours or of the world (store, index, network), 2 input
  the user can correct;
* ``code``: a short, stable identifier for JSON bodies.

The message is written for people (Vietnamese first, English after a slash) and
never contains a traceback.  Nothing outside this module defines an exception class.
"""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

__all__ = [
    "Conflict",
    "DataDirInUse",
    "Disallowed",
    "DiskFull",
    "FetchFailed",
    "Forbidden",
    "IndexBusy",
    "IndexUnavailable",
    "InvalidIdentifier",
    "InvalidInput",
    "LockedOut",
    "LoginRefused",
    "NotFound",
    "PayloadTooLarge",
    "StoreError",
    "TieuchuanError",
    "Unauthorized",
    "ValidationError",
]


class TieuchuanError(Exception):
    """Base class. ``status`` is the HTTP status, ``exit_code`` the CLI's, ``code`` a stable identifier."""

    status = 500
    exit_code = 1
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- input the user can correct (HTTP 4xx, exit 2) ------------------------------------
class InvalidInput(TieuchuanError):
    """A request, query, argument or file the user can correct."""

    status = 400
    exit_code = 2
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


class Conflict(ValidationError):
    """Someone saved the record since it was read; ``changes`` is the field-by-field difference."""

    status = 409
    code = "edit_conflict"

    def __init__(self, message: str, changes: dict[str, Any] | None = None) -> None:
        super().__init__(message, [message])
        self.changes = changes or {}


class PayloadTooLarge(InvalidInput):
    """A request body over its limit (an upload, a JSON body)."""

    status = 413
    code = "payload_too_large"


class NotFound(TieuchuanError):
    status = 404
    code = "not_found"


# -- access (admin) ----------------------------------------------------------------------
class Unauthorized(TieuchuanError):
    """No live session for a page that needs one."""

    status = 401
    code = "unauthorized"


class Forbidden(TieuchuanError):
    """A live session without the right (role, CSRF token)."""

    status = 403
    code = "forbidden"


class LoginRefused(TieuchuanError):
    """Wrong user name or password (the attempt is recorded)."""

    status = 401
    code = "login_refused"


class LockedOut(LoginRefused):
    """Too many failed logins for an account or an address: try again in ``retry_after`` seconds."""

    status = 429
    code = "locked_out"

    def __init__(self, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# -- the system and the world (HTTP 5xx, exit 1) --------------------------------------------
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


class FetchFailed(TieuchuanError):
    """The crawler could not fetch ``url``; ``http_status`` is the site's answer, if any."""

    status = 502
    code = "fetch_failed"

    def __init__(self, url: str, reason: str, http_status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.http_status = url, reason, http_status


class Disallowed(FetchFailed):
    """robots.txt or the allowed hosts forbid ``url``; it was never requested."""

    code = "disallowed"

    def __init__(self, url: str) -> None:
        super().__init__(url, "không được phép (robots.txt hoặc host) / disallowed by robots.txt or host")
