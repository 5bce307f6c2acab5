"""Import from a JSONL or CSV file, with the crawler's validation and quarantine.

Columns / keys: ``number`` (required), ``title_vi``, ``title_en``, ``scope_vi``,
``status``, ``ics`` (comma- or semicolon-separated), ``replaces``, ``replaced_by``,
``equivalent``, ``degree``, ``technical_committee``, ``decision``,
``decision_date``, ``issue_date``, ``effective_date``, ``pages``, ``source``.
Rows are streamed: a large file is never held in memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from catalogue.errors import InvalidIdentifier, InvalidInput, ValidationError
from catalogue.identifiers import parse, parse_loose
from catalogue.model import STATUSES, Equivalence, Standard, validate
from catalogue.text import nfc

__all__ = ["FileSource", "row_to_standard"]


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[;,|]", str(value)) if v.strip()]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", nfc(str(value))).strip()
    return text or None


def row_to_standard(row: dict[str, Any], origin: str) -> Standard:
    """A validated record from one row; :class:`ValidationError` lists the problems."""
    if not isinstance(row, dict):
        raise ValidationError("dòng không phải đối tượng / row is not an object", ["row is not an object"])
    number = _text(row.get("number"))
    if not number:
        raise ValidationError("thiếu số hiệu / no number", ["no number"])
    try:
        number = parse(number).format()
    except InvalidIdentifier:
        ident = parse_loose(number)
        if ident is None or not ident.is_complete:
            raise ValidationError(f"số hiệu không hợp lệ / bad number {number[:60]!r}", ["bad number"]) from None
        number = ident.format()
    status = (_text(row.get("status")) or "unknown").lower()
    pages = _text(row.get("pages"))
    problems = []
    if status not in STATUSES:
        problems.append(f"tình trạng không hợp lệ / unknown status {status!r}")
    if pages and not pages.isdigit():
        problems.append(f"số trang không hợp lệ / pages must be a number: {pages!r}")
    equivalents = [Equivalence(e, _text(row.get("degree"))) for e in _list(row.get("equivalent"))]
    record = Standard(
        number=number,
        title_vi=_text(row.get("title_vi")),
        title_en=_text(row.get("title_en")),
        scope_vi=_text(row.get("scope_vi")),
        status=status if status in STATUSES else "unknown",
        status_basis="source" if status != "unknown" else None,
        replaces=_list(row.get("replaces")),
        replaced_by=_list(row.get("replaced_by")),
        ics=_list(row.get("ics")),
        equivalents=equivalents,
        technical_committee=_text(row.get("technical_committee")),
        decision=_text(row.get("decision")),
        decision_date=_text(row.get("decision_date")),
        issue_date=_text(row.get("issue_date")),
        effective_date=_text(row.get("effective_date")),
        pages=int(pages) if pages and pages.isdigit() else None,
        sources=[{"ref": _text(row.get("source")) or origin, "kind": "import"}],
    )
    problems += validate(record)
    if problems:
        raise ValidationError(f"{number}: {'; '.join(problems)}", problems)
    return record


class FileSource:
    """Rows of a JSONL or CSV file, read lazily.  Not an HTTP source: no frontier."""

    name = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() not in (".jsonl", ".csv"):
            raise InvalidInput("tệp phải là .jsonl hoặc .csv / the file must be .jsonl or .csv")
        if not self.path.is_file():
            raise InvalidInput(f"không tìm thấy tệp / no such file: {self.path}")

    def rows(self) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
        """``(origin, row or None, error or None)`` per line, streaming."""
        with self.path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            yield from iter_rows(fh, self.path.suffix.lower(), self.path.name)


def iter_rows(
    fh: TextIO | io.TextIOBase, kind: str, name: str
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    if kind == ".csv":
        reader = csv.DictReader(fh)
        for i, row in enumerate(reader, start=2):
            yield f"{name}:{i}", row, None
        return
    for i, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            yield f"{name}:{i}", json.loads(line), None
        except json.JSONDecodeError as exc:
            yield f"{name}:{i}", None, f"JSON không hợp lệ / invalid JSON: {exc.msg}"
