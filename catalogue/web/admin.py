"""The secretariat workspace under ``/admin``.

Contracts:

* Every ``/admin`` route except the login form requires a live session: an
  anonymous request is redirected to the login page, or gets 401 JSON under
  ``/admin/api/`` (:class:`~catalogue.errors.Unauthorized`, rendered by the one
  handler).  User management requires the admin role (403 otherwise).
* Every state-changing request (POST) carries the session's CSRF token, in the
  ``csrf`` form field or the ``X-CSRF-Token`` header; a wrong or missing one gets
  403 and changes nothing.
* Admin responses are ``Cache-Control: no-store``: after logout the back button
  cannot show admin data.
* Every change goes through the :class:`~catalogue.editing.Editor` (and so the
  unit of work): the change and its audit entry commit together.  Session
  lookups, argon2 hashing and store reads run in the thread pool.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from catalogue.accounts import Accounts, Session
from catalogue.auditlog import AuditFilter
from catalogue.editing import Editor
from catalogue.errors import Conflict, Forbidden, InvalidInput, LoginRefused, Unauthorized, ValidationError
from catalogue.model import Standard
from catalogue.recommend.taxonomy import ProductGroup, format_hs
from catalogue.search.searcher import SearchRequest
from catalogue.web import admin_import, worklist
from catalogue.web.admin_form import FORM_FIELDS, form_values, from_form, lines, prefill
from catalogue.web.admin_text import flash, page
from catalogue.web.http import Site
from catalogue.web.http import no_store as _no_store
from catalogue.web.limits import client_ip
from indexer.crawl.frontier import Frontier

__all__ = ["PUBLIC", "ROUTES"]

Handler = Callable[[Site, Request, Session], Awaitable[Response]]
PUBLIC = {"/admin/login"}
UPLOAD_TTL = 24 * 3600  # uploads previewed but never applied are removed after this many seconds


def _version(value: Any) -> int:
    """The record version a form or JSON body sent back; bad input is a 400, never a 500."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput("phiên bản bản ghi không hợp lệ / invalid record version") from None


def _ip(site: Site, request: Request) -> str:
    return client_ip(request, site.proxies)


def guarded(handler: Handler, admin_only: bool = False) -> Callable[[Site, Request], Awaitable[Response]]:
    async def endpoint(site: Site, request: Request) -> Response:
        accounts = Accounts(site.engine.store)
        session = await site.run(accounts.session, request.session.get("sid"))
        if session is None:
            request.session.clear()
            if request.url.path.startswith("/admin/api/"):
                raise Unauthorized("Cần đăng nhập / Login required")
            return _no_store(RedirectResponse(f"/admin/login?next={request.url.path}", status_code=303))
        if request.method == "POST":
            sent = request.headers.get("x-csrf-token")
            if sent is None and "form" in request.headers.get("content-type", ""):
                sent = (await request.form()).get("csrf")
            if not sent or not hmac.compare_digest(str(sent), session.csrf):
                raise Forbidden("Mã CSRF không hợp lệ / Invalid or missing CSRF token")
        if admin_only and not session.user.is_admin:
            raise Forbidden("Chỉ quản trị viên / Administrators only")
        return _no_store(await handler(site, request, session))

    return endpoint


def render(site: Site, request: Request, name: str, session: Session | None, status: int = 200, **ctx: Any):
    return page(site, request, name, session, status, **ctx)


# -- login --------------------------------------------------------------------------
async def login(site: Site, request: Request) -> Response:
    accounts = Accounts(site.engine.store)
    target = request.query_params.get("next", "/admin")
    if not target.startswith("/admin"):
        target = "/admin"
    if request.method == "GET":
        request.session["login_csrf"] = request.session.get("login_csrf") or secrets.token_urlsafe(32)
        return _no_store(render(site, request, "login.html", None, next=target, error=None))
    form = await request.form()
    expected = request.session.get("login_csrf", "")
    if not expected or not hmac.compare_digest(str(form.get("csrf", "")), expected):
        raise Forbidden("Mã CSRF không hợp lệ / Invalid or missing CSRF token")
    try:
        session = await site.run(
            accounts.login, str(form.get("name", "")), str(form.get("password", "")), _ip(site, request)
        )
    except LoginRefused as exc:
        page = render(site, request, "login.html", None, exc.status, next=target, error=exc.message)
        if getattr(exc, "retry_after", 0):
            page.headers["retry-after"] = str(exc.retry_after)
        return _no_store(page)
    request.session.clear()
    request.session["sid"] = session.id
    return _no_store(RedirectResponse(target, status_code=303))


