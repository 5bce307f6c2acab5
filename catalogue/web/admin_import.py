"""The admin's file import: upload, preview, apply, the template and the column help.

Contracts (behind :func:`catalogue.web.admin.guarded`: a session, and CSRF on POST):

* An upload is kept under ``uploads/`` by a random token, never by its own name;
  its real name (from the multipart ``filename``, sanitised by
  :func:`display_name`, kept in the signed session by token, at most
  :data:`KEEP_NAMES` of them) is what the preview, the summary and the rows' origins
  (hence the audit log and the quarantine) show.
* The preview writes nothing; applying imports through
  :func:`catalogue.importer.import_file` (the unit of work, each record with its
  audit entry).  A bad file or token is a clear 400, never a 500; a failed copy
  leaves no file behind.
* ``/admin/import/template.csv`` is a CSV (UTF-8 with a BOM) holding the header
  row of every column the import reads (:data:`indexer.sources.file.COLUMNS`).
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import time
import unicodedata
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from catalogue.accounts import Session
from catalogue.errors import InvalidInput
from catalogue.exporter import BOM
from catalogue.importer import import_file, preview_rows
from catalogue.model import STATUS_LABELS
from catalogue.web.admin_text import field_label, page
from catalogue.web.http import Site
from indexer.sources.file import COLUMNS

__all__ = ["KEEP_NAMES", "ROUTES", "UPLOAD_TTL", "display_name"]

KEEP_NAMES = 8  # real names of uploads previewed but not yet applied, kept in the session
UPLOAD_TTL = 24 * 3600  # uploads previewed but never applied are removed after this many seconds
_NAME = re.compile(r"[^\w.\- ()]+")


def display_name(filename: str | None) -> str:
    """An upload's own name, safe to show and to record: no folders, no control characters, at most 120."""
    name = unicodedata.normalize("NFC", str(filename or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _NAME.sub("_", "".join(c for c in name if unicodedata.category(c)[0] != "C")).strip(" ._")
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 119 - len(suffix)] + dot + suffix) if dot and len(suffix) <= 8 else name[:120]
    return name or "upload"


def _uploads(site: Site) -> Path:
    """The uploads folder, rid of uploads older than :data:`UPLOAD_TTL` (previewed, never applied)."""
    path = site.settings.data_path / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - UPLOAD_TTL
    for old in path.iterdir():
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    return path


def _keep_upload(source: Any, target: Path) -> None:
    """Copy an upload to ``target`` in chunks (never all in memory), appearing there whole or not at all.

    A failed copy (a full disk) leaves no partial file behind.
    """
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 16)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _help(lang: str) -> list[tuple[str, str]]:
    statuses = ", ".join(f"{code} / {vi} / {en}" for code, (vi, en) in STATUS_LABELS.items())
    out = [(c, field_label(c, lang)) for c in COLUMNS]
    return [(c, f"{label}: {statuses}" if c == "status" else label) for c, label in out]


def _page(site: Site, request: Request, session: Session, status: int = 200, **ctx: Any) -> Response:
    ctx = {"preview": None, "token": None, "summary": None, "upload_name": None, **ctx}
    return page(site, request, "import.html", session, status, columns=_help(site.lang(request)), **ctx)


async def import_page(site: Site, request: Request, session: Session) -> Response:
    if request.method == "GET":
        return _page(site, request, session)
    form = await request.form(max_part_size=site.settings.max_upload_mb << 20)  # the body itself: BodyLimit
    upload = form.get("file")
    if upload is None or not hasattr(upload, "filename") or not upload.filename:
        raise InvalidInput("Chọn tệp CSV hoặc JSONL / Choose a CSV or JSONL file")
    name = display_name(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise InvalidInput("Chỉ nhận .csv hoặc .jsonl / Only .csv and .jsonl files")
    token = secrets.token_hex(16)
    folder = await site.run(_uploads, site)
    target = folder / f"{token}{suffix}"
    try:
        await site.run(_keep_upload, upload.file, target)
        preview = await site.run(lambda: preview_rows(target, 500, name=name))
    except BaseException:  # a full disk, a bad file: leave nothing behind
        target.unlink(missing_ok=True)
        raise
    names = dict(list(request.session.get("upload_names", {}).items())[-(KEEP_NAMES - 1) :])
    request.session["upload_names"] = {**names, target.name: name}  # signed session: the form cannot change it
    return _page(site, request, session, preview=preview, token=token + suffix, upload_name=name)


async def import_apply(site: Site, request: Request, session: Session) -> Response:
    form = await request.form()
    token = str(form.get("token", ""))
    if not (len(token) in (36, 38) and token[:32].isalnum() and token[32:] in (".csv", ".jsonl")):
        raise InvalidInput("Phiên nhập không hợp lệ / Unknown upload")
    path = _uploads(site) / token
    if not path.is_file():
        raise InvalidInput("Tệp tải lên đã hết hạn / The upload has expired")
    names = dict(request.session.get("upload_names", {}))
    name = display_name(str(names.pop(token, token)))
    request.session["upload_names"] = names
    try:
        summary = await site.run(lambda: import_file(site.engine, path, session.user.name, name=name))
    finally:  # applied or failed, the upload has served
        path.unlink(missing_ok=True)
    return _page(site, request, session, summary=summary, upload_name=name)


async def template(site: Site, request: Request, session: Session) -> Response:
    return Response(
        BOM + ",".join(COLUMNS) + "\r\n",
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="tieuchuan-mau-nhap.csv"'},
    )


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/admin/import", import_page, ["GET", "POST"]),
    ("/admin/import/apply", import_apply, ["POST"]),
    ("/admin/import/template.csv", template, ["GET"]),
]
