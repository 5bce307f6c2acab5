"""Reading the official catalogue's pages by their labels, not by CSS paths.

The exact markup of tieuchuan.vsqi.gov.vn is not known, so one rule reads every
layout.  The page is parsed (lxml) and walked in document order into lines
(block elements, cells and ``<br>`` end a line; inline markup does not).  An
element whose whole text is a label (:func:`indexer.sources.labels.whole_label`)
is that label, whatever inline markup splits it; a line may also start with a
label followed by its value.  A label's value is what follows it up to the next
label: the next cell, the next ``dd``, the sibling element, or the rest of its
own line.  Header and footer text outside the element holding all the labels is
not part of any value.

Labels the reader does not know are kept, with their values, in ``raw``: an
element is taken for an unknown label when the markup says so (``th``, ``dt``,
``class="label"``, the first cell of a row) or when it sits where this page puts
its known labels (same depth, tag, class, parent and position), but not where it
puts values.

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
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urljoin

from lxml import etree

from catalogue.errors import InvalidIdentifier, ValidationError
from catalogue.identifiers import find_all, parse, parse_loose
from catalogue.model import DEGREES, Equivalence, Standard, validate
from catalogue.text import fold, nfc
from indexer.sources.labels import LABELS, prefix_label, strip_separators, whole_label

__all__ = ["LABELS", "DetailPage", "read_detail", "read_list", "to_standard"]

_INLINE = frozenset(
    "a abbr b bdi bdo big cite code data dfn em font i kbd label mark nobr q s samp small span strike strong sub"
    " sup time tt u var wbr img".split()
)
_SKIP = frozenset(
    {"script", "style", "noscript", "template", "head", "button", "select", "svg", "iframe", "nav", "footer"}
)
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
_SHORT = 160  # an element with more text than this is never a label
_ICS_LINE = re.compile(r"^(\d{2}(?:\.\d{3}(?:\.\d{2})?)?)\s*(?:-\s*(.*))?$")
_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_WS = re.compile(r"\s+")

BREAK, LABEL, UNKNOWN, TEXT = range(4)


class _Tok(NamedTuple):
    kind: int
    value: str  # LABEL: field; UNKNOWN: label text; TEXT: text
    owner: Any  # the element the token comes from (None for BREAK)
    free: bool = True  # TEXT: may start with a label (False inside a dd or a value cell)
    langs: frozenset[str] = frozenset()  # LABEL: the languages its text holds
    sig: tuple[Any, ...] = ()  # the owner's place: (depth, tag, class, parent tag, position)


_BREAK = _Tok(BREAK, "", None)
_NO_LANGS: frozenset[str] = frozenset()


class _Candidate(NamedTuple):
    """An element that could be an unknown label if the page puts labels where it sits."""

    start: int
    end: int
    sig: tuple[Any, ...]
    text: str
    el: Any


def _marked(el: Any, classes: str) -> bool:
    """Markup that says "this is a label"."""
    tag = el.tag
    if tag in ("th", "dt", "label"):
        return True
    if any("label" in c or c in ("lbl", "key", "field-name") for c in classes.split()):
        return True
    if tag == "td" and el.getprevious() is None:
        return el.getnext() is not None  # the first of two or more cells
    return False


def _has_text(text: str | None) -> bool:
    return bool(text and not text.isspace())


def _row(el: Any) -> Any:
    """The smallest element around a label's element that holds something else too: where its value must be."""
    while (parent := el.getparent()) is not None:
        if _has_text(parent.text) or any(c is not el and isinstance(c.tag, str) for c in parent):
            return parent
        if any(_has_text(c.tail) for c in parent):
            return parent
        el = parent
    return el


def _block(el: Any) -> Any:
    while el.tag in _INLINE and el.getparent() is not None:
        el = el.getparent()
    return el


def _inside(bound: Any, el: Any) -> bool:
    return el is bound or any(a is bound for a in el.iterancestors())


