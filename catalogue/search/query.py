"""Reading what a user typed into a search box.

:func:`parse_query` never raises on text: any string, however hostile, becomes
a :class:`ParsedQuery`.  Whoosh's query language is never exposed, so ``title:(``,
``*`` or unbalanced quotes are just words.

The parse separates:

* standard numbers (kept whole, matched by key; never segmented);
* international references (``ISO 8124-1``, ``IEC 60335-1``, ``CODEX STAN 221``);
* a bare ``TCVN`` / ``QCVN`` word, which narrows the kind;
* the remaining words, in normalised and folded form, each marked required or
  optional (function words and generic words such as "tiêu chuẩn" only rank).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from catalogue.identifiers import INTERNATIONAL_ORGS, Identifier, find_all, international_keys, parse_loose
from catalogue.text import fold, has_diacritics, normalize, syllables

__all__ = ["MAX_QUERY_CHARS", "ParsedQuery", "Word", "parse_query"]

MAX_QUERY_CHARS = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
# Folded words that only rank: function words and the generic vocabulary of titles.
OPTIONAL_WORDS = frozenset(
    (
        "ve cua cho va cac nhung trong voi la co duoc bang theo tu doi mot so "  # function words
        "tieu chuan quy ky thuat quoc gia viet nam yeu cau "  # generic title vocabulary
        "the of and for to in on with a an standard standards regulation technical national"
    ).split()
)


@dataclass(frozen=True)
class Word:
    exact: str  # normalised, lower-case, accents kept
    folded: str
    required: bool


@dataclass
class ParsedQuery:
    text: str  # the cleaned query as shown back to the user
    numbers: list[Identifier] = field(default_factory=list)
    international: list[tuple[str, str]] = field(default_factory=list)
    kind: str | None = None
    words: list[Word] = field(default_factory=list)
    accented: bool = False
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.numbers or self.international or self.words)

    @property
    def only_number(self) -> bool:
        return bool(self.numbers) and not self.words and not self.international


def clean(text: str) -> tuple[str, bool]:
    """Strip control characters, normalise, cap the length; returns (text, truncated)."""
    text = unicodedata.normalize("NFC", text or "")
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
    return text, truncated


def parse_query(raw: str) -> ParsedQuery:
    text, truncated = clean(raw)
    parsed = ParsedQuery(text=text, truncated=truncated)
    if not text:
        return parsed
    whole = parse_loose(text)
    if whole is not None:
        parsed.numbers.append(whole)
        if whole.kind or whole.year or whole.part:
            return parsed
        # a bare "5107" may be a number or a word of a title: search both
    rest = text
    for ident, start, end in reversed(find_all(rest)):
        parsed.numbers.insert(0, ident)
        rest = rest[:start] + " " + rest[end:]
    parsed.international = international_keys(rest)
    if parsed.international:
        rest = re.sub(
            rf"\b(?:{INTERNATIONAL_ORGS})(/\w+|\s+IEC)*\s*(?:[A-Z]\s*)?\d[\w\-.:]*(?:\s+\d{{1,3}}(?!\d))*",
            " ",
            rest,
            flags=re.IGNORECASE,
        )
    parsed.accented = has_diacritics(rest)
    for word, _, _ in syllables(normalize(rest).lower()):
        folded = fold(word)
        if folded in ("tcvn", "qcvn"):
            parsed.kind = parsed.kind or folded.upper()
            continue
        if not folded.strip("_"):
            continue
        parsed.words.append(Word(word, folded, folded not in OPTIONAL_WORDS))
    if parsed.words and not any(w.required for w in parsed.words):
        parsed.words = [Word(w.exact, w.folded, True) for w in parsed.words]
    return parsed
