"""What the catalogue holds, against what exists, and what the secretariat still has to check.

Contracts:

* :data:`TCVN_IN_FORCE` and :data:`QCVN_ISSUED` are the published totals the
  pages compare the holdings with (SITE_STRUCTURE.md: 11,651 TCVN in force per the
  STAMEQ information centre, cited by irdop.org; 804 QCVN by end-2024, cited by
  extendmax.vn).  They are "about" figures and are shown as such.
* :func:`official_search_url` is the official catalogue's search for the same words
  (``https://tieuchuan.vsqi.gov.vn/tim-kiem?si=<words>``).
* :func:`problems` lists a record's data-quality problems (:data:`PROBLEMS`), and
  :func:`figures` counts holdings by kind, ministry, ICS field, status basis and
  problem, for the secretariat's quality page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from catalogue import provenance
from catalogue.model import Standard

__all__ = ["PROBLEMS", "QCVN_ISSUED", "TCVN_IN_FORCE", "figures", "official_search_url", "problems"]

TCVN_IN_FORCE = 11_650
QCVN_ISSUED = 800
OFFICIAL_SEARCH = "https://tieuchuan.vsqi.gov.vn/tim-kiem"
PROBLEMS = ("unknown_status", "no_title", "no_ics", "citation_only")


def official_search_url(words: str = "") -> str:
    words = " ".join(words.split())[:200]
    return f"{OFFICIAL_SEARCH}?{urlencode({'si': words})}" if words else OFFICIAL_SEARCH


def problems(record: Standard) -> list[str]:
    """The record's problems, in the order of :data:`PROBLEMS`."""
    found = []
    if record.status == "unknown":
        found.append("unknown_status")
    if not (record.title_vi or record.title_en):
        found.append("no_title")
    if not record.ics:
        found.append("no_ics")
    if provenance.citation_only(record.sources):
        found.append("citation_only")
    return found


def figures(records: Iterable[Standard]) -> dict[str, Any]:
    """Counts for the quality page: ``kind``, ``ministry``, ``ics_field``, ``basis``, ``problem`` (each a dict)."""
    kind: Counter[str] = Counter()
    ministry: Counter[str] = Counter()
    field: Counter[str] = Counter()
    basis: Counter[str] = Counter()
    problem: Counter[str] = Counter()
    for r in records:
        kind[r.kind] += 1
        if r.kind == "QCVN":
            ministry[r.ministry or "?"] += 1
        for code in sorted({c.split(".")[0] for c in r.ics}) or ["—"]:
            field[code] += 1
        basis[r.status_basis] += 1
        problem.update(problems(r))
    return {
        "kind": dict(kind.most_common()),
        "ministry": dict(ministry.most_common()),
        "ics_field": dict(sorted(field.items())),
        "basis": {b: basis.get(b, 0) for b in ("official", "stated", "presumed", "unknown")},
        "problem": {p: problem.get(p, 0) for p in PROBLEMS},
        "in_force": {"TCVN": TCVN_IN_FORCE, "QCVN": QCVN_ISSUED},
    }