class _Walker:
    """HTML tree → tokens, in one post-order pass.

    Each element's text is assembled from its children's, so an element whose
    whole text is a label replaces the tokens its children produced.  Elements
    that might be unknown labels are remembered as candidates for :func:`_tokens`.
    """

    def __init__(self) -> None:
        self.tokens: list[_Tok] = []
        self.candidates: list[_Candidate] = []

    def walk(self, el: Any, value_ctx: bool, depth: int, parent_tag: str, index: int) -> tuple[str | None, Any, Any]:
        """(the element's text, or None past _SHORT characters; the cell holding it; that cell's place)."""
        tag = el.tag
        out = self.tokens
        if not isinstance(tag, str) or tag in _SKIP:
            return "", None, None
        if tag in ("br", "hr"):
            out.append(_BREAK)
            return " ", None, None
        block = tag not in _INLINE
        if block:
            out.append(_BREAK)
        mark = len(out)
        classes = (el.get("class") or "").lower()
        sig = (depth, tag, classes, parent_tag, index)
        inner = value_ctx or tag == "dd" or "value" in classes
        free = not inner
        pieces: list[str] = []
        short = True
        with_text: list[tuple[Any, Any]] = []  # children holding text: (cell, place)
        elements = 0
        head = el.text
        own_text = bool(head) and not head.isspace()
        if head:
            out.append(_Tok(TEXT, head, el, free, _NO_LANGS, sig))
            pieces.append(head)
        i = 0
        for child in el:
            text, cell, where = self.walk(child, inner, depth + 1, tag, i)
            if isinstance(child.tag, str):
                i += 1
                if child.tag not in _SKIP and child.tag not in ("br", "hr"):
                    elements += 1
            if text is None:
                short = False
            elif short:
                pieces.append(text)
                if cell is not None and text and not text.isspace():
                    with_text.append((cell, where))
            tail = child.tail
            if tail:
                out.append(_Tok(TEXT, tail, el, free, _NO_LANGS, sig))
                pieces.append(tail)
                own_text = own_text or not tail.isspace()
        text = "".join(pieces) if short else None
        if text is not None and len(text) > _SHORT:
            text = None  # longer than any label: its parents are not labels either
        cell, where = el, sig
        if not own_text and len(with_text) == 1 and elements >= 2:
            cell, where = with_text[0]  # the label's cell, not the row of empty cells around it
        if text is not None and len(text) <= 100 and text and not text.isspace():
            hit = whole_label(text)
            if hit is not None:
                self._replace(mark, _Tok(LABEL, hit[0], cell, True, hit[1], where))
            elif not value_ctx and len(text) <= 80:
                if _marked(el, classes):
                    self._replace(mark, _Tok(UNKNOWN, _WS.sub(" ", text).strip(), el, True, _NO_LANGS, sig))
                else:
                    self.candidates.append(_Candidate(mark, len(out), sig, text, el))
        if block:
            out.append(_BREAK)
        return text, cell, where

    def _replace(self, mark: int, tok: _Tok) -> None:
        del self.tokens[mark:]
        while self.candidates and self.candidates[-1].start >= mark:
            self.candidates.pop()
        self.tokens.append(tok)


def _parse(html: str) -> Any | None:
    try:
        return etree.fromstring(html.encode("utf-8", "surrogatepass"), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, UnicodeError):
        return None


def _lines(tokens: list[_Tok]) -> list[list[_Tok]]:
    """Tokens split at BREAKs, consecutive TEXT merged (inline markup does not split text)."""
    lines, line = [], []
    for tok in tokens:
        if tok.kind == BREAK:
            if line:
                lines.append(line)
                line = []
        elif tok.kind == TEXT and line and line[-1].kind == TEXT:
            line[-1] = line[-1]._replace(value=line[-1].value + tok.value)
        else:
            line.append(tok)
    if line:
        lines.append(line)
    return lines


def _slots(tokens: list[_Tok]) -> tuple[frozenset[Any], frozenset[Any]]:
    """Where this page puts its labels, and its values: places (depth, tag, class, parent, position).

    A value's place is the element right after a label; a place is the page's
    label slot (value slot) when known labels sit there more (less) often than
    values, and a value slot needs two values at least.
    """
    label_sigs: Counter[tuple[Any, ...]] = Counter()
    value_sigs: Counter[tuple[Any, ...]] = Counter()
    cell = None  # the element after the last label, while its value is not seen
    for tok in tokens:
        if tok.kind == LABEL:
            label_sigs[tok.sig] += 1
            cell = tok.owner.getnext()
        elif tok.kind == TEXT and cell is not None and _has_text(tok.value):
            if _inside(cell, tok.owner):
                value_sigs[tok.sig] += 1
            cell = None
    label_slots = frozenset(s for s, n in label_sigs.items() if n > value_sigs[s])
    value_slots = frozenset(s for s, n in value_sigs.items() if n >= 2 and n > label_sigs[s])
    return label_slots, value_slots


