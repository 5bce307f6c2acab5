"""What every endpoint shares: the one error handler, ETags, query strings, the thread pool."""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from catalogue.errors import Conflict, Forbidden, NotFound, StoreError, TieuchuanError, Unauthorized
from catalogue.settings import Settings
from catalogue.web.http import SecurityHeaders, Site, handle_error, merge_query, with_etag
from tests.conftest import asgi


def _app(exc: Exception, tmp_path) -> Starlette:
    """A bare app whose every route raises ``exc``, with the site's handler and templates."""

    async def boom(request: Request) -> Response:
        raise exc

    app = Starlette(
        routes=[Route("/{path:path}", boom)],
        exception_handlers={Exception: handle_error, TieuchuanError: handle_error},
    )
    app.state.site = Site(Settings.load({"data_dir": str(tmp_path)}, environ={}), None)
    return app


@pytest.mark.parametrize(
    "exc", [NotFound("không có / none"), Conflict("cũ / stale"), Forbidden("cấm / no"), StoreError("hỏng / broken")]
)
def test_every_error_becomes_a_page_or_json_with_its_status(exc: TieuchuanError, tmp_path) -> None:
    client = asgi(_app(exc, tmp_path))
    page = client.get("/standards/x")
    # the page says the message in its own language (issue 14); the JSON keeps both
    vi, en = exc.message.split(" / ")
    assert page.status_code == exc.status and "<html" in page.text and f"<p>{vi}</p>" in page.text
    assert f"<p>{en}</p>" not in page.text
    client.cookies.set("lang", "en")
    page = client.get("/standards/x")
    assert page.status_code == exc.status and f"<p>{en}</p>" in page.text and f"<p>{vi}</p>" not in page.text
    for path, headers in (("/api/x", {}), ("/admin/api/x", {}), ("/x", {"accept": "application/json"})):
        r = client.get(path, headers=headers)
        assert r.status_code == exc.status
        assert r.json() == {"error": {"code": exc.code, "message": exc.message}}


def test_an_unexpected_error_is_a_500_without_a_traceback(tmp_path, caplog) -> None:
    # answer as a server would, instead of re-raising in the test
    client = asgi(_app(RuntimeError("secret internals"), tmp_path), raise_server_exceptions=False)
    for path in ("/x", "/api/x"):
        r = client.get(path)
        assert r.status_code == 500
        assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "unexpected error" in caplog.text


def test_admin_errors_are_never_cached(tmp_path) -> None:
    client = asgi(_app(Unauthorized("Cần đăng nhập / Login required"), tmp_path))
    r = client.get("/admin/api/standards/x")
    assert (r.status_code, r.headers["cache-control"]) == (401, "no-store")
    assert r.json()["error"]["code"] == "unauthorized"
    assert "cache-control" not in client.get("/api/x").headers


def test_a_broken_error_page_falls_back_to_plain_text(tmp_path) -> None:
    app = _app(NotFound("không có / none"), tmp_path)
    app.state.site.jinja.loader = None  # the template cannot be found
    r = asgi(app).get("/x")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain") and "none" in r.text


def test_etags_answer_304() -> None:
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}
    first = with_etag(Request(scope), Response("body"), "Mon, 01 Jan 2024 00:00:00 GMT")
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["last-modified"].endswith("GMT")
    again = with_etag(Request({**scope, "headers": [(b"if-none-match", etag.encode())]}), Response("body"))
    assert again.status_code == 304


def test_merge_query_changes_and_removes_keys() -> None:
    assert merge_query({"q": "mật ong", "page": "2", "kind": ""}, page=None, sort="newest") == (
        "q=m%E1%BA%ADt+ong&sort=newest"
    )


def test_merge_query_quotes_as_urlencode_does() -> None:
    awkward = {"q": "a&b=c+d/é ?#%", "a b": "x", "ics": "67.120", "page": "3"}
    for changes in ({}, {"page": None}, {"page": 4, "q": "nước mắm & muối"}, {"new key": "1/2"}):
        expected = {k: str(v) for k, v in {**awkward, **changes}.items() if v is not None}
        assert merge_query(awkward, **changes) == urlencode(expected), changes


def test_security_headers_are_added_without_overriding(tmp_path) -> None:
    async def page(request: Request) -> Response:
        return Response("x", headers={"x-frame-options": "SAMEORIGIN"})

    app = SecurityHeaders(Starlette(routes=[Route("/", page)]))
    r = asgi(app).get("/")
    assert (
        r.headers["x-frame-options"] == "SAMEORIGIN"
        and "frame-ancestors 'none'" in r.headers["content-security-policy"]
    )


def test_site_run_leaves_the_event_loop_free(tmp_path) -> None:
    site = Site(Settings.load({"data_dir": str(tmp_path)}, environ={}), None)

    async def main() -> tuple[int, int]:
        return threading.get_ident(), await site.run(threading.get_ident)

    loop_thread, worker_thread = asyncio.run(main())
    assert loop_thread != worker_thread


# -- the handler on the real app ---------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "limit=0",
        "limit=1000",
        "page=0",
        "page=-1",
        "page=x",
        "kind=ISO",
        "status=%00",
        "sort=x",
        "year_from=abc",
        "ics=<b>",
    ],
)
def test_bad_parameters_get_400_with_a_message(http: httpx.Client, query: str) -> None:
    r = http.get(f"/api/search?q=mat+ong&{query}")
    assert r.status_code == 400
    assert r.json()["error"]["message"]
    page = http.get(f"/search?q=mat+ong&{query}")
    assert page.status_code == 400
    assert "<html" in page.text


def test_404_in_site_style_and_json(http: httpx.Client) -> None:
    r = http.get("/standards/tcvn-0-1900")
    assert r.status_code == 404
    assert "<html" in r.text and "Về trang chủ" in r.text
    r = http.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("threads", [1, 2])
def test_compute_runs_at_most_compute_threads_at_once(tmp_path, threads: int) -> None:
    site = Site(Settings.load({"data_dir": str(tmp_path), "compute_threads": threads}, environ={}), None)
    running, most, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def work() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(2)  # bounded: the test never hangs
        with lock:
            running[0] -= 1

    async def main() -> None:
        tasks = [asyncio.ensure_future(site.compute(work)) for _ in range(4)]
        while most[0] < threads:  # the allowed ones have started …
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # … and no other starts beside them
        assert most[0] == threads
        release.set()
        await asyncio.gather(*tasks)

    asyncio.run(asyncio.wait_for(main(), 10))
    assert most[0] == threads
