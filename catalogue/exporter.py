"""Export of the catalogue as JSONL (every field) or CSV (the documented columns)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from catalogue.model import Standard
from catalogue.store.database import Store

__all__ = ["CSV_COLUMNS", "csv_row", "export", "write_csv"]

CSV_COLUMNS = [
    "number",
    "kind",
    "year",
    "title_vi",
    "title_en",
    "status",
    "status_basis",
    "ics",
    "equivalents",
    "replaces",
    "replaced_by",
    "decision",
    "decision_date",
    "pages",
    "url",
]


def csv_row(record: Standard, base_url: str = "") -> list[str]:
    return [
        record.number,
        record.kind,
        str(record.year or ""),
        record.title_vi or "",
        record.title_en or "",
        record.status,
        record.status_basis or "",
        ";".join(record.ics),
        ";".join(e.number + (f" ({e.degree})" if e.degree else "") for e in record.equivalents),
        ";".join(record.replaces),
        ";".join(record.replaced_by),
        record.decision or "",
        record.decision_date or "",
        str(record.pages or ""),
        f"{base_url}/standards/{record.slug}",
    ]


def write_csv(records: Iterable[Standard], out: TextIO, base_url: str = "") -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow(csv_row(record, base_url))


def export(store: Store, fmt: str, out: TextIO) -> None:
    if fmt == "csv":
        write_csv(store.all(), out)
        return
    for record in store.all():
        data = record.to_dict()
        data.pop("version", None)
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
