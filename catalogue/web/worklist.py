"""The secretariat's worklist and data-quality page, under ``/admin`` (login required, see :mod:`.admin`).

Contracts:

* ``/admin/worklist`` lists the records with a problem of
  :data:`catalogue.coverage.PROBLEMS` (unknown status, no title, no ICS, only
  citation-level sources), filterable by problem, kind, ministry and text, and
  the numbers the bundle keeps aside until someone confirms them.
* ``/admin/worklist/{slug}`` is the one form to confirm a status or a title with
  its source; it goes through :meth:`catalogue.editing.Editor.confirm` (the write
  path, with its audit entry).  A bad form is a 400 with the message beside it.
* ``/admin/quality`` gives coverage figures by kind, ministry, ICS field, status
  basis and problem.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from catalogue import coverage, provenance
from catalogue.accounts import Session
from catalogue.editing import CONFIRM_KINDS, Conflict, Editor
from catalogue.errors import InvalidInput, ValidationError
from catalogue.seed import bundled_references
from catalogue.text import fold
from catalogue.web.admin_text import page
from catalogue.web.http import Site

__all__ = ["ROUTES"]

PAGE_SIZE = 50


def _render(site: Site, request: Request, name: str, session: Session, status: int = 200, **ctx: Any) -> Response:
    return page(site, request, name, session, status, **ctx)


def _matches(record: Any, problem: str | None, kind: str | None, ministry: str | None, words: str) -> bool:
    found = coverage.problems(record)
    if not found or (problem and problem not in found):
        return False
    if kind and record.kind != kind:
        return False
    if ministry and (record.ministry or "") != ministry:
        return False
    if words:
        text = fold(f"{record.number} {record.title_vi or ''} {record.title_en or ''}").lower()
        return all(w in text for w in words.split())
    return True


async def worklist(site: Site, request: Request, session: Session) -> Response:
    params = request.query_params
    problem = params.get("problem") or None
    if problem is not None and problem not in coverage.PROBLEMS:
        raise InvalidInput(f"vấn đề phải là một trong / problem must be one of {', '.join(coverage.PROBLEMS)}")
    kind = (params.get("kind") or "").upper() or None
    ministry = (params.get("ministry") or "").upper() or None
    words = fold(params.get("q", "")).lower().strip()
    try:
        page = max(1, int(params.get("page") or 1))
    except ValueError:
        raise InvalidInput("trang phải là số / page must be a number") from None

    def listing() -> tuple[list[dict[str, Any]], int]:
        rows = [
            {"record": r, "problems": coverage.problems(r)}
            for r in site.engine.store.all()
            if _matches(r, problem, kind, ministry, words)
        ]
        rows.sort(key=lambda row: (-len(row["problems"]), row["record"].kind, row["record"].key))
        return rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(rows)

    def aside() -> list[dict[str, Any]]:
        return [
            {**ref, "described": [provenance.describe(s) for s in ref["sources"]]}
            for ref in bundled_references()
            if ref["why"] == "to_confirm"
        ]

    rows, total = await site.run(listing)
    waiting = await site.run(aside)
    return _render(
        site,
        request,
        "worklist.html",
        session,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        filters={"problem": problem or "", "kind": kind or "", "ministry": ministry or "", "q": params.get("q", "")},
        problems=coverage.PROBLEMS,
        waiting=waiting,
    )


async def confirm(site: Site, request: Request, session: Session) -> Response:
    record = await site.run(site.engine.store.get_by_slug, request.path_params["slug"])
    context = {"record": record, "kinds": list(CONFIRM_KINDS), "error": None, "form": {}}
    if request.method == "GET":
        return _render(site, request, "confirm.html", session, **context)
    form = await request.form()
    names = ("status", "title_vi", "title_en", "source_kind", "ref", "quote")
    values = {k: str(form.get(k, "")).strip() for k in names}
    try:
        version = int(str(form.get("version", "")).strip())
    except ValueError:
        raise InvalidInput("phiên bản bản ghi không hợp lệ / invalid record version") from None
    try:
        await site.run(
            lambda: Editor(site.engine).confirm(
                record.number,
                session.user.name,
                version,
                source_kind=values["source_kind"],
                ref=values["ref"],
                quote=values["quote"],
                status=values["status"] or None,
                title_vi=values["title_vi"],
                title_en=values["title_en"],
            )
        )
    except (InvalidInput, ValidationError, Conflict) as exc:
        fresh = await site.run(site.engine.store.get, record.number)
        context.update(record=fresh, error=exc.message, form=values)
        return _render(site, request, "confirm.html", session, exc.status, **context)
    return RedirectResponse(f"/admin/standards/{record.slug}/history", status_code=303)


async def quality(site: Site, request: Request, session: Session) -> Response:
    figures = await site.run(lambda: coverage.figures(site.engine.store.all()))
    ics = await site.run(site.engine.ics)
    return _render(site, request, "quality.html", session, figures=figures, ics=ics)


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/admin/worklist", worklist, ["GET"]),
    ("/admin/worklist/{slug}", confirm, ["GET", "POST"]),
    ("/admin/quality", quality, ["GET"]),
]
