"""TCVN rows of ``standards/``: catalogue pages, records, lists and citations, merged on the normalised number.

Files are read most trusted first (:data:`FILES`), so a field keeps the first
value a trusted source gives; every row adds its sources.  Rules the shared data
sets (PROVENANCE.md):

* TCXD / TCXDVN codes are not TCVN: they become references (``historic``), and a
  TCVN that replaces one names it in ``extra["historic"]``.
* ``trust: low`` rows and numbers flagged ``NUMBER_SUSPECT`` become references to
  confirm; they are not records.
* Multi-part rows are expanded only as far as they state their parts
  (:mod:`catalogue.bundle.parts`).
* A status a non-official row gives is a :class:`~catalogue.editions.Statement`;
  only the catalogue pages give an ``official`` status.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from catalogue.bundle.parts import expand
from catalogue.bundle.records import Gathered
from catalogue.bundle.rows import (
    Remarks,
    date,
    equivalence,
    ident_of,
    numbers,
    rows,
    sentence_case,
    sources,
    status_of,
    text,
)
from catalogue.editions import Statement
from catalogue.provenance import trust_of

__all__ = ["FILES", "load_tcvn"]

OFFICIAL_FILE = "tcvn_catalogue_pages.jsonl"
LUBRICANTS = "tcvn_astm_equivalence_lubricants.jsonl"
FILES = [
    OFFICIAL_FILE,
    "tcvn_key_records.jsonl",
    "tcvn_more_records.jsonl",
    "tcvn_records.jsonl",
    "tcvn_mirror_records.jsonl",
    "tcvn_untitled.jsonl",
    LUBRICANTS,
    # Added 2026-12-01, most trusted first
    "tcvn_list_bxd_metro_2026.jsonl",
    "tcvn_list_construction_public630.jsonl",
    "tcvn_fulltext_construction_2.jsonl",
    "tcvn_fulltext_construction.jsonl",
    "tcvn_citations_legal_qa.jsonl",
    "tcvn_citations_fulltext.jsonl",
]
_HISTORIC = re.compile(r"^\s*TCXD(?:VN)?\b", re.I)


def _ics(row: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    raw = [i["code"] if isinstance(i, dict) else i for i in row.get("ics") or []]
    codes = [c for c in (str(i).strip() for i in raw) if re.fullmatch(r"\d{2}(\.\d{3}(\.\d{2})?)?", c)]
    names = {i["code"]: i["name_vi"] for i in row.get("ics") or [] if isinstance(i, dict) and i.get("name_vi")}
    return codes, names


def _remarks(row: dict[str, Any]) -> Remarks:
    remarks: Remarks = []
    note = row.get("note") or ""
    if "TITLE PARTIAL" in note:
        remarks.append({"code": "title_partial"})
    if row.get("flag") == "OCR_TYPOS":
        remarks.append({"code": "ocr_typos"})
    if row.get("dd_raw"):
        remarks.append({"code": "date_shown", "field": "decision_date", "value": row["dd_raw"]})
    if "two digits" in note:
        remarks.append({"code": "two_digit_year"})
    return remarks


def _historic(values: Any) -> list[dict[str, Any]]:
    values = [values] if isinstance(values, str) else values or []
    return [{"number": text(v), "relation": "replaces"} for v in values if isinstance(v, str) and _HISTORIC.match(v)]


def _fields(row: dict[str, Any], file: str, srcs: list[dict[str, Any]], remarks: Remarks) -> dict[str, Any]:
    ics, ics_vi = _ics(row)
    degree = row.get("equivalence_degree")
    fields: dict[str, Any] = {
        "title_vi": sentence_case(text(row.get("title_vi"))),
        "title_en": text(row.get("title_en")),
        "scope_vi": text(row.get("scope_vi")),
        "replaces": numbers(row.get("replaces")),
        "replaced_by": numbers(row.get("replaced_by")),
        "ics": ics,
        "ics_vi": ics_vi,
        "equivalents": equivalence(row.get("equivalent_to"), degree),
        "technical_committee": text(row.get("technical_committee")),
        "decision": text(row.get("decision_number") or row.get("decision")),
        "decision_date": date(row.get("decision_date"), remarks, "decision_date"),
        "issue_date": date(row.get("issue_date"), remarks, "issue_date"),
        "effective_date": date(row.get("effective_date"), remarks, "effective_date"),
        "pages": row.get("pages") if isinstance(row.get("pages"), int) else None,
        "sources": srcs,
        "extra": {"remarks": remarks, "historic": _historic(row.get("replaces"))},
    }
    if "trust low for that field" in (row.get("note") or "") and fields["replaces"]:
        # the replacement comes from a repository's own note, not the foreword: kept for the secretariat
        unconfirmed = [{"fact": "replaces", "other": n, "ref": srcs[0]["ref"]} for n in fields["replaces"]]
        fields["extra"]["unconfirmed"] = unconfirmed
        fields["replaces"] = []
    if file == LUBRICANTS:
        fields["title_vi"] = None  # subject_vi names the property tested, not the title
        fields["extra"]["subject_vi"] = text(row.get("subject_vi"))
    if row.get("list_section"):
        fields["extra"]["lists"] = [{"section": row["list_section"], "row": row.get("list_stt"), "file": file}]
    return fields


def _state(acc: Gathered, key: str, row: dict[str, Any], file: str, fields: dict[str, Any]) -> None:
    """A status the row gives: official on the catalogue pages, else a statement."""
    raw = row.get("status_text") or row.get("status") or row.get("status_code") or row.get("status_claimed")
    status = status_of(raw)
    first = fields["sources"][0]
    if status and file == OFFICIAL_FILE:
        entry = acc.entries[key]
        if entry.get("status_basis") != "official":
            entry.update(status=status, status_basis="official", status_reason={"ref": first["ref"]})
    elif status:
        acc.state(key, Statement(status, str(first["ref"]), first.get("kind"), trust_of(first), said=text(raw)))
    if fields["replaced_by"] and file != OFFICIAL_FILE:
        acc.state(
            key,
            Statement(
                "replaced", str(first["ref"]), first.get("kind"), trust_of(first), other=fields["replaced_by"][0]
            ),
        )


def _split_equivalents(value: Any, count: int) -> list[Any]:
    pieces = [p.strip() for p in value.split(";")] if isinstance(value, str) and ";" in value else []
    return pieces if len(pieces) == count else [None if pieces else value] * count


def _lubricant_sources(row: dict[str, Any], file: str) -> list[dict[str, Any]]:
    """The lubricant rows come from a web project's code; its link to the official page was not transcribed."""
    found = [{"ref": f"index id {row.get('source_repo_file_id')}", "kind": "copy", "trust": "secondary", "file": file}]
    if row.get("vsqi_url"):
        found.append({"ref": row["vsqi_url"], "kind": "link to the official page", "trust": "secondary", "file": file})
    return found


