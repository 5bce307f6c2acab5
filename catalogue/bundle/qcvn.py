"""QCVN rows of ``standards/``: the codified regulations, the construction full texts and the 2026 draft.

* ``qcvn_records.jsonl`` comes first (most rows are the issuing article of a
  codified circular), then the construction full texts, then the draft folder.
* A draft (``status`` starting with "draft") is stated as ``draft``: it is never
  shown as in force.
* ``trust: low`` rows of the new files become references to confirm; ``qcvn_untitled_citations``
  only references (numbers to link, never records with a title).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalogue.bundle.records import Gathered
from catalogue.bundle.rows import date, ident_of, numbers, rows, sentence_case, sources, status_of, text
from catalogue.editions import Statement
from catalogue.provenance import trust_of

__all__ = ["FILES", "load_qcvn"]

FILES = ["qcvn_records.jsonl", "qcvn_fulltext_construction.jsonl", "qcvn_draft_bxd_2026.jsonl"]
UNTITLED = "qcvn_untitled_citations.jsonl"
_EXTRA = (
    "ministry_name_vi",
    "issuing_instrument_type",
    "issuing_instrument_title",
    "products",
    "hs_codes",
    "related_tcvn",
    "trust",
    "title_basis",
)


def _fields(row: dict[str, Any], file: str) -> dict[str, Any]:
    remarks: list[dict[str, Any]] = []
    status_text = row.get("status") or ""
    if status_text and status_of(status_text) is None:
        remarks.append({"code": "status_in_source", "value": text(status_text)})
    amendments = [
        {k: v for k, v in a.items() if k in ("amendment", "instrument_candidates", "text")}
        for a in row.get("amendments") or []
    ]
    extra = {k: row[k] for k in _EXTRA if row.get(k)}
    if file != "qcvn_records.jsonl" and text(row.get("ministry")) and len(row["ministry"]) > 6:
        extra["ministry_name_vi"] = text(row["ministry"])  # the full texts give the ministry's name
    if "note" in row and "effective_date only" in (row.get("note") or ""):
        remarks.append({"code": "effective_date_front_matter"})
    extra["remarks"] = remarks
    title = text(row.get("title_vi_alt")) if row.get("title_vi") == (row.get("title_vi") or "").upper() else None
    return {
        "title_vi": title or sentence_case(text(row.get("title_vi"))),
        "title_en": text(row.get("title_en")),
        "replaces": numbers(row.get("replaces")),
        "replaced_by": numbers(row.get("replaced_by")),
        "amendments": amendments,
        "decision": text(row.get("issuing_instrument")),
        "issue_date": date(row.get("issue_date"), remarks, "issue_date"),
        "effective_date": date(row.get("effective_date"), remarks, "effective_date"),
        "sources": sources(row, file),
        "extra": extra,
    }


def load_qcvn(src: Path, acc: Gathered) -> None:
    for file in FILES:
        for row in rows(src / "standards" / file):
            number = row.get("regulation_number") or row.get("number")
            ident = ident_of(number)
            if ident is None or ident.kind != "QCVN" or not ident.is_complete:
                # QCXDVN codes and "QCVN QTĐ" numbers are real but outside this catalogue's numbering
                acc.refer(
                    text(number) or str(number), "cited", sources(row, file)[0], title_vi=text(row.get("title_vi"))
                )
                continue
            fields = _fields(row, file)
            first = fields["sources"][0]
            if row.get("trust") == "low" and file != "qcvn_records.jsonl":
                acc.refer(ident.format(), "to_confirm", first, title_vi=fields["title_vi"])
                continue
            acc.add(ident.key, ident.format(), fields)
            status = status_of(row.get("status"))
            if status:
                said = text(row.get("status"))
                acc.state(
                    ident.key, Statement(status, str(first["ref"]), first.get("kind"), trust_of(first), said=said)
                )
            if fields["replaced_by"]:
                other = fields["replaced_by"][0]
                acc.state(
                    ident.key, Statement("replaced", str(first["ref"]), first.get("kind"), trust_of(first), other=other)
                )
    for row in rows(src / "standards" / UNTITLED):
        ident = ident_of(row.get("number"))
        if ident is not None and not acc.has(ident.key):
            acc.refer(ident.format(), "cited", sources(row, UNTITLED)[0])
