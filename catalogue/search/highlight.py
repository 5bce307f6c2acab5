"""Highlighting of matched words in titles and scope snippets.

Contract: the output is safe HTML.  Every character of the source text is
escaped; only the ``<mark>`` tags this module adds are markup.  Matching is by
folded word, on the stored text itself, so offsets are always right (Whoosh's
highlighter would re-run the analysers and drift on segmented text).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from catalogue.text import fold, syllables

__all__ = ["highlight", "snippet"]


@lru_cache(maxsize=8192)  # the titles and scopes of the records shown lately: highlighting is then a set test
def _words(text: str) -> tuple[tuple[int, int, str], ...]:
    # folding strips marks: tone placement cannot matter
    return tuple((start, end, fold(word).lower()) for word, start, end in syllables(text))


def _matches(text: str, folded_terms: set[str]) -> list[tuple[int, int]]:
    return [(start, end) for start, end, key in _words(text) if key in folded_terms]


def _render(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def highlight(text: str, folded_terms: set[str]) -> str:
    """``text`` escaped, with each word whose folded form is in ``folded_terms`` marked."""
    return _render(text, _matches(text, folded_terms) if folded_terms else [])


def snippet(text: str, folded_terms: set[str], width: int = 220) -> str:
    """A window of about ``width`` characters around the first match, highlighted."""
    spans = _matches(text, folded_terms) if folded_terms else []
    if len(text) <= width:
        return _render(text, spans)
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    inner = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    return ("…" if start else "") + _render(text[start:end], inner) + ("…" if end < len(text) else "")
