"""The crawl-source seam.

A :class:`Source` knows one site: where to start, which URLs are list pages and
which are detail pages, and how to turn each into links or a record.  It does no
I/O: the crawler fetches, the source reads.  :class:`StaticSource` in
``indexer/sources/memory.py`` is the test double.

Contract of :meth:`Source.read_detail`: return a validated
:class:`~catalogue.model.Standard`, or raise
:class:`~catalogue.errors.ValidationError` whose ``problems`` say why (the crawler
quarantines the page with them); never raise anything else for page content.
"""

from __future__ import annotations

from typing import Any

from catalogue.model import Standard


class Source:
    name = "base"

    def __init__(self, base_url: str, **options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.options = options

    def seeds(self) -> list[tuple[str, str]]:
        """``[(url, "list" | "detail"), ...]`` to start from."""
        raise NotImplementedError

    def allowed_hosts(self) -> set[str]:
        raise NotImplementedError

    def read_list(self, url: str, text: str) -> list[tuple[str, str]]:
        """Links found on a list page, each with its kind."""
        raise NotImplementedError

    def read_detail(self, url: str, text: str) -> Standard:
        raise NotImplementedError

    def raw(self, url: str, text: str) -> dict[str, Any]:
        """What the page said, for the quarantine report."""
        return {}
