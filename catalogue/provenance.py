"""Provenance in words: what kind of source a record rests on, how far to trust it, where to see it.

Contracts:

* :func:`kind_of` maps a source's raw ``kind`` (the many spellings of the shared
  files, the crawler and the secretariat) to one of :data:`KINDS`.
* :func:`trust_of` gives the trust label of :data:`TRUSTS`: the source's own label
  when it has one, else the one PROVENANCE.md gives its kind.
* :func:`link_of` gives a public name and URL to show.  A repository source is
  named by its repository and linked to the repository's home: paths and commits
  stay in the JSON API, never in a page.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "KINDS",
    "TRUSTS",
    "citation_only",
    "confirmed_by",
    "describe",
    "kind_of",
    "link_of",
    "strongest",
    "trust_of",
]

KINDS = ("official_page", "legal_text", "decision", "list", "copy", "citation", "secretariat", "import")
TRUSTS = ("official", "semi-official", "secondary", "citation", "low", "secretariat")
TRUST_ORDER = {t: i for i, t in enumerate(("official", "secretariat", "semi-official", "secondary", "citation", "low"))}
_TRUST_WORDS = {
    "official": "official",
    "high": "official",
    "semi-official": "semi-official",
    "medium": "secondary",
    "secondary": "secondary",
    "citation": "citation",
    "low": "low",
}
_KIND_TRUST = {
    "official_page": "official",
    "legal_text": "official",
    "decision": "official",
    "list": "secondary",
    "copy": "secondary",
    "citation": "citation",
    "secretariat": "secretariat",
    "import": "secondary",
}
_REPO = re.compile(r"^(?:github:)?(?P<repo>[\w.-]+/[\w.-]+)@[0-9a-f]{7,40}:")


def kind_of(source: dict[str, Any]) -> str:
    kind = str(source.get("kind") or "").lower()
    ref = str(source.get("ref") or "")
    if "official vsqi" in kind or kind in ("official_catalogue", "official") or kind.startswith("crawl"):
        return "official_page"
    if "vsqi.gov.vn" in ref and "/view" in ref:
        return "official_page"
    if kind == "official_decision":
        return "decision"
    if kind.startswith(("legal_text", "phap_dien")):
        return "legal_text"
    if "citation" in kind:
        return "citation"
    if kind == "list":
        return "list"
    if kind.startswith("secretariat"):
        return "secretariat"
    if kind == "import":
        return "import"
    return "copy"  # mirrors, full-text copies, repository notes, news and Q&A articles


def trust_of(source: dict[str, Any]) -> str:
    own = _TRUST_WORDS.get(str(source.get("trust") or "").lower())
    return own or _KIND_TRUST[kind_of(source)]


def link_of(source: dict[str, Any]) -> tuple[str | None, str | None]:
    """(name to show, URL to link) for a source; ``(None, None)`` when it has neither."""
    ref = str(source.get("ref") or "")
    if ref.startswith(("http://", "https://")):
        host = urlsplit(ref).hostname or ""
        return host.removeprefix("www."), ref
    match = _REPO.match(ref)
    if match:
        repo = match.group("repo")
        return f"GitHub {repo}", f"https://github.com/{repo}"
    return None, None


def describe(source: dict[str, Any]) -> dict[str, Any]:
    """What a page shows of a source: kind, trust, name and link (no path, no raw field)."""
    name, url = link_of(source)
    return {"kind": kind_of(source), "trust": trust_of(source), "name": name, "url": url}


def strongest(sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The most trusted source (the first of equals), or ``None``."""
    if not sources:
        return None
    return min(sources, key=lambda s: TRUST_ORDER.get(trust_of(s), 99))


def citation_only(sources: list[dict[str, Any]]) -> bool:
    """Whether every source only cites the record (its title may be shortened)."""
    return bool(sources) and all(trust_of(s) in ("citation", "low") for s in sources)


def confirmed_by(sources: list[dict[str, Any]]) -> str | None:
    """``"<kind>|<site>"`` of the strongest source: what confirms an untitled record's number."""
    best = strongest(sources)
    if best is None:
        return None
    name, _ = link_of(best)
    return f"{kind_of(best)}|{name or ''}"
