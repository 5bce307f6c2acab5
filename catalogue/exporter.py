"""Export of the catalogue as JSONL (every field) or CSV (the documented columns).

Contracts:

* :func:`neutralise` is the one guard against spreadsheet formula injection
  (OWASP "CSV injection"), used by every CSV and XLSX export (search results,
  the audit log, the recommender's checklist): a cell beginning with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, so a
  spreadsheet shows it as text and never runs it.
* Downloads start with :data:`BOM` (``write_csv(..., bom=True)``), so Excel
  reads the UTF-8 text as UTF-8 rather than garbling Vietnamese.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from catalogue.model import Standard
from catalogue.store.database import Store

__all__ = ["BOM", "CSV_COLUMNS", "csv_row", "export", "neutralise", "write_csv"]

BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """``value`` as a cell text a spreadsheet will not run as a formula (see the module's contract)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


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


def write_csv(records: Iterable[Standard], out: TextIO, base_url: str = "", *, bom: bool = False) -> None:
    """The header and one row per record, every cell neutralised; ``bom`` for downloads."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([neutralise(cell) for cell in csv_row(record, base_url)])


def export(store: Store, fmt: str, out: TextIO) -> None:
    if fmt == "csv":
        write_csv(store.all(), out)
        return
    for record in store.all():
        data = record.to_dict()
        data.pop("version", None)
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
