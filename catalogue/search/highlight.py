"""Highlighting of matched words in titles and scope snippets.

Contract: the output is safe HTML.  Every character of the source text is
escaped; only the ``<mark>`` tags this module adds are markup.  Matching is by
folded word, on the stored text itself, so offsets are always right (Whoosh's
highlighter would re-run the analysers and drift on segmented text).
"""

from __future__ import annotations

from html import escape

from catalogue.text import fold, syllables

__all__ = ["highlight", "snippet"]


def _matches(text: str, folded_terms: set[str]) -> list[tuple[int, int]]:
    spans = []
    for word, start, end in syllables(text):
        if fold(word).lower() in folded_terms:  # folding strips marks: tone placement cannot matter
            spans.append((start, end))
    return spans


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
