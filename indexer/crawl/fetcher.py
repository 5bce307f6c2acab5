"""Polite HTTP fetching for the crawler, on ``httpx.AsyncClient``.

Politeness by default, as Scrapy's project template has it:

* robots.txt is read per host (``urllib.robotparser``) and obeyed, Crawl-delay
  included; a disallowed URL is never requested;
* per-host concurrency and a delay between requests (settings ``crawl_concurrency``,
  ``crawl_delay``: 2 and 1 s by default);
* retries with exponential backoff and jitter on connection errors, timeouts,
  429 (``Retry-After`` honoured) and 5xx; a URL gives up after ``max_tries``
  attempts (``crawl_retries`` + 1);
* redirects are followed by hand, at most ``max_redirects`` hops, and only to
  allowed hosts and allowed paths;
* conditional GET (ETag / Last-Modified) so an unchanged page costs a 304;
* bodies are decoded by the declared charset, then UTF-8, with a fallback;
* an honest User-Agent naming the project and a contact.

Contract: :meth:`Fetcher.fetch` returns a :class:`Fetched` or raises
:class:`~catalogue.errors.FetchFailed` with a reason (:class:`~catalogue.errors.Disallowed`
when robots.txt or the allowed hosts forbid the URL, which is then never requested);
it never raises anything else for network trouble.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import re
import time
import urllib.robotparser
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from catalogue import settings as declared
from catalogue.errors import Disallowed, FetchFailed
from catalogue.settings import Settings

__all__ = ["Disallowed", "FetchFailed", "FetchSettings", "Fetched", "Fetcher", "decode", "user_agent"]

RETRY_STATUSES = {429, 500, 502, 503, 504}
DEFAULT_CONTACT = "secretariat@example.invalid"


def user_agent(contact: str | None) -> str:
    """The crawler's honest User-Agent, naming the project and a contact."""
    return f"tieuchuan-crawler/0.1 (+https://github.com/tieuchuan; contact: {contact or DEFAULT_CONTACT})"


def _default(name: str) -> Any:
    return declared.get(name).default


@dataclass
class FetchSettings:
    """The fetcher's knobs; the politeness ones default to the declared settings (``crawl_*``)."""

    user_agent: str = user_agent(_default("crawl_contact"))
    concurrency: int = _default("crawl_concurrency")
    delay: float = _default("crawl_delay")
    timeout: float = _default("crawl_timeout")
    max_tries: int = _default("crawl_retries") + 1
    backoff: float = 1.0
    max_backoff: float = 60.0
    max_redirects: int = 5
    allowed_hosts: set[str] = field(default_factory=set)
    obey_robots: bool = True

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> FetchSettings:
        """Politeness from the resolved settings (flag > environment > default); ``overrides`` win."""
        values: dict[str, Any] = {
            "user_agent": user_agent(settings.crawl_contact),
            "concurrency": settings.crawl_concurrency,
            "delay": settings.crawl_delay,
            "timeout": settings.crawl_timeout,
            "max_tries": settings.crawl_retries + 1,
        }
        return cls(**{**values, **overrides})


@dataclass
class Fetched:
    url: str  # after redirects
    status: int  # 200 or 304
    text: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    attempts: int


def decode(body: bytes, content_type: str | None) -> str:
    """Declared charset first, then UTF-8, then a lossy fallback; never raises.

    A single-byte declaration (ISO-8859-1, windows-1252) on a body that is valid
    multi-byte UTF-8 is taken to be wrong: Vietnamese pages are UTF-8 in practice.
    """
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip("\"'")
    head = body[:2048].decode("ascii", errors="ignore").lower()
    if declared is None and "charset=" in head:
        declared = head.split("charset=", 1)[1][:20].strip("\"' />").split('"')[0].split(";")[0].strip() or None
    try:
        as_utf8 = body.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    single_byte = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}
    if declared and not (as_utf8 is not None and declared in single_byte and not body.isascii()):
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    if as_utf8 is not None:
        return as_utf8
    for fallback in ("cp1258", "cp1252"):
        try:
            return body.decode(fallback)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="replace")