def _one_row(acc: Gathered, row: dict[str, Any], file: str) -> None:
    number = row.get("standard_number") or row.get("number")
    if not number:
        return  # lubricant rows stating that no TCVN exists
    srcs = _lubricant_sources(row, file) if file == LUBRICANTS else sources(row, file)
    if _HISTORIC.match(number) or row.get("kind") in ("TCXD", "TCXDVN"):
        acc.refer(text(number) or number, "historic", srcs[0], title_vi=text(row.get("title_vi")))
        return
    if (row.get("trust") == "low" and file not in FILES[:7]) or row.get("flag") == "NUMBER_SUSPECT":
        acc.refer(text(number) or number, "to_confirm", srcs[0], title_vi=text(row.get("title_vi")))
        return
    targets: list[tuple[str, str | None, bool, Any]] = []
    if row.get("compound"):
        parts = expand(number, text(row.get("title_vi")), row.get("parts_note"))
        if parts is None:
            acc.skipped.append(f"{file}: {number!r} lists parts this builder cannot read; not expanded")
            return
        equivalents = _split_equivalents(row.get("equivalent_to"), len(parts))
        targets = [(n, t, partial, eq) for (n, t, partial), eq in zip(parts, equivalents, strict=True)]
    else:
        targets = [(number, text(row.get("title_vi")), False, row.get("equivalent_to"))]
    for part_number, title, partial, equivalent in targets:
        ident = ident_of(part_number)
        if ident is not None and ident.kind == "QCVN" and ident.is_complete:
            pass  # a regulation's own cover read beside standards (QCVN 16:2023/BXD)
        elif ident is None or ident.kind != "TCVN" or not ident.year:
            acc.skipped.append(f"{file}: {part_number!r} is not a complete TCVN number")
            continue
        remarks = _remarks(row)
        if row.get("compound"):
            remarks.append({"code": "expanded_from_row", "printed": number})
        if partial and {"code": "title_partial"} not in remarks:
            remarks.append({"code": "title_partial"})
        fields = _fields(
            {**row, "title_vi": title, "equivalent_to": equivalent}, file, [dict(s) for s in srcs], remarks
        )
        acc.add(ident.key, ident.format(), fields)
        _state(acc, ident.key, row, file, fields)


def load_tcvn(src: Path, acc: Gathered) -> None:
    for file in FILES:
        for row in rows(src / "standards" / file):
            _one_row(acc, row, file)
