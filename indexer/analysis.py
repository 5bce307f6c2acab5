"""Whoosh analysers for Vietnamese, composable as ``Tokenizer | Filter | Filter``.

Every class here is top-level so that Whoosh can pickle the schema.  The same
analyser objects analyse documents at index time and query strings at query
time (:func:`terms`), so the two can never drift apart.

* ``SyllableTokenizer`` — NFC, canonical tone placement, then one token per word
  (Vietnamese words are written one syllable at a time).
* ``FoldFilter`` — strips diacritics, ``đ`` → ``d``: "nuoc mam" = "nước mắm".
* ``BigramFilter`` — adjacent pairs of (folded) syllables, ``ong_nhua``: the
  catalogue's phrase vocabulary, and a proximity signal without positions.
* ``CompoundTokenizer`` — pyvi word segmentation of the *whole* string, emitting
  only multi-syllable words (``nước_mắm``).  These are an optional ranking boost,
  never a required match: pyvi cannot segment the lone words a parser hands it.

Standard numbers never pass through these analysers; see ``catalogue.identifiers``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    StemmingAnalyzer,
    Token,
    Tokenizer,
)

from catalogue.text import fold, normalize, syllables

__all__ = [
    "BigramFilter",
    "CompoundTokenizer",
    "FoldFilter",
    "SyllableTokenizer",
    "bigram_analyzer",
    "compound_analyzer",
    "english_analyzer",
    "exact_analyzer",
    "folded_analyzer",
    "terms",
]


def _token_stream(
    words: Iterator[tuple[str, int, int]],
    positions: bool,
    chars: bool,
    keeporiginal: bool,
    removestops: bool,
    start_pos: int,
    start_char: int,
    mode: str,
    **kwargs: Any,
) -> Iterator[Token]:
    token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
    for pos, (word, start, end) in enumerate(words):
        token.text = word
        token.boost = 1.0
        token.stopped = False
        if keeporiginal:
            token.original = word
        if positions:
            token.pos = start_pos + pos
        if chars:
            token.startchar = start_char + start
            token.endchar = start_char + end
        yield token


class SyllableTokenizer(Tokenizer):
    """One token per word of the normalised text; offsets refer to that text."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        text = normalize(value)
        words = syllables(text) if tokenize else iter([(text, 0, len(text))])
        yield from _token_stream(
            words, positions, chars, keeporiginal, removestops, start_pos, start_char, mode, **kwargs
        )


class CompoundTokenizer(Tokenizer):
    """pyvi segmentation of the whole value; yields only compounds such as ``thang_máy``."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        words = ((w, 0, 0) for w in compounds(value))
        yield from _token_stream(
            words, positions, False, keeporiginal, removestops, start_pos, start_char, mode, **kwargs
        )


def segment(value: str) -> list[str]:
    """pyvi's segmentation of ``value`` (normalised first): every word, compounds joined by ``_``."""
    from pyvi import ViTokenizer  # imported lazily: loading the model costs ~0.5 s

    text = normalize(value)
    return ViTokenizer.tokenize(text).split() if text.strip() else []


def compounds(value: str) -> list[str]:
    """Multi-syllable words pyvi finds in ``value`` (normalised first)."""
    from pyvi import ViTokenizer  # imported lazily: loading the model costs ~0.5 s

    text = normalize(value)
    if not text.strip():
        return []
    return [w for w in ViTokenizer.tokenize(text).split() if "_" in w.strip("_")]


class FoldFilter(Filter):
    """Accent folding, ``đ`` → ``d`` included."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            yield token


class BigramFilter(Filter):
    """Each pair of adjacent tokens as one token ``left_right``; a single token yields nothing.

    Tokens separated by punctuation still pair: titles are short and a dash
    rarely separates the words of a product name ("Ống nhựa - PVC").
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        previous = None
        for token in tokens:
            text = token.text
            if previous is not None:
                token.text = f"{previous}_{text}"
                yield token
            previous = text


def exact_analyzer() -> Any:
    return SyllableTokenizer() | LowercaseFilter()


def folded_analyzer() -> Any:
    return SyllableTokenizer() | LowercaseFilter() | FoldFilter()


def bigram_analyzer() -> Any:
    return SyllableTokenizer() | LowercaseFilter() | FoldFilter() | BigramFilter()


def compound_analyzer() -> Any:
    return CompoundTokenizer() | LowercaseFilter()


def english_analyzer() -> Any:
    return StemmingAnalyzer()


def terms(analyzer: Any, text: str) -> list[str]:
    """The terms ``analyzer`` produces for ``text``, in order, stop words removed."""
    return [t.text for t in analyzer(text) if not t.stopped]