class _Host:
    def __init__(self, concurrency: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.delay = delay
        self.next_start = 0.0
        self.lock = asyncio.Lock()
        self.robots: urllib.robotparser.RobotFileParser | None = None
        self.ready = asyncio.Event()  # set once robots.txt has been read

    async def wait_turn(self) -> None:
        async with self.lock:
            now = time.monotonic()
            if self.next_start > now:
                await asyncio.sleep(self.next_start - now)
            self.next_start = max(now, self.next_start) + self.delay


class Fetcher:
    """One crawl's HTTP side.  Use as ``async with Fetcher(settings) as f:``."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            timeout=settings.timeout,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent, "Accept-Language": "vi,en;q=0.8"},
            transport=transport,
        )
        self._hosts: dict[str, _Host] = {}
        self.requests = 0
        self.refused_by_robots: list[str] = []

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def _allowed_host(self, url: str) -> bool:
        return not self.settings.allowed_hosts or urlsplit(url).netloc in self.settings.allowed_hosts

    async def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        host = self._hosts.get(parts.netloc)
        if host is not None:
            await host.ready.wait()  # no request to a host before its robots.txt is known
            return host
        host = self._hosts[parts.netloc] = _Host(self.settings.concurrency, self.settings.delay)
        try:
            if self.settings.obey_robots:
                host.robots = await self._read_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
                # robotparser ignores fractional Crawl-delay values; honour them too
                crawl_delay = host.robots.crawl_delay(self.settings.user_agent) or getattr(
                    host.robots, "fractional", None
                )
                if crawl_delay:
                    host.delay = max(host.delay, float(crawl_delay))
        finally:
            host.ready.set()
        return host

    async def _read_robots(self, url: str) -> urllib.robotparser.RobotFileParser:
        parser = urllib.robotparser.RobotFileParser(url)
        try:
            self.requests += 1
            response = await self._client.get(url)
        except httpx.HTTPError:
            parser.parse([])  # unreachable robots.txt: crawl, but politely
            return parser
        if response.status_code in (401, 403):
            parser.disallow_all = True
        elif response.status_code >= 400:
            parser.parse([])
        else:
            text = decode(response.content, response.headers.get("content-type"))
            parser.parse(text.splitlines())
            delays = re.findall(r"(?im)^\s*crawl-delay\s*:\s*([0-9]*\.?[0-9]+)", text)
            parser.fractional = max(map(float, delays)) if delays else None  # type: ignore[attr-defined]
        parser.modified()  # robotparser answers "disallowed" and "no delay" until told it has read the file
        return parser

    async def allowed(self, url: str) -> bool:
        if not self._allowed_host(url):
            return False
        host = await self._host(url)
        return host.robots is None or host.robots.can_fetch(self.settings.user_agent, url)

    def _wait_for(self, response: httpx.Response | None, attempt: int) -> float:
        if response is not None and response.status_code == 429:
            retry_after = response.headers.get("retry-after", "")
            if retry_after.isdigit():
                return min(float(retry_after), self.settings.max_backoff)
            when = email.utils.parsedate_to_datetime(retry_after) if retry_after else None
            if when is not None:
                return min(max(0.0, when.timestamp() - time.time()), self.settings.max_backoff)
        base = min(self.settings.max_backoff, self.settings.backoff * 2**attempt)
        return base * random.uniform(0.5, 1.5)

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for hop in range(self.settings.max_redirects + 1):
            if not await self.allowed(current):
                self.refused_by_robots.append(current)
                raise Disallowed(current)
            response = await self._request(current, headers)
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                current = urljoin(current, response.headers["location"])
                continue
            if response.status_code == 304:
                return Fetched(current, 304, None, b"", etag, last_modified, hop + 1)
            if response.status_code != 200:
                raise FetchFailed(current, f"HTTP {response.status_code}", response.status_code)
            body = response.content
            return Fetched(
                current,
                200,
                decode(body, response.headers.get("content-type")),
                body,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
                hop + 1,
            )
        raise FetchFailed(url, f"quá nhiều chuyển hướng / more than {self.settings.max_redirects} redirects")

    async def _request(self, url: str, headers: dict[str, str]) -> httpx.Response:
        host = await self._host(url)
        last_error = "no attempt"
        for attempt in range(self.settings.max_tries):
            response = None
            async with host.semaphore:
                await host.wait_turn()
                try:
                    self.requests += 1
                    response = await self._client.get(url, headers=headers)
                    await response.aread()
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    last_error = f"{type(exc).__name__}"
                else:
                    if response.status_code not in RETRY_STATUSES:
                        return response
                    last_error = f"HTTP {response.status_code}"
            if attempt + 1 < self.settings.max_tries:
                await asyncio.sleep(self._wait_for(response, attempt))
        raise FetchFailed(
            url,
            f"bỏ cuộc sau {self.settings.max_tries} lần / gave up after {self.settings.max_tries} tries: {last_error}",
        )
