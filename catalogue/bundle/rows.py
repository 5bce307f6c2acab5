"""Reading the shared source rows: text, numbers, dates, statuses and sources, as the files spell them.

Every helper is pure.  A value a source gives but that cannot be used (an
impossible date, an ICS code outside the ISO list) becomes a *remark*
(``{"code": ..., ...}``), which the detail page shows in the reader's language
and the JSON API shows as is; nothing is dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalogue.errors import InvalidIdentifier
from catalogue.identifiers import find_all, parse, parse_loose
from catalogue.model import DEGREES, Equivalence
from catalogue.text import nfc

__all__ = [
    "Remarks",
    "date",
    "equivalence",
    "ident_of",
    "numbers",
    "repo_ref",
    "rows",
    "sentence_case",
    "sources",
    "status_of",
    "text",
]

Remarks = list[dict[str, Any]]

_ACTIVE = re.compile(r"^(a\b|còn hiệu lực|đang có hiệu lực|active)", re.I)
_WITHDRAWN = re.compile(r"^(w\b|hết hiệu lực|ngưng hiệu lực|withdraw|replaced_or_repealed)", re.I)
_REPLACED = re.compile(r"^(replaced|đã được thay thế)", re.I)
_DRAFT = re.compile(r"^(draft|dự thảo)", re.I)


def rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = re.sub(r"\s+", " ", nfc(value)).strip()
    return value or None


def status_of(value: str | None) -> str | None:
    """A status text in a source row, as one of the model's statuses (``None``: not a status)."""
    if not value:
        return None
    value = value.strip()
    if _DRAFT.match(value):
        return "draft"
    if _ACTIVE.match(value) and "superseded" not in value:
        return "active"
    if _WITHDRAWN.match(value):
        return "withdrawn"
    if _REPLACED.match(value):
        return "replaced"
    return None


def ident_of(number: Any) -> Any:
    """The identifier of a number as a source prints it (``TCVN 9208: 2012`` included), or ``None``."""
    if not isinstance(number, str):
        return None
    try:
        return parse(number)
    except InvalidIdentifier:
        return parse_loose(number)


def numbers(values: Any) -> list[str]:
    """Relation lists hold strings such as ``"TCVN 7571-15:2006 (ISO 657-15:1980)"``; one string is a list of one."""
    if isinstance(values, str):
        values = [values]
    out = []
    for value in values or []:
        if not isinstance(value, str):
            continue
        try:
            out.append(parse(value).format())
            continue
        except InvalidIdentifier:
            pass
        out.extend(ident.format() for ident, _, _ in find_all(value) if ident.is_complete)
    return out


def repo_ref(value: Any) -> str | None:
    """``owner/repo@commit:path`` from a dict source or a string one."""
    if isinstance(value, dict) and "repo" in value:
        return "{repo}@{commit}:{path}".format(**value)
    if isinstance(value, str):
        return value
    return None


def sources(row: dict[str, Any], file: str) -> list[dict[str, Any]]:
    """Every source a row names, best first, each with its kind, trust, file and note."""
    srcs = row.get("source")
    kinds = row.get("source_kind")
    found: list[dict[str, Any]] = []
    if isinstance(srcs, list):
        kinds = kinds if isinstance(kinds, list) else [kinds] * len(srcs)
        for s, k in zip(srcs, kinds, strict=False):
            found.append({"ref": s, "kind": k})
    elif isinstance(srcs, dict):
        found.append({"ref": repo_ref(srcs) or srcs.get("url"), "kind": kinds})
    elif isinstance(srcs, str):
        found.append({"ref": srcs, "kind": kinds})
    for extra in [*(row.get("sources") or []), *(row.get("extra_sources") or [])]:
        ref = repo_ref(extra)
        if ref and all(f["ref"] != ref for f in found):
            found.append({"ref": ref, "kind": kinds if isinstance(kinds, str) else None})
    for url_key in ("source_url", "vsqi_url", "issuing_instrument_url"):
        if row.get(url_key):
            found.append({"ref": row[url_key], "kind": row.get("source_kind") or url_key})
    if not found:  # a transcription whose URL the source did not record
        found.append({"ref": row.get("source_portal") or file, "kind": kinds, "note": row.get("url_note")})
    note = text(row.get("note"))
    for i, f in enumerate(found):
        f["file"] = file
        if row.get("trust"):
            f["trust"] = row["trust"]
        if i == 0 and note:
            f["note"] = note
        if i == 0 and text(row.get("quote")):
            f["quote"] = text(row.get("quote"))
    return found


_DEGREE_WORDS = {"identical": "IDT", "hoàn toàn tương đương": "IDT", "modified": "MOD"}


def equivalence(value: Any, degree: Any = None) -> list[Equivalence]:
    """``ISO 8995-1:2002/Cor 1:2005 (identical, ...)`` → the number and its degree, when stated."""
    number = text(value)
    if not number:
        return []
    degree = (degree or "").upper() or None
    paren = re.search(r"\s*\(([^()]*)\)\s*$", number)
    if paren:
        words = paren.group(1).lower()
        degree = degree or next((d for w, d in _DEGREE_WORDS.items() if w in words), None)
        number = number[: paren.start()]
    return [Equivalence(number.rstrip(". "), degree if degree in DEGREES else None)]


def date(value: Any, remarks: Remarks, label: str) -> str | None:
    """An ISO date, or ``None`` with a remark keeping the source's value."""
    if not value:
        return None
    value = str(value)
    if (re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and "2000" <= value[:4] <= "2035") or re.fullmatch(
        r"(19[4-9]\d)-\d{2}-\d{2}", value
    ):
        return value
    remarks.append({"code": "date_in_source", "field": label, "value": value})
    return None


def sentence_case(title: str | None) -> str | None:
    """A title printed in capitals (a cover) in sentence case; other titles unchanged."""
    if not title or title != title.upper() or not any(c.isalpha() for c in title):
        return title
    return title[0] + title[1:].lower()
