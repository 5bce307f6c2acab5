"""A compliance checklist per product: the rows of the printable page, the CSV and the XLSX.

Contracts:

* :func:`build` turns a :class:`~catalogue.recommend.recommender.RecommendResult`
  into a :class:`Checklist`: a heading (product, HS code, catalogue date and
  coverage, the disclaimer) and rows in five sections, in this order —
  mandatory QCVN (current edition, the edition the legal text names, legal basis,
  issuing circular), sector-wide rules, QCVN that may also apply, voluntary TCVN,
  and the group-2 measures per HS line.
* The page, the CSV and the XLSX all print :attr:`Checklist.rows` with
  :data:`COLUMNS`: the same rows, in the same order, so a download holds what the
  page shows.
* Exports neutralise spreadsheet formulas: a cell starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return is written with a leading apostrophe.
* The XLSX is written by openpyxl; the CSV is UTF-8 with a byte-order mark so
  spreadsheet programs read the Vietnamese letters.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from catalogue.exporter import BOM, neutralise

__all__ = ["COLUMNS", "DISCLAIMER", "SECTIONS", "Checklist", "build", "neutralise", "to_csv", "to_xlsx"]

SECTIONS = {
    "mandatory": ("QCVN bắt buộc", "Mandatory QCVN"),
    "sector": ("Áp dụng cho mọi sản phẩm cùng lĩnh vực", "Sector-wide rules"),
    "may_apply": ("Có thể áp dụng", "May also apply"),
    "voluntary": ("Tiêu chuẩn tự nguyện (TCVN)", "Voluntary standards (TCVN)"),
    "hs": ("Biện pháp quản lý theo dòng HS", "Measures per HS line"),
}
COLUMNS = [
    ("section", "Mục", "Section"),
    ("number", "Số hiệu / mã HS", "Number / HS code"),
    ("title", "Tên", "Title"),
    ("current", "Bản hiện hành", "Current edition"),
    ("named", "Bản văn bản nêu", "Edition named by the legal text"),
    ("basis", "Căn cứ", "Basis"),
    ("circular", "Văn bản ban hành", "Issuing circular"),
    ("reason", "Lý do", "Reason"),
    ("done", "Đã đáp ứng", "Done"),
]
DISCLAIMER = (
    "Danh sách này do tieuchuan lập tự động từ danh mục công khai để tham khảo; đây không phải tư vấn pháp lý."
    " Hãy kiểm tra văn bản gốc và cơ quan quản lý trước khi công bố hợp quy.",
    "This checklist was compiled automatically by tieuchuan from public sources for reference; it is not legal"
    " advice. Check the original texts and the competent authority before declaring conformity.",
)


@dataclass
class Checklist:
    product: str
    hs: str | None
    lang: str
    outcome: str
    message: str | None
    catalogue_date: str | None
    coverage: str
    disclaimer: str
    rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        i = 1 if self.lang == "vi" else 2
        return [c[i] for c in COLUMNS]

    def table(self) -> list[list[str]]:
        """The rows as lists of cells, in :data:`COLUMNS` order."""
        return [[row.get(key, "") for key, _, _ in COLUMNS] for row in self.rows]

    @property
    def sections(self) -> list[tuple[str, str, list[tuple[dict[str, str], list[str]]]]]:
        """(key, label, [(row, cells)]) of each non-empty section, in order (for the page)."""
        i = 0 if self.lang == "vi" else 1
        table = self.table()
        out = []
        for k in SECTIONS:
            items = [(row, cells) for row, cells in zip(self.rows, table, strict=True) if row["key"] == k]
            if items:
                out.append((k, SECTIONS[k][i], items))
        return out


def _status(rec: Any, lang: str) -> str:
    from catalogue.model import STATUS_LABELS

    label = STATUS_LABELS.get(rec.status, (rec.status, rec.status))
    return f"{rec.number} ({label[0 if lang == 'vi' else 1]})"


def _row(key: str, rec: Any, lang: str) -> dict[str, Any]:
    """One row; ``vi_cells`` names the cells that stay Vietnamese on an English page (record text)."""
    vi = lang == "vi"
    english_basis = getattr(rec, "legal_basis_en", None)
    vi_cells = set() if vi else {k for k, v in (("title", rec.title_en), ("basis", english_basis)) if not v}
    return {
        "vi_cells": vi_cells,
        "key": key,
        "section": SECTIONS[key][0 if vi else 1],
        "number": rec.number,
        "title": (rec.title_vi or rec.title_en or "") if vi else (rec.title_en or rec.title_vi or ""),
        "current": _status(rec, lang),
        "named": ", ".join(rec.named),
        "basis": (rec.legal_basis if vi or not english_basis else english_basis) or "",
        "circular": rec.decision or "",
        "reason": rec.reason if vi else rec.reason_en,
        "done": "☐",
        "slug": rec.slug,
        "hs_lines": ", ".join(rec.hs),
    }


def build(result: Any, lang: str = "vi") -> Checklist:
    vi = lang == "vi"
    cov = result.coverage or {}
    coverage = (
        f"Danh mục có {cov.get('qcvn', '?')} trong khoảng {cov.get('qcvn_estimate', 800)} QCVN"
        if vi
        else f"The catalogue holds {cov.get('qcvn', '?')} of about {cov.get('qcvn_estimate', 800)} QCVN"
    )
    message = result.message
    if message and " / " in message:
        message = message.split(" / ", 1)[0] if vi else (result.message_en or message.split(" / ", 1)[1])
    out = Checklist(
        product=result.product,
        hs=result.hs,
        lang=lang,
        outcome=result.outcome,
        message=message,
        catalogue_date=cov.get("catalogue_date"),
        coverage=coverage,
        disclaimer=DISCLAIMER[0 if vi else 1],
    )
    qcvn = [r for r in result.recommendations if r.kind == "QCVN"]
    out.rows += [_row("mandatory", r, lang) for r in qcvn if r.mandatory]
    for sector in result.sector_rules:
        for r in sector.items:
            row = _row("sector", r, lang)
            row["reason"] = f"{sector.why if vi else sector.why_en}; {row['reason']}"
            out.rows.append(row)
    out.rows += [_row("may_apply", r, lang) for r in qcvn if not r.mandatory]
    out.rows += [_row("voluntary", r, lang) for r in result.recommendations if r.kind != "QCVN"]
    for line in result.hs_lines:
        measures = line.get("measures_vi" if vi else "measures_en") or line.get("measures") or []
        raw = line.get("measures") or []
        out.rows.append(
            {
                "vi_cells": set()
                if vi
                else {
                    k
                    for k, stays in (("title", not line.get("description_en")), ("basis", set(measures) & set(raw)))
                    if stays
                },
                "key": "hs",
                "section": SECTIONS["hs"][0 if vi else 1],
                "number": line["code"],
                "title": line["description_vi"] if vi else (line.get("description_en") or line["description_vi"]),
                "current": "",
                "named": "",
                "basis": "; ".join(measures) or ("không có biện pháp chất lượng" if vi else "no quality measure"),
                "circular": "",
                "reason": line.get("heading_vi", "") if vi else "",
                "done": "☐",
                "slug": "",
                "hs_lines": "",
            }
        )
    return out


def _meta(checklist: Checklist) -> list[list[str]]:
    vi = checklist.lang == "vi"
    rows = [
        ["Sản phẩm" if vi else "Product", checklist.product or ""],
        ["Mã HS" if vi else "HS code", checklist.hs or ""],
        ["Ngày danh mục" if vi else "Catalogue date", checklist.catalogue_date or ""],
        ["Phạm vi" if vi else "Coverage", checklist.coverage],
    ]
    if checklist.message:
        rows.append(["Kết luận" if vi else "Outcome", checklist.message])
    rows.append(["Lưu ý" if vi else "Disclaimer", checklist.disclaimer])
    return rows


def to_csv(checklist: Checklist) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    for meta in _meta(checklist):
        writer.writerow([neutralise(c) for c in meta])
    writer.writerow([])
    writer.writerow(checklist.headers)
    for cells in checklist.table():
        writer.writerow([neutralise(c) for c in cells])
    return out.getvalue()


def to_xlsx(checklist: Checklist) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Checklist"
    for meta in _meta(checklist):
        ws.append([neutralise(c) for c in meta])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    ws.append(checklist.headers)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for cells in checklist.table():
        ws.append([neutralise(c) for c in cells])
    widths = [16, 22, 48, 26, 22, 48, 22, 60, 10]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of a checklist workbook: what tests compare with the page."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True).active
    rows = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] in (COLUMNS[0][1], COLUMNS[0][2]))
    return rows[start], [r for r in rows[start + 1 :] if any(r)]
