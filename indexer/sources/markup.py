"""A page's markup as lines of tokens: what the page reader (:mod:`indexer.sources.page`) reads.

The page is parsed with lxml and walked in document order.  Block elements, table
cells and ``<br>`` end a line; inline markup does not, so a text split by
``<b>``/``<span>`` is one text.  An element whose whole text is a label
(:func:`indexer.sources.labels.whole_label`) becomes one LABEL token, whatever
inline markup splits it.  An element becomes an UNKNOWN label when the markup
says so (``th``, ``dt``, ``class="label"``, the first of two or more cells) or
when it sits where this page puts its known labels (same depth, tag, class,
parent and position) more often than values; text where the page puts its
values is marked as never starting a label.

Contract: :func:`parse_html` never raises (``None`` for what is not HTML at all);
:func:`lines_of` returns the page's lines, each a list of :class:`Tok`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, NamedTuple

from lxml import etree

from indexer.sources.labels import whole_label

__all__ = [
    "BREAK",
    "INLINE",
    "LABEL",
    "TEXT",
    "UNKNOWN",
    "WS",
    "Tok",
    "block_of",
    "inside",
    "lines_of",
    "parse_html",
    "row_of",
]

INLINE = frozenset(
    "a abbr b bdi bdo big cite code data dfn em font i kbd label mark nobr q s samp small span strike strong sub"
    " sup time tt u var wbr img".split()
)
_SKIP = frozenset(
    {"script", "style", "noscript", "template", "head", "button", "select", "svg", "iframe", "nav", "footer"}
)
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
_SHORT = 160  # an element with more text than this is never a label
WS = re.compile(r"\s+")

BREAK, LABEL, UNKNOWN, TEXT = range(4)


class Tok(NamedTuple):
    kind: int
    value: str  # LABEL: field; UNKNOWN: label text; TEXT: text
    owner: Any  # the element the token comes from (None for BREAK)
    free: bool = True  # TEXT: may start with a label (False inside a dd or a value cell); LABEL: no colon at its end
    langs: frozenset[str] = frozenset()  # LABEL: the languages its text holds
    sig: tuple[Any, ...] = ()  # the owner's place: (depth, tag, class, parent tag, position)


_BREAK = Tok(BREAK, "", None)
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


def row_of(el: Any) -> Any:
    """The smallest element around a label's element that holds something else too: where its value must be."""
    while (parent := el.getparent()) is not None:
        if _has_text(parent.text) or any(c is not el and isinstance(c.tag, str) for c in parent):
            return parent
        if any(_has_text(c.tail) for c in parent):
            return parent
        el = parent
    return el


def block_of(el: Any) -> Any:
    while el.tag in INLINE and el.getparent() is not None:
        el = el.getparent()
    return el


def inside(bound: Any, el: Any) -> bool:
    return el is bound or any(a is bound for a in el.iterancestors())


class _Walker:
    """HTML tree → tokens, in one post-order pass.

    Each element's text is assembled from its children's, so an element whose
    whole text is a label replaces the tokens its children produced.  Elements
    that might be unknown labels are remembered as candidates for :func:`tokens_of`.
    """

    def __init__(self) -> None:
        self.tokens: list[Tok] = []
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
        block = tag not in INLINE
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
            out.append(Tok(TEXT, head, el, free, _NO_LANGS, sig))
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
                out.append(Tok(TEXT, tail, el, free, _NO_LANGS, sig))
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
                colon = text.rstrip().endswith((":", "："))
                self._replace(mark, Tok(LABEL, hit[0], cell, not colon, hit[1], where))
            elif not value_ctx and len(text) <= 80:
                if _marked(el, classes):
                    self._replace(mark, Tok(UNKNOWN, WS.sub(" ", text).strip(), el, True, _NO_LANGS, sig))
                else:
                    self.candidates.append(_Candidate(mark, len(out), sig, text, el))
        if block:
            out.append(_BREAK)
        return text, cell, where

    def _replace(self, mark: int, tok: Tok) -> None:
        del self.tokens[mark:]
        while self.candidates and self.candidates[-1].start >= mark:
            self.candidates.pop()
        self.tokens.append(tok)


def parse_html(html: str) -> Any | None:
    try:
        return etree.fromstring(html.encode("utf-8", "surrogatepass"), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, UnicodeError):
        return None


def _split(tokens: list[Tok]) -> list[list[Tok]]:
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


def _slots(tokens: list[Tok]) -> tuple[frozenset[Any], frozenset[Any]]:
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
            if inside(cell, tok.owner):
                value_sigs[tok.sig] += 1
            cell = None
    label_slots = frozenset(s for s, n in label_sigs.items() if n > value_sigs[s])
    value_slots = frozenset(s for s, n in value_sigs.items() if n >= 2 and n > label_sigs[s])
    return label_slots, value_slots


def tokens_of(root: Any) -> list[Tok]:
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
    out: list[Tok] = []
    pos = 0
    for c in sorted(unknown, key=lambda c: (c.start, -c.end)):
        if c.start < pos:
            continue
        out += tokens[pos : c.start]
        out.append(Tok(UNKNOWN, WS.sub(" ", c.text).strip(), c.el, True, _NO_LANGS, c.sig))
        pos = c.end
    return out + tokens[pos:]


def lines_of(root: Any) -> list[list[Tok]]:
    """The page's lines, each a list of tokens (consecutive texts merged)."""
    return _split(tokens_of(root))
