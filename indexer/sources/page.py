"""Reading the official catalogue's pages by their labels, not by CSS paths.

The exact markup of tieuchuan.vsqi.gov.vn is not known, so a detail page is read
as a sequence of text lines (one per block element or table cell); every known
label, Vietnamese or English, in any case, starts a field whose value is the rest
of its line and the lines after it, up to the next label.  Tables, definition
lists and div layouts all reduce to that.  A pair the page marks as label/value
(``th``/``td``, ``dt``/``dd``, a two-cell row, ``class="label"``) whose label is
unknown is kept in ``raw`` rather than dropped.

Contracts:

* :func:`read_detail` never raises on markup; it returns what it could read.
  Whether that makes a valid record is :func:`to_standard`'s and the model's job.
* :func:`to_standard` raises :class:`ValidationError` listing every problem
  (bad number, no title, impossible date...), which the crawler quarantines.
* :func:`read_list` returns detail links and further list pages, as absolute URLs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from catalogue.errors import InvalidIdentifier, ValidationError
from catalogue.identifiers import find_all, parse, parse_loose
from catalogue.model import DEGREES, Equivalence, Standard, validate
from catalogue.text import fold, nfc

__all__ = ["LABELS", "DetailPage", "read_detail", "read_list", "to_standard"]

# field -> labels as printed on the official pages (SITE_STRUCTURE.md), longest first when matched
LABELS: dict[str, list[str]] = {
    "number": ["Số hiệu", "Standard Number"],
    "year": ["Năm ban hành", "Publication date"],
    "status": ["Tình trạng", "Status"],
    "title_vi": ["Tên tiếng Việt", "Title in Vietnamese"],
    "title_en": ["Tên tiếng Anh", "Title in English"],
    "equivalent": ["Tiêu chuẩn tương đương", "Equivalent to"],
    "replaces": ["Thay thế cho", "Replace"],
    "replaced_by": ["Thay thế bằng", "Replaced by"],
    "history": ["Lịch sử soát xét", "History of version"],
    "ics": ["Chỉ số phân loại Quốc tế (ICS)", "Chỉ số phân loại", "By field"],
    "specialized_field": ["Lĩnh vực chuyên ngành", "Specialized field"],
    "pages": ["Số trang", "Page"],
    "price": ["Giá", "Price"],
    "scope": ["Phạm vi áp dụng", "Scope of standard"],
    "references": ["Tiêu chuẩn viện dẫn", "Nomative references", "Normative references"],
    "decision": ["Quyết định công bố", "Decision number"],
    "committee": ["Ban kỹ thuật", "Technical Committee"],
    "agency": ["Cơ quan biên soạn", "Compilation agency"],
    "item_code": ["Mã hàng hóa", "Item code"],
}
_MATCHERS = sorted(
    ((fold(label).casefold(), name) for name, labels in LABELS.items() for label in labels),
    key=lambda x: -len(x[0]),
)
_BLOCK = {
    "p",
    "div",
    "td",
    "th",
    "tr",
    "li",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "dl",
    "header",
    "footer",
    "main",
    "label",
    "span",
}
_SKIP = {"script", "style", "noscript", "template", "head"}
_ICS_LINE = re.compile(r"^(\d{2}(?:\.\d{3}(?:\.\d{2})?)?)\s*(?:-\s*(.*))?$")
_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


class _Lines(HTMLParser):
    """Flattens HTML to text lines; remembers which lines the markup calls labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool]] = []
        self.links: list[tuple[str, str]] = []
        self._buf: list[str] = []
        self._skip = 0
        self._label = False
        self._cells_in_row = 0
        self._href: str | None = None
        self._anchor: list[str] = []

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._buf)).strip()
        self._buf = []
        if text:
            self.lines.append((text, self._label))
        self._label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        if tag in _BLOCK:
            self._flush()
        if tag == "tr":
            self._cells_in_row = 0
        if tag in ("td", "th"):
            self._cells_in_row += 1
        classes = (dict(attrs).get("class") or "").lower()
        if tag in ("th", "dt") or (tag == "td" and self._cells_in_row == 1) or "label" in classes.split():
            self._label = True
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._anchor = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "a" and self._href is not None:
            self.links.append((self._href, re.sub(r"\s+", " ", "".join(self._anchor)).strip()))
            self._href = None
        if tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._buf.append(data)
        if self._href is not None:
            self._anchor.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _flatten(html: str) -> _Lines:
    parser = _Lines()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still chokes on ends the page there
        parser._flush()
    return parser


# Labels that are also everyday words ("Giá trị …" is a title, "Giá:" a label): they count
# only alone on their line, before a colon, or before their other-language twin.
_WORDLIKE = {fold(w).casefold() for w in ("Giá", "Price", "Page", "Status", "Replace")}


def _label_of(line: str, current: str | None = None) -> tuple[str, str] | None:
    """(field, rest of the line) when ``line`` starts with a known label.

    ``current`` is the field being read: a word-like label right after its twin
    ("Số trang" then "Page 10") is taken as the twin even with a value after it.
    """
    key = fold(nfc(line)).casefold()
    for label, name in _MATCHERS:
        if key.startswith(label) and (len(key) == len(label) or not key[len(label)].isalnum()):
            raw_rest = line[len(label) :]
            rest = raw_rest.lstrip(" :：|/-–").strip()
            if (
                label in _WORDLIKE
                and rest
                and name != current
                and not raw_rest.lstrip().startswith((":", "：", "/", "|"))
            ):
                twin = _label_of(rest) if fold(rest).casefold() != key else None
                if twin is None or twin[0] != name:
                    continue
            return name, rest
    return None


