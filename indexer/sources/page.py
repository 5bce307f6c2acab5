"""Reading the official catalogue's pages by their labels, not by CSS paths.

The exact markup of tieuchuan.vsqi.gov.vn is not known, so one rule reads every
layout.  The page comes as lines of tokens (:mod:`indexer.sources.markup`): labels
(an element whose whole text is a label), unknown labels, and texts; a line may
also start with a label followed by its value.  A label's value is what follows
it up to the next label, inside the label's row: the next cell, the next ``dd``,
the sibling element, or the rest of its own line.  Header, menus and footer are
outside every row, so never part of a value.  Unknown labels are kept, with their
values, in ``raw``.

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
from typing import Any
from urllib.parse import urljoin

from catalogue.errors import InvalidIdentifier, ValidationError
from catalogue.identifiers import find_all, parse, parse_loose
from catalogue.model import DEGREES, Equivalence, Standard, validate
from catalogue.text import fold, nfc
from indexer.sources.labels import LABELS, prefix_label, strip_separators
from indexer.sources.markup import LABEL, UNKNOWN, WS, Tok, block_of, inside, lines_of, parse_html, row_of

__all__ = ["LABELS", "DetailPage", "read_detail", "read_list", "to_standard"]

_ICS_LINE = re.compile(r"^(\d{2}(?:\.\d{3}(?:\.\d{2})?)?)\s*(?:-\s*(.*))?$")
_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


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


def _closed(text: str, rest: str) -> bool:
    """Whether the label part of ``text`` (what precedes ``rest``) ends with a separator, or ``rest`` is empty."""
    label = text[: len(text) - len(rest)].rstrip()
    return not rest or label.endswith((":", "：", "/", "|"))


def _part_of_label(text: str) -> tuple[str, str] | None:
    """``("Internal code", "X-42")`` for ``"/ Internal code: X-42"``: a short, digit-free head before a colon."""
    head, colon, rest = text.lstrip(" :：/|-–—").partition(":")
    head = head.strip()
    if colon and 0 < len(head) <= 40 and not any(c.isdigit() for c in head):
        return head, rest.strip()
    return None


class _Reader:
    """Lines of tokens → fields.

    ``current`` is the field (or ``unknown`` label) being read.  Its value ends at
    the next label, and never leaves ``bound``, the label's row (``row_of``): the
    ``tr``, the ``dl``, the grid row, the paragraph; for a label at the start of a
    text, the element holding that text.  On a page that writes each value on its
    label's line (``row_mode``), a label's row is its own line's block element, so
    a label alone on its line has an empty value.

    A label in one language may be followed, at the start of the next line, by its
    twin in the other language and the value ("Tên tiếng Việt" / "Title in
    Vietnamese Phomat…", as text renderings of the site show): only when ``loose``
    (a page whose labels are bilingual) and the label did not end with a colon.
    """

    def __init__(self, page: DetailPage, row_mode: bool = False, loose: bool = True) -> None:
        self.page = page
        self.row_mode, self.loose = row_mode, loose
        self.contained = self.apart = 0  # values inside their label's block element, or after it
        self.bilingual = 0  # labels read in both languages without a loose twin
        self.loose_twins = 0  # loose twins taken
        self.colon = False  # the current label ended with a colon: no twin may follow loosely
        self.loose_twin = False  # the twin being read came loosely (followed by a word, not a separator)
        self.block: Any = None
        self.current: str | None = None
        self.unknown: str | None = None
        self.empty = True  # the current label has no value yet
        self.langs: frozenset[str] = frozenset()  # languages of the current label seen so far
        self.bound: Any = None  # the current label's row: its value lies inside

    def start(
        self,
        name: str | None,
        el: Any,
        langs: frozenset[str] = frozenset(),
        unknown: str | None = None,
        in_text: bool = False,
    ) -> None:
        """A label that is element ``el``, or (``in_text``) that starts a text of ``el``."""
        block = block_of(el)
        row = block if self.row_mode else el if in_text else row_of(el)
        if name is not None and name == self.current and self.empty and not (langs & self.langs):
            self.langs |= langs  # the other-language twin of the label just read
            self.bilingual += not self.loose_twin
            if inside(row, self.bound):
                self.bound = row
            return
        self.bilingual += len(langs) > 1
        self.current, self.unknown, self.empty, self.langs = name, unknown, True, langs
        self.bound, self.block = row, block
        if name is not None:
            self.page.fields.setdefault(name, [])
        if unknown is not None:
            self.page.raw.setdefault(unknown, "")

    def rename_unknown(self, label: str) -> None:
        self.page.raw[label] = self.page.raw.pop(self.unknown or "", "")
        self.unknown = label

    def value(self, text: str, owner: Any) -> None:
        text = text.strip(" |")
        if not text or not text.strip(" :：/|-–—"):
            return
        if (self.current is not None or self.unknown is not None) and not inside(self.bound, owner):
            self.current = self.unknown = None  # past the label's row, list or table: not its value
        if self.current is None and self.unknown is None:
            label, colon, value = text.partition(":")
            if colon and 0 < len(label.strip()) <= 40:  # "Label: value", or "Label:" before it, of no known label
                if split := _part_of_label(value):  # "Mã vạch: Internal code: X-42"
                    label, value = f"{label.strip()} / {split[0]}", split[1]
                self.start(None, owner, unknown=label.strip(), in_text=True)
                if value.strip():
                    self.page.raw[label.strip()] = value.strip()
                    self.empty = False
            return
        if self.empty:
            if inside(self.block, owner):
                self.contained += 1
            else:
                self.apart += 1
        if self.unknown is not None:
            self.page.raw[self.unknown] = (self.page.raw[self.unknown] + " " + text).strip()
        else:
            self.page.fields[self.current].append(text)  # type: ignore[index]
        self.empty = False

    def line(self, toks: list[Tok]) -> None:
        parts: list[str] = []
        owner: Any = None
        expect = True  # a label may begin here: at the start of the line or right after a label
        label_before = False  # a label earlier on this line: only its twin may follow
        for tok in toks:
            if tok.kind in (LABEL, UNKNOWN):
                between = bool(parts)
                if parts and tok.kind == UNKNOWN and not label_before and len(" ".join(parts)) <= 60:
                    tok = tok._replace(value=" ".join([*parts, tok.value]))  # "Mã vạch / <span>Code</span>"
                elif parts:
                    self.value(" ".join(parts), owner)
                parts = []
                if tok.kind == LABEL:
                    self.loose_twin = False
                    self.start(tok.value, tok.owner, tok.langs)
                    self.colon = not tok.free
                elif label_before and self.unknown is not None and self.empty and not between:
                    part = tok.value.rstrip(" :：").strip()
                    self.rename_unknown(f"{self.unknown} / {part}")  # its other-language part
                else:
                    self.start(None, tok.owner, unknown=tok.value.rstrip(" :：").strip())
                expect = label_before = True
                continue
            text = nfc(WS.sub(" ", tok.value)).strip()
            if (
                expect
                and self.unknown is not None
                and self.empty
                and inside(self.bound, tok.owner)
                and (split := _part_of_label(text))
            ):
                # its other-language part: "<span>Mã vạch</span> / Internal code: X-42", or on the next line
                self.rename_unknown(f"{self.unknown} / {split[0]}")
                text = split[1]
            if label_before:
                text = strip_separators(text)
            if expect and tok.free and text:
                twin = self.current if self.empty else None
                loose = self.loose and not label_before and not self.colon
                hit = prefix_label(text, twin, self.langs if twin else frozenset(), loose=loose)
                if hit is not None and (not label_before or hit[0] == self.current):
                    if parts:
                        self.value(" ".join(parts), owner)
                        parts = []
                    self.loose_twin = loose and hit[0] == twin and not _closed(text, hit[1])
                    self.loose_twins += self.loose_twin
                    self.start(hit[0], tok.owner, hit[2], in_text=True)
                    self.colon = text[: len(text) - len(hit[1])].rstrip().endswith((":", "："))
                    text, label_before = strip_separators(hit[1]), True
            if text:
                if not parts:
                    owner = tok.owner
                parts.append(text)
                expect = False
        if parts:
            self.value(" ".join(parts), owner)


def read_detail(url: str, html: str) -> DetailPage:
    page = DetailPage(url)
    root = parse_html(html)
    if root is None:
        return page
    lines = lines_of(root)
    reader = _Reader(page)
    for line in lines:
        reader.line(line)
    row_mode = reader.contained >= 3 and reader.contained >= 2 * reader.apart  # a page of "label: value" rows
    loose = reader.bilingual > 0  # twins across lines only where labels come in both languages
    if row_mode or (reader.loose_twins and not loose):
        page = DetailPage(url)
        reader = _Reader(page, row_mode=row_mode, loose=loose)
        for line in lines:
            reader.line(line)
    return page


def read_list(url: str, html: str) -> tuple[list[str], list[str]]:
    """(detail page URLs, further list page URLs) linked from a list page."""
    details, lists = [], []
    root = parse_html(html)
    for a in root.iter("a") if root is not None else ():
        href = (a.get("href") or "").strip()
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


def _equivalents(lines: list[str]) -> list[Equivalence]:
    """Number lines, each optionally followed by its degree line ("IDT - Tương đương hoàn toàn")."""
    out: list[Equivalence] = []
    for line in lines:
        code = line.split(" ", 1)[0].rstrip("-").upper()
        if code in DEGREES and out and out[-1].degree is None:
            out[-1] = Equivalence(out[-1].number, code)
        elif code not in DEGREES:
            out.append(Equivalence(line.rstrip(". "), None))
    return out


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
    ics = []
    for line in page.fields.get("ics", []):
        m = _ICS_LINE.match(line.strip())
        if m:
            ics.append(m.group(1))
    decision_text = page.text("decision") or ""
    date_at = _DATE.search(decision_text)
    head = decision_text[: date_at.start()] if date_at else decision_text
    decision = re.sub(r"[\s,;]*(?:ngày|ngay|date)?[\s:]*$", "", head, flags=re.I).strip() or None
    decision_date = _date(decision_text, problems, "decision") if decision_text else None
    pages = None
    if page.first("pages"):
        digits = re.sub(r"\D", "", page.first("pages") or "")
        pages = int(digits) if digits and len(digits) < 6 else None
    dates = {}
    for name in ("issue_date", "effective_date"):
        text = page.first(name)
        dates[name] = _date(text, problems, name) if text else None
    extra = {"raw_fields": page.raw} | {n: page.text(n) for n in ("agency", "specialized_field")}
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
        equivalents=_equivalents(page.fields.get("equivalent", [])),
        technical_committee=page.text("committee"),
        decision=decision,
        decision_date=decision_date,
        pages=pages,
        sources=[{"ref": page.url, "kind": source_kind}],
        extra={k: v for k, v in extra.items() if v},
        **dates,
    )
    problems += validate(record)
    if problems:
        raise ValidationError(f"{record.number}: {'; '.join(problems)}", problems)
    return record
