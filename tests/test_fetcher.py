"""Polite fetching over ``httpx.MockTransport`` through the ``Fetcher(transport=)`` seam: no socket, no sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from catalogue.errors import Disallowed, FetchFailed
from catalogue.settings import Settings, get
from indexer.crawl.fetcher import Fetched, Fetcher, FetchSettings, decode, user_agent

BASE = "http://site.invalid"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def fast(**kw: object) -> FetchSettings:
    values = {"delay": 0.0, "backoff": 0.0, "max_backoff": 0.0, "max_tries": 3, "allowed_hosts": {"site.invalid"}}
    return FetchSettings(**{**values, **kw})  # type: ignore[arg-type]


class Site:
    """A handler for MockTransport: ``routes`` maps a path to a list of responses, used in turn."""

    def __init__(self, routes: dict[str, list[httpx.Response | Callable]], robots: str | None = ROBOTS) -> None:
        self.routes = routes
        self.robots = robots
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404) if self.robots is None else httpx.Response(200, text=self.robots)
        answers = self.routes.get(request.url.path)
        if not answers:
            return httpx.Response(404)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(request) if callable(answer) else answer

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def fetch(site: Site, url: str, settings: FetchSettings | None = None, **kw: str | None) -> Fetched:
    async def go() -> Fetched:
        async with Fetcher(settings or fast(), httpx.MockTransport(site)) as fetcher:
            return await fetcher.fetch(url, **kw)

    return asyncio.run(go())


def test_robots_txt_first_with_an_honest_user_agent() -> None:
    site = Site({"/a": [httpx.Response(200, text="ok")]})
    page = fetch(site, f"{BASE}/a", fast(user_agent=user_agent("lan@example.invalid")))
    assert (page.status, page.text, page.attempts) == (200, "ok", 1)
    assert site.paths() == ["/robots.txt", "/a"]
    assert all("lan@example.invalid" in r.headers["user-agent"] for r in site.requests)


def test_a_disallowed_url_is_never_requested() -> None:
    site = Site({"/private/x": [httpx.Response(200)]})
    with pytest.raises(Disallowed):
        fetch(site, f"{BASE}/private/x")
    with pytest.raises(Disallowed):
        fetch(site, "http://elsewhere.invalid/a")  # not an allowed host
    assert "/private/x" not in site.paths()


def test_robots_403_forbids_everything_and_a_missing_one_allows() -> None:
    site = Site({"/a": [httpx.Response(200, text="fine")]}, robots=None)  # robots.txt is a 404: no rules
    assert fetch(site, f"{BASE}/a").text == "fine"

    def deny(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403) if request.url.path == "/robots.txt" else httpx.Response(200)

    async def go() -> None:
        async with Fetcher(fast(), httpx.MockTransport(deny)) as fetcher:
            await fetcher.fetch(f"{BASE}/a")

    with pytest.raises(Disallowed):
        asyncio.run(go())


def test_5xx_and_429_are_retried_then_succeed() -> None:
    site = Site(
        {
            "/a": [httpx.Response(500), httpx.Response(503), httpx.Response(200, text="third time")],
            "/b": [httpx.Response(429, headers={"retry-after": "0"}), httpx.Response(200, text="after 429")],
        }
    )
    assert fetch(site, f"{BASE}/a").text == "third time"
    assert fetch(site, f"{BASE}/b").text == "after 429"
    assert site.paths().count("/a") == 3 and site.paths().count("/b") == 2


def test_a_url_gives_up_after_max_tries() -> None:
    site = Site({"/a": [httpx.Response(502)]})
    with pytest.raises(FetchFailed, match="gave up after 2 tries: HTTP 502"):
        fetch(site, f"{BASE}/a", fast(max_tries=2))
    assert site.paths().count("/a") == 2


def test_network_errors_are_retried_and_reported_as_fetch_failed() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("too slow", request=request)

    site = Site({"/a": [broken]})
    with pytest.raises(FetchFailed, match="ConnectTimeout"):
        fetch(site, f"{BASE}/a")
    assert site.paths().count("/a") == 3


def test_other_statuses_fail_with_the_status() -> None:
    with pytest.raises(FetchFailed) as info:
        fetch(Site({}), f"{BASE}/missing")
    assert info.value.http_status == 404 and not isinstance(info.value, Disallowed)


def test_redirects_are_followed_bounded_and_checked() -> None:
    site = Site(
        {
            "/old": [httpx.Response(301, headers={"location": "/new"})],
            "/new": [httpx.Response(200, text="moved")],
            "/loop": [httpx.Response(302, headers={"location": "/loop"})],
            "/out": [httpx.Response(302, headers={"location": "http://elsewhere.invalid/x"})],
        }
    )
    page = fetch(site, f"{BASE}/old")
    assert (page.url, page.text, page.attempts) == (f"{BASE}/new", "moved", 2)
    with pytest.raises(FetchFailed, match="more than 2 redirects"):
        fetch(site, f"{BASE}/loop", fast(max_redirects=2))
    assert site.paths().count("/loop") == 3
    with pytest.raises(Disallowed):
        fetch(site, f"{BASE}/out")


def test_conditional_get_costs_a_304() -> None:
    def conditional(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(
            200, text="body", headers={"etag": '"v1"', "last-modified": "Mon, 01 Jan 2024 00:00:00 GMT"}
        )

    site = Site({"/a": [conditional]})
    first = fetch(site, f"{BASE}/a")
    assert (first.etag, first.last_modified) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    again = fetch(site, f"{BASE}/a", etag=first.etag, last_modified=first.last_modified)
    assert (again.status, again.body, again.etag) == (304, b"", '"v1"')
    assert site.requests[-1].headers["if-modified-since"] == first.last_modified


def test_bodies_are_decoded_by_charset_then_utf8() -> None:
    text = "Nước mắm truyền thống"
    assert decode(text.encode("utf-8"), "text/html; charset=ISO-8859-1") == text  # a wrong single-byte label
    assert decode(text.encode("utf-8"), None) == text
    assert decode("Bơ".encode("cp1258"), "text/html; charset=windows-1258") == "Bơ"
    assert decode(b'<meta charset="utf-8">' + "Bún".encode(), "text/html").endswith("Bún")
    assert isinstance(decode(b"\xff\xfe\xfa", "text/html; charset=nonsense"), str)  # never raises


def test_fetch_settings_come_from_the_declared_settings() -> None:
    defaults = FetchSettings()
    assert (defaults.delay, defaults.concurrency, defaults.timeout) == (
        get("crawl_delay").default,
        get("crawl_concurrency").default,
        get("crawl_timeout").default,
    )
    assert defaults.max_tries == get("crawl_retries").default + 1
    env = {"TIEUCHUAN_CRAWL_DELAY": "0.5", "TIEUCHUAN_CRAWL_RETRIES": "1", "TIEUCHUAN_CRAWL_CONTACT": "lan@x.vn"}
    resolved = FetchSettings.from_settings(Settings.load({"crawl_concurrency": 4}, environ=env))
    assert (resolved.delay, resolved.max_tries, resolved.concurrency) == (0.5, 2, 4)
    assert "contact: lan@x.vn" in resolved.user_agent
    assert FetchSettings.from_settings(Settings.load(environ={}), delay=0).delay == 0
