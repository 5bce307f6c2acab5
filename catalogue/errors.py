"""The one exception hierarchy of tieuchuan.

Every error the application raises on purpose derives from :class:`TieuchuanError`.
Each class carries the HTTP status the web handler answers with and a short
machine-readable ``code`` for JSON bodies; the message is written for people
(Vietnamese first, English after a slash) and never contains a traceback.
"""

from __future__ import annotations

__all__ = [
    "IndexUnavailable",
    "InvalidIdentifier",
    "InvalidInput",
    "NotFound",
    "StoreError",
    "TieuchuanError",
    "ValidationError",
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