def _tokens(root: Any) -> list[_Tok]:
    body = root.find("body")
    walker = _Walker()
    walker.walk(body if body is not None else root, False, 0, "", 0)
    tokens = walker.tokens
    label_slots, value_slots = _slots(tokens)
    if value_slots:  # a value cell's text never starts a label
        tokens = [t._replace(free=False) if t.kind == TEXT and t.sig in value_slots else t for t in tokens]
    unknown = [c for c in walker.candidates if c.sig in label_slots]
    if not unknown:
        return tokens
    # elements where this page puts its labels, holding no label it knows: unknown labels (outermost wins)
    out: list[_Tok] = []
    pos = 0
    for c in sorted(unknown, key=lambda c: (c.start, -c.end)):
        if c.start < pos:
            continue
        out += tokens[pos : c.start]
        out.append(_Tok(UNKNOWN, _WS.sub(" ", c.text).strip(), c.el, True, _NO_LANGS, c.sig))
        pos = c.end
    return out + tokens[pos:]


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
    the next label, and never leaves ``bound``, the label's row (:func:`_row`): the
    ``tr``, the ``dl``, the grid row, the paragraph; for a label at the start of a
    text, the element holding that text.  On a page that writes each value on its
    label's line (``row_mode``), a label's row is its own line's block element, so
    a label alone on its line has an empty value.
    """

    def __init__(self, page: DetailPage, row_mode: bool = False) -> None:
        self.page = page
        self.row_mode = row_mode
        self.contained = self.apart = 0  # values inside their label's block element, or after it
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
        block = _block(el)
        row = block if self.row_mode else el if in_text else _row(el)
        if name is not None and name == self.current and self.empty and not (langs & self.langs):
            self.langs |= langs  # the other-language twin of the label just read
            if _inside(row, self.bound):
                self.bound = row
            return
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
        if (self.current is not None or self.unknown is not None) and not _inside(self.bound, owner):
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
            if _inside(self.block, owner):
                self.contained += 1
            else:
                self.apart += 1
        if self.unknown is not None:
            self.page.raw[self.unknown] = (self.page.raw[self.unknown] + " " + text).strip()
        else:
            self.page.fields[self.current].append(text)  # type: ignore[index]
        self.empty = False

    def line(self, toks: list[_Tok]) -> None:
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
                    self.start(tok.value, tok.owner, tok.langs)
                elif label_before and self.unknown is not None and self.empty and not between:
                    part = tok.value.rstrip(" :：").strip()
                    self.rename_unknown(f"{self.unknown} / {part}")  # its other-language part
                else:
                    self.start(None, tok.owner, unknown=tok.value.rstrip(" :：").strip())
                expect = label_before = True
                continue
            text = nfc(_WS.sub(" ", tok.value)).strip()
            if expect and self.unknown is not None and self.empty and (split := _part_of_label(text)):
                # its other-language part: "<span>Mã vạch</span> / Internal code: X-42", or on the next line
                self.rename_unknown(f"{self.unknown} / {split[0]}")
                text = split[1]
            if label_before:
                text = strip_separators(text)
            if expect and tok.free and text:
                twin = self.current if self.empty else None
                hit = prefix_label(text, twin, self.langs if twin else frozenset(), loose=not label_before)
                if hit is not None and (not label_before or hit[0] == self.current):
                    if parts:
                        self.value(" ".join(parts), owner)
                        parts = []
                    self.start(hit[0], tok.owner, hit[2], in_text=True)
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
    root = _parse(html)
    if root is None:
        return page
    lines = _lines(_tokens(root))
    reader = _Reader(page)
    for line in lines:
        reader.line(line)
    if reader.contained >= 3 and reader.contained >= 2 * reader.apart:  # a page of "label: value" rows
        page = DetailPage(url)
        reader = _Reader(page, row_mode=True)
        for line in lines:
            reader.line(line)
    return page


def read_list(url: str, html: str) -> tuple[list[str], list[str]]:
    """(detail page URLs, further list page URLs) linked from a list page."""
    details, lists = [], []
    root = _parse(html)
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
