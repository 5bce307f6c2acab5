"""Classification and trade files: ICS codes with the Vietnamese names seen, HS lines, product → QCVN rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalogue.bundle.rows import rows as _rows
from catalogue.text import nfc

__all__ = ["hs_rows", "ics_rows", "product_regulation_rows"]


def ics_rows(src: Path, vi_names: dict[str, str]) -> list[dict[str, Any]]:
    for row in _rows(src / "classification" / "ics_names_vi_observed.jsonl"):
        vi_names.setdefault(row["code"], nfc(row["name_vi_as_shown_on_vsqi"][0]))
    return [
        {
            "code": r["code"],
            "level": r["level"],
            "parent": r.get("parent_code"),
            "title_en": r["title_en"],
            "title_vi": vi_names.get(r["code"]),
            "scope_en": r.get("scope_en"),
        }
        for r in _rows(src / "classification" / "ics_codes.jsonl")
    ]


def hs_rows(src: Path) -> list[dict[str, Any]]:
    """Headings (4 digits) and eight-digit tariff lines (deduplicated) with quality measures.

    A line keeps its own description and its nearest sub-heading (``parent_vi``):
    "Loại khác" means nothing without them.  The heading text is kept once.
    """
    measures: dict[str, list[str]] = {}
    for row in _rows(src / "trade" / "hs_specialised_procedures.jsonl"):
        labels = [nfc(label) for label in row.get("quality_conformity_related") or []]
        if labels:
            measures[row["hs_code"]] = sorted(set(measures.get(row["hs_code"], []) + labels))
    headings: dict[str, dict[str, Any]] = {}
    lines: dict[str, dict[str, Any]] = {}

    def clean(text: str | None) -> str:
        return nfc(text or "").lstrip("- ").rstrip(":").strip()

    for row in _rows(src / "trade" / "hs_tariff_nomenclature.jsonl"):
        code = row.get("hs_code")
        if row.get("level") == 0 and code and len(code) == 4 and code not in headings:
            headings[code] = {"heading": code, "vi": clean(row["description_vi"]), "en": clean(row["description_en"])}
        if not row.get("is_tariff_line") or not code or code in lines:
            continue
        ancestors = row.get("ancestor_descriptions_vi") or []
        ancestors_en = row.get("ancestor_descriptions_en") or []
        lines[code] = {
            "code": code,
            "vi": clean(row["description_vi"]),
            "en": clean(row.get("description_en")),
            "parent_vi": clean(ancestors[-1]) if len(ancestors) > 1 else None,
            "parent_en": clean(ancestors_en[-1]) if len(ancestors_en) > 1 else None,
            "measures": measures.get(code, []),
        }
    return [headings[k] for k in sorted(headings)] + [lines[k] for k in sorted(lines)]


def product_regulation_rows(src: Path) -> list[dict[str, Any]]:
    keep = (
        "ministry_code",
        "product_vi",
        "product_en",
        "product_group_vi",
        "hs_codes",
        "qcvn",
        "legal_basis",
        "import_control",
        "related_tcvn",
        "trust",
        "note",
    )
    out = []
    for row in _rows(src / "products" / "product_qcvn_hs.jsonl"):
        item = {k: row[k] for k in keep if row.get(k)}
        item["source"] = row.get("source")
        item["source_kind"] = row.get("source_kind")
        out.append(item)
    return out
