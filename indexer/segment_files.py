"""Segment files opened without copying them: the cost of opening a searcher follows the change, not the index.

Why: Whoosh keeps each segment in one compound file and maps it into memory, but
its ``BufferFile`` wraps every inner file in ``io.BytesIO(memoryview)``, which
copies it.  Every searcher opened after a commit therefore copied every segment's
term dictionary (50 ms at 50,000 records, holding the GIL), in every worker, on
every save.  :class:`ViewFile` reads the mapped memory in place.

Contracts:

* :class:`ViewFile` behaves as Whoosh's ``BufferFile`` (random access by ``get``,
  sequential ``read``/``readline``/``seek``/``tell``, pickles) and never copies its
  buffer; only the bytes a call returns are copied.
* :func:`install` makes Whoosh's compound storage open inner files as
  :class:`ViewFile`; it is idempotent and changes nothing else.  ``indexer.index``
  calls it on import, so every index this project opens reads this way.
* The mapped file stays mapped while a view of it lives (the OS keeps a replaced
  or deleted segment file's pages until then), as with Whoosh's own mapping.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

__all__ = ["MemoryReader", "ViewFile", "install"]

PEEK = 1024  # bytes a peek copies: Whoosh's pickled block headers are a few hundred


class MemoryReader(io.RawIOBase):
    """A read-only, seekable file over a buffer (a memoryview of a mapped file), without a copy."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._view = memoryview(buf).cast("B")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        data = self._view[self._pos : end].tobytes() if end > self._pos else b""
        self._pos = max(self._pos, end)
        return data

    def peek(self, size: int = 0) -> bytes:
        """Up to :data:`PEEK` bytes from the position, which stays: the C unpickler reads ahead through it
        and then consumes what it used with one ``read``, where it would call ``read`` for every opcode."""
        return self._view[self._pos : self._pos + min(max(size, 1), PEEK)].tobytes()

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        n = max(0, min(len(target), len(self._view) - self._pos))
        target[:n] = self._view[self._pos : self._pos + n]  # one copy, straight from the mapping
        self._pos += n
        return n

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        rest = self._view[self._pos : end]
        newline = bytes(rest[: min(len(rest), 4096)]).find(b"\n")
        if newline < 0 and len(rest) > 4096:  # a long line: look through the rest
            newline = rest.tobytes().find(b"\n")
        return self.read((newline + 1) if newline >= 0 else len(rest))


class ViewFile(BufferFile):
    """Whoosh's ``BufferFile`` over a buffer it does not copy (see the module docstring)."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = MemoryReader(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position: int, length: int, name: str | None = None) -> ViewFile:
        return ViewFile(self.get(position, length), name=name or self._name)


def install() -> None:
    """Make Whoosh's compound storage open its inner files as :class:`ViewFile` (idempotent)."""
    compound.BufferFile = ViewFile
