"""Import from a JSONL or CSV file, with the crawler's validation and quarantine.

Columns / keys: ``number`` (required), ``title_vi``, ``title_en``, ``scope_vi``,
``status``, ``ics`` (comma- or semicolon-separated), ``replaces``, ``replaced_by``,
``equivalent``, ``degree``, ``technical_committee``, ``decision``,
``decision_date``, ``issue_date``, ``effective_date``, ``pages``, ``source``.
``status`` takes the code (``active``, ``withdrawn``, ``replaced``, ``draft``,
``unknown``) or its label in either language, as the site shows it (``Còn hiệu
lực``, ``Hết hiệu lực``, ``Đã bị thay thế`` or ``Bị thay thế``, ``Dự thảo``,
``Chưa rõ``; case and diacritics do not matter): :data:`STATUS_WORDS`.
``withdrawn_by`` and ``withdrawn_date`` name the withdrawal decision.
Rows are streamed: a large file is never held in memory.  A row's origin is
``name:line``, ``name`` being the file's own name (an upload's real name, not
where it was kept).

Bounds: a JSONL line over :data:`MAX_LINE` characters, a field over
:data:`MAX_FIELD` characters, JSON nested too deeply for the parser and an
unreadable CSV row are each one bad row, with its reason; the rows after it are
still read.
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
from catalogue.model import STATUS_LABELS, STATUSES, Equivalence, Standard, validate
from catalogue.text import fold, nfc

__all__ = ["COLUMNS", "MAX_FIELD", "MAX_LINE", "STATUS_WORDS", "FileSource", "row_to_standard", "status_code"]

# the columns a file may have, in the template's order (the import page offers it with this header row)
COLUMNS = (
    "number",
    "title_vi",
    "title_en",
    "scope_vi",
    "status",
    "ics",
    "replaces",
    "replaced_by",
    "equivalent",
    "degree",
    "technical_committee",
    "decision",
    "decision_date",
    "issue_date",
    "effective_date",
    "withdrawn_by",
    "withdrawn_date",
    "pages",
    "source",
)


def _key(text: str) -> str:
    return " ".join(fold(nfc(text)).lower().split())


# a status as a file may write it: the code, or the site's label in either language (folded), to the code
STATUS_WORDS = {
    **{_key(code): code for code in STATUSES},
    **{_key(label): code for code, labels in STATUS_LABELS.items() for label in labels},
    _key("Bị thay thế"): "replaced",
}


def status_code(value: Any) -> str | None:
    """The status code a cell names (see :data:`STATUS_WORDS`); ``"unknown"`` for an empty cell, else ``None``."""
    text = _text(value)
    if text is None:
        return "unknown"
    return STATUS_WORDS.get(_key(text))


MAX_LINE = 1 << 20  # characters in one JSONL line
MAX_FIELD = 20_000  # characters in one field; the longest real scope is far shorter


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
    given = status_code(row.get("status"))
    status = given or "unknown"
    pages = _text(row.get("pages"))
    problems = []
    if given is None:
        problems.append(f"tình trạng không hợp lệ / unknown status {_text(row.get('status'))!r}")
    if pages and not pages.isdigit():
        problems.append(f"số trang không hợp lệ / pages must be a number: {pages!r}")
    equivalents = [Equivalence(e, _text(row.get("degree"))) for e in _list(row.get("equivalent"))]
    record = Standard(
        number=number,
        title_vi=_text(row.get("title_vi")),
        title_en=_text(row.get("title_en")),
        scope_vi=_text(row.get("scope_vi")),
        status=status,
        status_basis="stated" if status != "unknown" else None,
        replaces=_list(row.get("replaces")),
        replaced_by=_list(row.get("replaced_by")),
        ics=_list(row.get("ics")),
        equivalents=equivalents,
        technical_committee=_text(row.get("technical_committee")),
        decision=_text(row.get("decision")),
        decision_date=_text(row.get("decision_date")),
        issue_date=_text(row.get("issue_date")),
        effective_date=_text(row.get("effective_date")),
        withdrawn_by=_text(row.get("withdrawn_by")),
        withdrawn_date=_text(row.get("withdrawn_date")),
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

    def __init__(self, path: str | Path, name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or self.path.name  # what origins call the file (an upload's real name)
        if self.path.suffix.lower() not in (".jsonl", ".csv"):
            raise InvalidInput("tệp phải là .jsonl hoặc .csv / the file must be .jsonl or .csv")
        if not self.path.is_file():
            raise InvalidInput(f"không tìm thấy tệp / no such file: {self.path}")

    def rows(self) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
        """``(origin, row or None, error or None)`` per line, streaming."""
        with self.path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            yield from iter_rows(fh, self.path.suffix.lower(), self.name)


def _too_long(row: Any) -> str | None:
    if not isinstance(row, dict):
        return None
    for key, value in row.items():
        size = len(value) if isinstance(value, str) else len(str(value))
        if size > MAX_FIELD:
            return f"trường quá dài / field {str(key)[:40]!r} has {size} characters (at most {MAX_FIELD})"
    return None


def _long_line(fh: TextIO | io.TextIOBase) -> Iterator[str]:
    """Lines of at most :data:`MAX_LINE` characters; a longer one comes back cut, its rest skipped."""
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE and not line.endswith("\n"):
            while (rest := fh.readline(MAX_LINE)) and not rest.endswith("\n"):
                pass
        yield line


def iter_rows(
    fh: TextIO | io.TextIOBase, kind: str, name: str
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """``(origin, row, error)``; a bad row has ``error`` and ``row = {"_raw": the start of its text}``."""
    if kind == ".csv":
        reader = csv.DictReader(fh)
        i = 1
        while True:
            i += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a field over the csv module's limit; the reader goes on after it
                yield f"{name}:{i}", {"_raw": ""}, f"dòng CSV không đọc được / unreadable CSV row: {exc}"
                continue
            problem = _too_long(row)
            yield f"{name}:{i}", ({"_raw": str(row)[:2000]} if problem else row), problem
        return
    for i, line in enumerate(_long_line(fh), start=1):
        if not line.strip():
            continue
        origin = f"{name}:{i}"
        if len(line) > MAX_LINE:
            yield origin, {"_raw": line[:2000]}, f"dòng quá dài / line longer than {MAX_LINE} characters"
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield origin, {"_raw": line[:2000]}, f"JSON không hợp lệ / invalid JSON: {exc.msg}"
            continue
        except RecursionError:
            yield origin, {"_raw": line[:2000]}, "JSON lồng quá sâu / JSON nested too deeply"
            continue
        problem = _too_long(row)
        yield origin, ({"_raw": line[:2000]} if problem else row), problem
