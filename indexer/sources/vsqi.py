"""The official catalogue: tieuchuan.vsqi.gov.vn and the construction portal tieuchuanxaydung.vsqi.gov.vn.

List pages: ``/tim-kiem?si=<keyword>&page=N`` (optionally ``ic[]=<ICS>``), linking
to detail pages ``/tieuchuan/view?sohieu=...`` and ``/quychuan/view?sohieu=...``.
Detail pages are read by label (:mod:`indexer.sources.page`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from catalogue.model import Standard
from indexer.sources.base import Source
from indexer.sources.page import read_detail, read_list, to_standard

PORTALS = {"tieuchuan.vsqi.gov.vn", "tieuchuanxaydung.vsqi.gov.vn"}


class VsqiSource(Source):
    name = "vsqi"

    def seeds(self) -> list[tuple[str, str]]:
        keywords = self.options.get("keywords") or ["TCVN", "QCVN"]
        return [(f"{self.base_url}/tim-kiem?{urlencode({'si': k, 'page': 1})}", "list") for k in keywords]

    def allowed_hosts(self) -> set[str]:
        return {urlsplit(self.base_url).netloc} | PORTALS

    def read_list(self, url: str, text: str) -> list[tuple[str, str]]:
        details, lists = read_list(url, text)
        return [(u, "detail") for u in details] + [(u, "list") for u in lists]

    def read_detail(self, url: str, text: str) -> Standard:
        return to_standard(read_detail(url, text), source_kind="official catalogue detail page (crawled)")

    def raw(self, url: str, text: str) -> dict[str, Any]:
        page = read_detail(url, text)
        return {"fields": page.fields, "raw": page.raw}
