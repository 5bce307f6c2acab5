"""The :class:`~indexer.sources.base.Source` test double: a small site held in memory.

:class:`StaticSource` keeps records (and, optionally, raw pages) in dicts.  Its
pages use a trivial format, so tests of the crawler exercise the crawl and not a
page reader:

* list page ``<base>/list?page=N``: JSON ``{"details": [url, ...], "next": url | null}``;
* detail page ``<base>/item/<slug>``: the record's JSON (:meth:`Standard.to_dict`).

:meth:`StaticSource.transport` serves those pages (plus ``robots.txt``) as an
``httpx.MockTransport`` for ``Crawler.run(transport=...)``: no socket, no sleep.
It answers ``If-None-Match`` with 304 and records every request, so tests can see
what the crawler asked for.  Records may be changed between runs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from catalogue.errors import ValidationError
from catalogue.model import Standard, validate
from indexer.sources.base import Source

__all__ = ["StaticSource"]


class StaticSource(Source):
    name = "memory"

    def __init__(
        self,
        records: list[Standard] | None = None,
        base_url: str = "http://memory.invalid",
        *,
        raw_pages: dict[str, str] | None = None,
        per_page: int = 5,
        robots: str = "User-agent: *\nDisallow: /private/\n",
    ) -> None:
        super().__init__(base_url)
        self.records: dict[str, Standard] = {r.slug: r for r in records or []}
        self.raw_pages = dict(raw_pages or {})  # slug -> page text, served as is (for bad pages)
        self.per_page = per_page
        self.robots = robots
        self.requests: list[httpx.Request] = []

    # -- the Source contract -------------------------------------------------------
    def seeds(self) -> list[tuple[str, str]]:
        return [(f"{self.base_url}/list?page=1", "list")]

    def allowed_hosts(self) -> set[str]:
        return {urlsplit(self.base_url).netloc}

    def read_list(self, url: str, text: str) -> list[tuple[str, str]]:
        data = json.loads(text)
        links = [(u, "detail") for u in data["details"]]
        return links + ([(data["next"], "list")] if data.get("next") else [])

    def read_detail(self, url: str, text: str) -> Standard:
        try:
            record = Standard.from_dict(json.loads(text))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValidationError(f"trang không đọc được / unreadable page: {exc}", ["unreadable page"]) from None
        problems = validate(record)
        if problems:
            raise ValidationError(f"{record.number}: {'; '.join(problems)}", problems)
        return record

    def raw(self, url: str, text: str) -> dict[str, Any]:
        return {"text": text[:2000]}

    # -- serving -------------------------------------------------------------------
    def detail_url(self, slug: str) -> str:
        return f"{self.base_url}/item/{slug}"

    def _slugs(self) -> list[str]:
        return [*self.records, *(s for s in self.raw_pages if s not in self.records)]

    def _page(self, url: httpx.URL) -> str | None:
        if url.path == "/robots.txt":
            return self.robots
        if url.path == "/list":
            page = int(parse_qs(url.query.decode()).get("page", ["1"])[0])
            slugs = self._slugs()[(page - 1) * self.per_page : page * self.per_page]
            more = page * self.per_page < len(self._slugs())
            nxt = f"{self.base_url}/list?page={page + 1}" if more else None
            return json.dumps({"details": [self.detail_url(s) for s in slugs], "next": nxt})
        if url.path.startswith("/item/"):
            slug = url.path.removeprefix("/item/")
            if slug in self.raw_pages:
                return self.raw_pages[slug]
            if slug in self.records:
                return json.dumps(self.records[slug].to_dict(), ensure_ascii=False, sort_keys=True)
        return None

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        text = self._page(request.url)
        if text is None:
            return httpx.Response(404, text="not found")
        body = text.encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return httpx.Response(200, content=body, headers={"etag": etag, "content-type": "text/plain; charset=utf-8"})

    def transport(self) -> httpx.MockTransport:
        """The site, for ``Crawler.run(transport=source.transport())``."""
        return httpx.MockTransport(self.handle)

    def paths(self) -> list[str]:
        """Paths requested so far, in order."""
        return [r.url.path for r in self.requests]
