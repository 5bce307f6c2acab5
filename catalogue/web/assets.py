"""Static files: fingerprinted names, cached for a year, gzip-compressed once at start-up.

Contracts:

* :meth:`Assets.url` gives ``/static/<stem>.<hash>.<ext>`` where ``hash`` is the
  first 12 hex digits of the file's SHA-256: a changed file gets a new name, so
  that name may be cached ``immutable`` for a year.
* The plain name (``/static/site.css``) still answers, with ``no-cache`` and an
  ETag, for links written before a change.  A fingerprint that does not match
  the file is 404: never an old name serving new bytes for a year.
* :meth:`Assets.alias` serves one file at a path of its own (``/favicon.ico``), with
  ``no-cache`` and the ETag, so a browser asking for the conventional name gets no 404.
* Clients that accept gzip get the compressed bytes (``Vary: Accept-Encoding``);
  ``If-None-Match`` with the ETag gives 304.  Only files present at start-up are
  served; no path outside the folder can be named.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

__all__ = ["Assets"]

YEAR = 365 * 86400


@dataclass(frozen=True)
class _File:
    body: bytes
    gzipped: bytes | None  # None when compressing does not pay
    media_type: str
    etag: str
    url: str


class Assets:
    """An ASGI app serving the files of ``folder`` (mounted at ``/static``)."""

    def __init__(self, folder: Path, prefix: str = "/static") -> None:
        self._files: dict[str, tuple[_File, bool]] = {}  # request name -> (file, fingerprinted?)
        self._urls: dict[str, str] = {}
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            fingerprinted = f"{path.stem}.{digest}{path.suffix}"
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type in ("application/javascript", "text/javascript"):
                media_type += "; charset=utf-8"
            file = _File(
                body=body,
                gzipped=packed if len(packed) < len(body) * 0.9 else None,
                media_type=media_type,
                etag=f'"{digest}"',
                url=f"{prefix}/{fingerprinted}",
            )
            self._files[path.name] = (file, False)
            self._files[fingerprinted] = (file, True)
            self._urls[path.name] = file.url

    def url(self, name: str) -> str:
        """The fingerprinted URL of ``name`` (a file of the folder)."""
        return self._urls[name]

    def alias(self, name: str) -> _Alias:
        """An ASGI app answering with the file ``name`` (plain name: ``no-cache`` and the ETag)."""
        if name not in self._urls:
            raise KeyError(name)
        return _Alias(self, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        name = scope["path"].rsplit("/", 1)[-1]
        entry = self._files.get(name) if request.method in ("GET", "HEAD") else None
        if entry is None:
            status = 404 if request.method in ("GET", "HEAD") else 405
            await PlainTextResponse("Không tìm thấy / Not found", status_code=status)(scope, receive, send)
            return
        file, fingerprinted = entry
        headers = {
            "etag": file.etag,
            "vary": "Accept-Encoding",
            "cache-control": f"public, max-age={YEAR}, immutable" if fingerprinted else "no-cache",
        }
        if file.etag in request.headers.get("if-none-match", ""):
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        body = file.body
        if file.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = file.gzipped
            headers["content-encoding"] = "gzip"
        if request.method == "HEAD":
            headers["content-length"] = str(len(body))
            body = b""
        await Response(body, media_type=file.media_type, headers=headers)(scope, receive, send)


class _Alias:
    """One file of :class:`Assets` under another path."""

    def __init__(self, assets: Assets, name: str) -> None:
        self.assets, self.name = assets, name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.assets({**scope, "path": f"/{self.name}"}, receive, send)