async def logout(site: Site, request: Request, session: Session) -> Response:
    await site.run(Accounts(site.engine.store).logout, session.id)
    request.session.clear()
    return RedirectResponse("/admin/login", status_code=303)


# -- dashboard, standards -----------------------------------------------------------
async def dashboard(site: Site, request: Request, session: Session) -> Response:
    editor = Editor(site.engine)
    runs = await site.run(Frontier(site.engine.store, "vsqi").runs, 3)
    audit = await site.run(lambda: editor.history(limit=10))
    links = await site.run(_links, site, audit)
    return render(site, request, "dashboard.html", session, audit=audit, runs=runs, links=links)


async def standards(site: Site, request: Request, session: Session) -> Response:
    q = request.query_params.get("q", "")
    result = await site.run(site.engine.search, SearchRequest(q=q, limit=50)) if q.strip() else None
    return render(site, request, "standards.html", session, q=q, result=result)


async def edit(site: Site, request: Request, session: Session) -> Response:
    store, editor = site.engine.store, Editor(site.engine)
    slug = request.path_params.get("slug")
    record = await site.run(store.get_by_slug, slug) if slug else None
    if request.method == "GET":
        values = form_values(record)
        return render(site, request, "edit.html", session, record=record, errors=[], conflict=None, values=values)
    form = await request.form()
    number = record.number if record else str(form.get("number", "")).strip()
    try:
        edited = from_form(form, number)
        if record is not None:  # keep what the form does not edit
            edited.sources, edited.notes, edited.extra = record.sources, record.notes, record.extra
            edited.amendments = record.amendments
            edited.withdrawn_by, edited.withdrawn_date = record.withdrawn_by, record.withdrawn_date  # withdraw step
            if edited.status == record.status:  # the status is not what changed: its basis stays
                edited.status_basis, edited.status_reason = record.status_basis, record.status_reason
            elif edited.status != "unknown":
                edited.status_reason = {"ref": f"secretariat:{session.user.name}", "kind": "secretariat"}
            edited.version = record.version
        else:
            edited.sources = [{"ref": f"secretariat:{session.user.name}", "kind": "secretariat"}]
        version = _version(form.get("version")) if record else None
        await site.run(lambda: editor.save(edited, session.user.name, expected_version=version))
    except Conflict as exc:
        fresh = await site.run(store.get, number)
        return render(
            site,
            request,
            "edit.html",
            session,
            409,
            record=fresh,
            errors=exc.problems,
            conflict=exc.changes,
            mine=edited,
            values=form_values(fresh),
        )
    except (ValidationError, InvalidInput) as exc:
        problems = getattr(exc, "problems", [exc.message])
        values = {name: str(form.get(name, "")) for name in FORM_FIELDS}  # what was sent, to fix
        return render(
            site, request, "edit.html", session, 400, record=record, errors=problems, conflict=None, values=values
        )
    saved = await site.run(store.get, number)
    flash(request, "Đã lưu.")
    return RedirectResponse(f"/admin/standards/{saved.slug}/edit", status_code=303)


async def withdraw(site: Site, request: Request, session: Session) -> Response:
    """Two steps: the edit page's form shows a confirmation page; only its "yes" (``confirmed``) withdraws.

    A missing decision or an impossible date comes back on the confirmation page (400), nothing written.
    """
    record = await site.run(site.engine.store.get_by_slug, request.path_params["slug"])
    form = await request.form()
    version = _version(form.get("version"))
    decision, date = str(form.get("decision", "")).strip()[:200], str(form.get("date", "")).strip()[:20]
    error = None
    if not decision:
        error = "cần số quyết định hủy bỏ / the withdrawal decision is required"
    elif date and not _is_iso_date(date):
        error = f"ngày không hợp lệ / not a date (YYYY-MM-DD): {date}"
    if error or form.get("confirmed") != "yes":
        ctx = {"record": record, "decision": decision, "date": date, "version": version, "error": error}
        return render(site, request, "withdraw.html", session, 400 if error else 200, **ctx)
    try:
        await site.run(lambda: Editor(site.engine).withdraw(record.number, session.user.name, decision, date, version))
    except (ValidationError, InvalidInput) as exc:
        ctx = {"record": record, "decision": decision, "date": date, "version": version, "error": exc.message}
        return render(site, request, "withdraw.html", session, 400, **ctx)
    flash(request, "Đã hủy bỏ tiêu chuẩn.")
    return RedirectResponse(f"/admin/standards/{record.slug}/edit", status_code=303)


