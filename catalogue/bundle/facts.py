"""Fields and facts quoted from real texts, applied to the records they name, each with its source.

* Field rows (``field``/``value``) fill an empty field of a held record (English
  titles, issuing circulars, committees, equivalents); drafting bodies, editions
  and reference bases go to ``extra``.  Two cited titles that conflict are both
  kept as a remark, and neither becomes the title.
* Fact rows (``fact``/``other``) become relations and status statements:
  ``replaces``/``replaced_by`` link the two numbers (a repealing circular is
  resolved to the one held regulation it issues), ``withdrawn`` and ``in_force``
  are statements, ``amended_by`` adds an amendment.  A fact about a TCXD/TCXDVN
  code only names it as a historic reference.
* ``trust: low`` facts are not applied; the record keeps them under
  ``extra["unconfirmed"]`` for the secretariat.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from catalogue.bundle.records import Gathered
from catalogue.bundle.rows import equivalence, ident_of, numbers, rows, text
from catalogue.editions import Statement
from catalogue.model import Standard, same_subject
from catalogue.provenance import trust_of

__all__ = ["FACT_FILES", "FIELD_FILES", "apply_facts", "apply_fields"]

FIELD_FILES = [
    "tcvn_enrichment_forewords.jsonl",
    "fields_fulltext_construction.jsonl",
    "fields_fulltext_construction_2.jsonl",
    "facts_fulltext_construction.jsonl",
]
FACT_FILES = ["status_facts.jsonl", "facts_fulltext_construction_2.jsonl"]
_SCALARS = {"title_en": "title_en", "title_vi": "title_vi", "issuing_instrument": "decision"}
_EXTRAS = ("compiled_by", "edition")
_CIRCULAR = re.compile(r"\d+/\d{4}/(?:TT|QĐ|QD)-[A-ZĐa-zđ]+")
_HISTORIC = re.compile(r"^\s*TCXD(?:VN)?\b", re.I)


def _source(row: dict[str, Any], file: str) -> dict[str, Any]:
    src = {"ref": row.get("source"), "kind": row.get("source_kind"), "trust": row.get("trust"), "file": file}
    for k in ("quote", "note", "field", "fact"):
        if text(row.get(k)):
            src[k] = text(row.get(k))
    return src


def _held(acc: Gathered, number: Any, row: dict[str, Any], file: str) -> tuple[str, dict[str, Any]] | None:
    """The record a row names; a complete number no record holds yet becomes one, titled by no one.

    Not for low-trust rows nor numbers the row itself calls a possible typo.
    """
    ident = ident_of(number)
    if ident is None or not ident.is_complete:
        return None
    if ident.key not in acc.entries:
        if row.get("trust") == "low" or "typo" in (row.get("note") or ""):
            return None
        acc.add(ident.key, ident.format(), {"extra": {"remarks": [{"code": "named_only"}]}})
    return ident.key, acc.entries[ident.key]


def apply_fields(src: Path, acc: Gathered) -> None:
    for file in FIELD_FILES:
        for row in rows(src / "standards" / file):
            conflict = row["field"] == "title_vi" and "CONFLICT" in (row.get("note") or "")
            held = _held(acc, row["number"], row, file)
            if held is None:
                acc.skipped.append(f"{file}: {row['number']!r} is not held; {row['field']} not applied")
                continue
            key, entry = held
            field, value, source = row["field"], text(row.get("value")), _source(row, file)
            fields: dict[str, Any] = {"sources": [source]}
            if conflict:
                other = re.search(r"another title: '(?:[^']*?[-–,]\s*)?(Quy chuẩn[^';]*)", row["note"])
                titles = [value, text(other.group(1)) if other else None]
                fields["extra"] = {"remarks": [{"code": "title_conflict", "titles": [t for t in titles if t]}]}
            elif field in _SCALARS:
                fields[_SCALARS[field]] = value
            elif field == "technical_committee":
                fields["technical_committee"] = value
            elif field == "equivalent_to":
                fields["equivalents"] = equivalence(value)
            elif field == "international_reference":
                fields["extra"] = {"international_reference": {"number": value, "basis": text(row.get("degree"))}}
            elif field in _EXTRAS:
                fields["extra"] = {field: value}
            else:
                acc.skipped.append(f"{file}: field {field!r} of {row['number']} is not read")
                continue
            acc.add(key, entry["number"], fields)


def _by_circular(acc: Gathered, subject: dict[str, Any], circular: str) -> str | None:
    """The one held record another than ``subject`` that ``circular`` issues (same subject when both are titled)."""
    found = [e for e in acc.entries.values() if circular in (e.get("decision") or "") and e is not subject]
    if len(found) != 1:
        return None
    a = Standard(number=subject["number"], title_vi=subject.get("title_vi"))
    b = Standard(number=found[0]["number"], title_vi=found[0].get("title_vi"))
    return b.number if not a.title_vi or same_subject(a, b) else None


def _fact(acc: Gathered, row: dict[str, Any], file: str) -> None:
    number, fact, other = row["number"], row["fact"], text(row.get("other"))
    source = _source(row, file)
    if _HISTORIC.match(number):
        acc.refer(text(number) or number, "historic", source)
        return
    held = _held(acc, number, row, file)
    if held is None:
        acc.skipped.append(f"{file}: {number!r} is not held; fact {fact!r} not applied")
        return
    key, entry = held
    if row.get("trust") == "low":
        note = {"fact": fact, "other": other, "ref": row.get("source"), "quote": text(row.get("quote"))}
        acc.add(key, entry["number"], {"extra": {"unconfirmed": [note]}})
        return
    trust, kind, quote, when = trust_of(source), row.get("source_kind"), text(row.get("quote")), row.get("date")
    ref = str(row.get("source"))
    linked = numbers(other) if other else []
    if fact in ("replaces", "replaced_by") and not linked and other:
        circular = _CIRCULAR.search(other)
        resolved = _by_circular(acc, entry, circular.group(0)) if circular else None
        linked = [resolved] if resolved else []
    fields: dict[str, Any] = {"sources": [source]}
    if fact == "replaces":
        if other and _HISTORIC.match(other):
            fields["extra"] = {"historic": [{"number": other, "relation": "replaces"}]}
        fields["replaces"] = linked
    elif fact == "replaced_by":
        fields["replaced_by"] = linked
        acc.state(key, Statement("replaced", ref, kind, trust, quote, when, linked[0] if linked else other))
    elif fact == "withdrawn":
        acc.state(key, Statement("withdrawn", ref, kind, trust, quote, when, other))
    elif fact == "in_force":
        acc.state(key, Statement("active", ref, kind, trust, quote, when))
    elif fact == "amended_by":
        label = re.match(r"(Sửa đổi\s*\d+\s*:\s*\d{4})", other or "")
        circular = _CIRCULAR.search(other or "")
        amendment: dict[str, Any] = {"amendment": re.sub(r"\s*:\s*", ":", label.group(1)) if label else None}
        if circular:
            amendment["instrument_candidates"] = [circular.group(0)]
        amendment["text"] = quote
        have = {a.get("amendment") for a in entry.get("amendments", []) if a.get("amendment")}
        if amendment["amendment"] is None or amendment["amendment"] not in have:
            fields["amendments"] = [amendment]
    else:
        acc.skipped.append(f"{file}: fact {fact!r} of {number} is not read")
        return
    acc.add(key, entry["number"], fields)


def apply_facts(src: Path, acc: Gathered) -> None:
    for file in FACT_FILES:
        for row in rows(src / "standards" / file):
            _fact(acc, row, file)
