"""The official catalogue: tieuchuan.vsqi.gov.vn and the construction portal tieuchuanxaydung.vsqi.gov.vn.

List pages: ``/tim-kiem?si=<keyword>&page=N`` (optionally ``ic[]=<ICS>``), linking
to detail pages ``/tieuchuan/view?sohieu=...`` and ``/quychuan/view?sohieu=...``.
``si=1`` pages through the whole catalogue (SITE_STRUCTURE.md: at least 474
pages); with no keywords that is what is crawled.  Detail pages, TCVN and QCVN
alike, are read by label (:mod:`indexer.sources.page`).

Contracts of the list walk:

* Every URL is canonical before the frontier sees it: a detail page is
  ``?sohieu=<number>`` with the number's spaces and NBSPs collapsed and encoded one
  way, on the base URL's scheme; a list page is ``?si=…&page=N`` (ICS filters
  sorted).  One page is therefore fetched once, however the site spells its links.
* A list page's pagination links are followed when they belong to the same search.
  A list page with results but no pagination at all (a script-driven pager) makes
  the walk try page N+1.  A page with no results ends the walk, and so does a page
  listing exactly what the page before it listed (a site that repeats its last page).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from catalogue.model import Standard
from catalogue.text import nfc
from indexer.sources.base import Source
from indexer.sources.page import read_detail, read_list, to_standard

__all__ = ["PORTALS", "WHOLE_CATALOGUE", "VsqiSource"]

PORTALS = {"tieuchuan.vsqi.gov.vn", "tieuchuanxaydung.vsqi.gov.vn"}
WHOLE_CATALOGUE = "1"  # tim-kiem?si=1 lists every record


class VsqiSource(Source):
    name = "vsqi"

    def __init__(self, base_url: str, **options: Any) -> None:
        super().__init__(base_url, **options)
        base = urlsplit(self.base_url)
        self._scheme, self._host = base.scheme or "https", base.netloc
        self._last_listed: dict[tuple[str, ...], tuple[int, str]] = {}  # search -> (page, digest of its links)

    # -- URLs ------------------------------------------------------------------------------------
    def seeds(self) -> list[tuple[str, str]]:
        keywords = self.options.get("keywords") or [WHOLE_CATALOGUE]
        return [(self._list_url((self._scheme, self._host, "/tim-kiem", str(k)), 1), "list") for k in keywords]

    def allowed_hosts(self) -> set[str]:
        return {self._host} | PORTALS

    def _scheme_of(self, netloc: str, scheme: str) -> str:
        return self._scheme if netloc == self._host else scheme or "https"

    def canonical_detail(self, url: str) -> str:
        """``…/tieuchuan/view?sohieu=TCVN+7413%3A2004`` for every spelling of that link."""
        parts = urlsplit(url)
        sohieu = next((v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == "sohieu"), None)
        if sohieu is None:
            return url
        number = " ".join(nfc(sohieu).split())
        return urlunsplit(
            (self._scheme_of(parts.netloc, parts.scheme), parts.netloc, parts.path, "sohieu=" + quote_plus(number), "")
        )

    def _search_of(self, url: str) -> tuple[tuple[str, ...], int] | None:
        """(the search a list URL belongs to, its page number)."""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        si = next((v for k, v in query if k == "si"), None)
        page = next((v for k, v in query if k == "page"), "1").strip()
        if si is None or not page.isdigit() or int(page) < 1:
            return None
        ics = tuple(sorted(v for k, v in query if k in ("ic[]", "ic")))
        return (self._scheme_of(parts.netloc, parts.scheme), parts.netloc, parts.path, si.strip(), *ics), int(page)

    @staticmethod
    def _list_url(search: tuple[str, ...], page: int) -> str:
        scheme, netloc, path, si, *ics = search
        query = urlencode([("si", si), ("page", page), *(("ic[]", c) for c in ics)])
        return urlunsplit((scheme, netloc, path, query, ""))

    # -- reading ---------------------------------------------------------------------------------
    def read_list(self, url: str, text: str) -> list[tuple[str, str]]:
        details, lists = read_list(url, text)
        found = [(u, "detail") for u in dict.fromkeys(self.canonical_detail(d) for d in details)]
        here = self._search_of(url)
        if here is None:
            return found
        search, page = here
        pager = []
        for link in lists:
            there = self._search_of(link)
            if there is not None and there[0] == search and there[1] != page:
                pager.append(self._list_url(*there))
        digest = hashlib.sha1("\n".join(u for u, _ in found).encode()).hexdigest()
        previous = self._last_listed.get(search)
        self._last_listed[search] = (page, digest)
        repeated = previous == (page - 1, digest)
        if found and not pager and not repeated:
            pager.append(self._list_url(search, page + 1))  # no pager in the markup: try the next page
        return ([] if repeated else found) + [(u, "list") for u in dict.fromkeys(pager)]

    def read_detail(self, url: str, text: str) -> Standard:
        return to_standard(read_detail(url, text), source_kind="official catalogue detail page (crawled)")

    def raw(self, url: str, text: str) -> dict[str, Any]:
        page = read_detail(url, text)
        return {"fields": page.fields, "raw": page.raw}