def _is_iso_date(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


async def replace(site: Site, request: Request, session: Session) -> Response:
    record = await site.run(site.engine.store.get_by_slug, request.path_params["slug"])
    form = await request.form()
    version = _version(form.get("version"))
    await site.run(
        lambda: Editor(site.engine).replace(record.number, str(form.get("new_number", "")), session.user.name, version)
    )
    return RedirectResponse(f"/admin/standards/{record.slug}/history", status_code=303)


async def history(site: Site, request: Request, session: Session) -> Response:
    record = await site.run(site.engine.store.get_by_slug, request.path_params["slug"])
    entries = await site.run(Editor(site.engine).history, record.number)
    return render(site, request, "history.html", session, record=record, entries=entries, links={})


def _links(site: Site, entries: list[dict[str, Any]]) -> dict[str, str]:
    """``{target: admin page}`` for the entries' records (their history) and product groups."""
    records = [e["target"] for e in entries if not e["action"].endswith("-group") and e["action"] != "restore"]
    links = {
        n: f"/admin/standards/{slug}/history" for n, slug in site.engine.store.slugs_for(sorted(set(records))).items()
    }
    links |= {e["target"]: f"/admin/groups/{e['target']}" for e in entries if e["action"].endswith("-group")}
    return links


async def audit(site: Site, request: Request, session: Session) -> Response:
    """The log, newest first, filtered by action, user, record and a range of local days (SQL, whole log)."""
    chosen = AuditFilter.from_query(request.query_params)
    store = site.engine.store

    def load() -> tuple[list[dict[str, Any]], list[str], dict[str, str]]:
        entries = store.audit.search(**chosen.query(), limit=500)
        return entries, store.audit.actions(), _links(site, entries)

    entries, actions, links = await site.run(load)
    return render(site, request, "audit.html", session, entries=entries, actions=actions, chosen=chosen, links=links)


async def audit_csv(site: Site, request: Request, session: Session) -> Response:
    return Response(
        await site.run(Editor(site.engine).audit_csv),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="audit.csv"'},
    )


# -- crawl review ------------------------------------------------------------------------
def _link(url: str) -> str | None:
    """A quarantined entry's address when it is one (a crawled page); an import row's ``file:line`` is not."""
    return url if url.startswith(("http://", "https://")) else None


async def crawl_review(site: Site, request: Request, session: Session, **failed: Any) -> Response:
    frontier = Frontier(site.engine.store, "vsqi")
    runs, quarantine = await site.run(lambda: (frontier.runs(10), frontier.quarantined()))
    for q in quarantine:
        q["form"] = failed["form"] if failed.get("qid") == q["id"] else prefill(q.get("raw") or {})
        q["errors"] = failed.get("errors", []) if failed.get("qid") == q["id"] else []
        q["link"] = _link(q["url"])
    status = 400 if failed else 200
    return render(site, request, "crawl.html", session, status, runs=runs, quarantine=quarantine)


async def crawl_accept(site: Site, request: Request, session: Session) -> Response:
    """Fix a quarantined page's or row's fields and accept it as a new record; a bad form comes back filled."""
    qid = int(request.path_params["qid"])
    form = await request.form()
    number = str(form.get("number", "")).strip()
    url = str(form.get("url", ""))
    kind = "crawl (fixed by the secretariat)" if _link(url) else "import (fixed by the secretariat)"
    try:
        record = from_form(form, number)
        record.sources = [{"ref": url, "kind": kind}]
        await site.run(Editor(site.engine).accept, record, session.user.name, qid)
    except (ValidationError, InvalidInput) as exc:
        kept = {name: str(form.get(name, "")) for name in FORM_FIELDS}
        return await crawl_review(
            site, request, session, qid=qid, form=kept, errors=getattr(exc, "problems", None) or [exc.message]
        )
    flash(request, "Đã chấp nhận bản ghi.")
    return RedirectResponse("/admin/crawl", status_code=303)


# -- product groups --------------------------------------------------------------------
async def groups(site: Site, request: Request, session: Session) -> Response:
    groups = await site.run(site.engine.recommender.taxonomy.groups)
    return render(site, request, "groups.html", session, groups=groups)


async def group_edit(site: Site, request: Request, session: Session) -> Response:
    taxonomy = site.engine.recommender.taxonomy
    group = await site.run(taxonomy.group, request.path_params["slug"])
    if request.method == "GET":
        return render(site, request, "group_edit.html", session, group=group, errors=[], format_hs=format_hs)
    form = await request.form()
    links = []
    for line in lines(str(form.get("regulations", "")).replace(",", "\n")):
        number, _, basis = line.partition("|")
        links.append({"number": number.strip(), "basis": basis.strip()})
    edited = ProductGroup(
        slug=group.slug,
        name_vi=str(form.get("name_vi", "")).strip(),
        name_en=str(form.get("name_en", "")).strip(),
        sector=group.sector,
        synonyms=lines(form.get("synonyms")),
        hs=[h.replace(".", "") for h in lines(form.get("hs"))],
        ics=lines(form.get("ics")),
        regulations=links,
        standards=lines(form.get("standards")),
    )
    version = _version(form.get("version"))
    try:
        await site.run(
            lambda: Editor(site.engine).save_group(taxonomy, edited, session.user.name, expected_version=version)
        )
    except ValidationError as exc:
        return render(
            site, request, "group_edit.html", session, 400, group=edited, errors=exc.problems, format_hs=format_hs
        )
    return RedirectResponse(f"/admin/groups/{group.slug}", status_code=303)


# -- users (admins only) -------------------------------------------------------------
async def users(site: Site, request: Request, session: Session) -> Response:
    accounts = Accounts(site.engine.store)
    error = None
    if request.method == "POST":
        form = await request.form()
        try:
            if form.get("disable"):
                await site.run(accounts.disable, str(form.get("disable")))
            else:  # argon2 hashing takes tens of milliseconds: never on the event loop
                name, role, password = (str(form.get(k, "")) for k in ("name", "role", "password"))
                await site.run(accounts.add, name, role, password)
        except InvalidInput as exc:
            error = exc.message
    users = await site.run(accounts.users)
    return render(site, request, "users.html", session, 400 if error else 200, users=users, error=error)


# -- JSON ------------------------------------------------------------------------------------
async def api_standard(site: Site, request: Request, session: Session) -> Response:
    record = await site.run(site.engine.store.get, request.path_params["number"])
    if request.method == "GET":
        return JSONResponse(record.to_dict())
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise InvalidInput("JSON không hợp lệ / invalid JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("cần một đối tượng JSON / a JSON object is required")
    data = record.to_dict()
    data.update({k: v for k, v in body.items() if k in data and k not in ("number", "sources", "version")})
    edited = Standard.from_dict(data)
    await site.run(
        lambda: Editor(site.engine).save(edited, session.user.name, expected_version=_version(body.get("version")))
    )
    saved = await site.run(site.engine.store.get, record.number)
    return JSONResponse(saved.to_dict())


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/admin/login", login, ["GET", "POST"]),
    ("/admin/logout", guarded(logout), ["POST"]),
    ("/admin", guarded(dashboard), ["GET"]),
    ("/admin/standards", guarded(standards), ["GET"]),
    ("/admin/standards/new", guarded(edit), ["GET", "POST"]),
    ("/admin/standards/{slug}/edit", guarded(edit), ["GET", "POST"]),
    ("/admin/standards/{slug}/withdraw", guarded(withdraw), ["POST"]),
    ("/admin/standards/{slug}/replace", guarded(replace), ["POST"]),
    ("/admin/standards/{slug}/history", guarded(history), ["GET"]),
    ("/admin/audit", guarded(audit), ["GET"]),
    ("/admin/audit.csv", guarded(audit_csv), ["GET"]),
    ("/admin/crawl", guarded(crawl_review), ["GET"]),
    ("/admin/crawl/{qid:int}/accept", guarded(crawl_accept), ["POST"]),
    ("/admin/groups", guarded(groups), ["GET"]),
    ("/admin/groups/{slug}", guarded(group_edit), ["GET", "POST"]),
    ("/admin/users", guarded(users, admin_only=True), ["GET", "POST"]),
    ("/admin/api/standards/{number:path}", guarded(api_standard), ["GET", "POST"]),
    *((path, guarded(handler), methods) for path, handler, methods in admin_import.ROUTES),
    *((path, guarded(handler), methods) for path, handler, methods in worklist.ROUTES),
]