@dataclass
class DetailPage:
    """What a detail page says, field by field (values are lists of lines)."""

    url: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    def first(self, name: str) -> str | None:
        values = [v for v in self.fields.get(name, []) if v]
        return values[0] if values else None

    def text(self, name: str) -> str | None:
        values = [v for v in self.fields.get(name, []) if v]
        return " ".join(values) if values else None


def read_detail(url: str, html: str) -> DetailPage:
    page = DetailPage(url)
    flat = _flatten(html)
    current: str | None = None
    pending_label: str | None = None
    for text, marked_label in flat.lines:
        text = nfc(text).strip(" |")
        if not text:
            continue
        hit = _label_of(text, current)
        if hit is not None:
            name, rest = hit
            if name != current:
                current = name
                page.fields.setdefault(name, [])
            while rest and (again := _label_of(rest)) is not None and again[0] == name:
                rest = again[1]  # "Số hiệu Standard Number TCVN ..." on one line
            if rest:
                page.fields[name].append(rest)
            pending_label = None
            continue
        if marked_label and len(text) <= 60:
            pending_label, current = text.rstrip(": "), None  # an unknown label: keep its value raw
            continue
        if pending_label is not None:
            page.raw[pending_label] = (page.raw.get(pending_label, "") + " " + text).strip()
            continue
        if current is not None:
            page.fields[current].append(text)
        elif ":" in text[:60]:
            label, _, value = text.partition(":")
            if value.strip() and len(label) <= 40:
                page.raw[label.strip()] = value.strip()
    return page


def read_list(url: str, html: str) -> tuple[list[str], list[str]]:
    """(detail page URLs, further list page URLs) linked from a list page."""
    details, lists = [], []
    for href, _ in _flatten(html).links:
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urljoin(url, href)
        if "/tieuchuan/view" in absolute or "/quychuan/view" in absolute:
            details.append(absolute)
        elif "/tim-kiem" in absolute and "page=" in absolute:
            lists.append(absolute)
    return list(dict.fromkeys(details)), list(dict.fromkeys(lists))


def _status(text: str | None) -> str:
    if not text:
        return "unknown"
    key = fold(text).casefold().strip()
    if key.startswith(("a ", "a-", "a -")) or key in ("a",) or "con hieu luc" in key:
        return "active"
    if key.startswith(("w ", "w-", "h ", "h-")) or "het hieu luc" in key or "withdraw" in key:
        return "withdrawn"
    return "unknown"


def _date(text: str, problems: list[str], label: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        problems.append(f"ngày không hợp lệ / impossible date in {label}: {m.group(0)}")
        return None


def to_standard(page: DetailPage, source_kind: str = "official catalogue (crawled)") -> Standard:
    """A validated record from a detail page; :class:`ValidationError` lists every problem."""
    problems: list[str] = []
    number_text = page.first("number")
    if not number_text:
        raise ValidationError("không có số hiệu / no standard number on the page", ["no standard number"])
    try:
        ident = parse(number_text)
    except InvalidIdentifier:
        ident = parse_loose(number_text)
        if ident is None or not ident.kind:
            raise ValidationError(
                f"số hiệu không hợp lệ / bad standard number {number_text[:60]!r}", ["bad standard number"]
            ) from None
    equivalents = []
    eq_lines = page.fields.get("equivalent", [])
    if eq_lines:
        degree = next((d for d in DEGREES for line in eq_lines[1:] if line.upper().startswith(d)), None)
        equivalents.append(Equivalence(eq_lines[0].rstrip(". "), degree))
    ics = []
    for line in page.fields.get("ics", []):
        m = _ICS_LINE.match(line.strip())
        if m:
            ics.append(m.group(1))
    decision_text = page.text("decision") or ""
    decision = decision_text.split(",")[0].strip() or None
    decision_date = _date(decision_text, problems, "decision") if decision_text else None
    pages = None
    if page.first("pages"):
        digits = re.sub(r"\D", "", page.first("pages") or "")
        pages = int(digits) if digits and len(digits) < 6 else None
    record = Standard(
        number=ident.format(),
        title_vi=page.text("title_vi"),
        title_en=page.text("title_en"),
        scope_vi=page.text("scope"),
        status=_status(page.first("status")),
        status_basis="official" if page.first("status") else None,
        replaces=[i.format() for i, _, _ in find_all(page.text("replaces") or "") if i.is_complete],
        replaced_by=[i.format() for i, _, _ in find_all(page.text("replaced_by") or "") if i.is_complete],
        ics=ics,
        equivalents=equivalents,
        technical_committee=page.text("committee"),
        decision=decision,
        decision_date=decision_date,
        pages=pages,
        sources=[{"ref": page.url, "kind": source_kind}],
        extra={k: v for k, v in {"raw_fields": page.raw, "agency": page.text("agency")}.items() if v},
    )
    problems += validate(record)
    if problems:
        raise ValidationError(f"{record.number}: {'; '.join(problems)}", problems)
    return record
