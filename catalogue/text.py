"""Vietnamese text normalisation shared by the store, the analysers and the recommender.

Contracts:

* :func:`nfc` returns NFC text with NBSP and other Unicode spaces turned into plain spaces.
* :func:`normalize_tones` moves every tone mark to the position given by the
  traditional placement rule, so ``thuỵ`` and ``thụy`` (or ``hoà`` and ``hòa``)
  become the same string.  Case is preserved.  Words that are not Vietnamese
  syllables pass through unchanged.
* :func:`fold` removes every diacritic and maps ``đ``/``Đ`` to ``d``/``D``, so that
  ``"Nước mắm"`` folds to ``"Nuoc mam"``.
* :func:`syllables` yields ``(word, start, end)`` for each word in the original
  string; the analysers and the highlighter use it, so query and index agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

__all__ = ["fold", "has_diacritics", "nfc", "normalize", "normalize_tones", "syllables"]

# Tone marks as combining characters, and the vowel modifiers that are not tones.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)
_VOWELS = set("aeiouy")
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_WORD = re.compile(r"\w+", re.UNICODE)
_WORD_SPLIT = re.compile(r"(\w+)", re.UNICODE)  # words at odd positions
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


_ETH = str.maketrans({"Ð": "Đ", "ð": "đ"})  # Icelandic eth, often typed for Vietnamese đ


def nfc(text: str) -> str:
    """NFC with exotic spaces made plain (NBSP is common in pasted numbers) and eth as đ."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).translate(_ETH)


@lru_cache(maxsize=65536)
def _retone_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return word  # no tone, or not a syllable we can reason about
    tone = tones[0]
    # Split into letters, each with its modifier marks (tone removed).
    letters: list[list[str]] = []
    for ch in decomposed:
        if ch == tone:
            continue
        if unicodedata.combining(ch):
            if not letters:
                return word
            letters[-1].append(ch)
        else:
            letters.append([ch])
    bases = [letter[0].lower() for letter in letters]
    if not all(b.isalpha() for b in bases):
        return word
    start = 0
    lowered = "".join(bases)
    if len(bases) > 2 and (lowered.startswith("qu") or (lowered.startswith("gi") and bases[2] in _VOWELS)):
        start = 2  # the u of "qu" and the i of "gi" belong to the consonant
    vowel_idx = [i for i in range(start, len(bases)) if bases[i] in _VOWELS]
    if not vowel_idx:
        return word
    # The vowel cluster must be contiguous for this to be a Vietnamese syllable.
    if vowel_idx != list(range(vowel_idx[0], vowel_idx[-1] + 1)):
        return word
    modified = [i for i in vowel_idx if any(m in _MODIFIERS for m in letters[i][1:])]
    has_final = vowel_idx[-1] < len(bases) - 1
    if modified:
        target = modified[-1]  # ươ -> ơ, uô -> ô, iê -> ê
    elif len(vowel_idx) == 1:
        target = vowel_idx[0]
    elif len(vowel_idx) >= 3 or has_final:
        target = vowel_idx[1]
    else:
        target = vowel_idx[0]  # traditional: hòa, thụy, mái, múa
    letters[target].append(tone)
    return unicodedata.normalize("NFC", "".join("".join(letter) for letter in letters))


def normalize_tones(text: str) -> str:
    """Place tone marks by one rule so that equivalent spellings compare equal."""
    if text.isascii():
        return text  # no tone marks, combining or precomposed
    parts = _WORD_SPLIT.split(text)
    parts[1::2] = map(_retone_word, parts[1::2])  # one call per word, without a match object each
    return "".join(parts)


def normalize(text: str) -> str:
    """NFC, plain spaces and canonical tone placement: the form every field is analysed in."""
    return normalize_tones(nfc(text))


def _strip_marks(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.translate(_FOLD_TABLE))


_fold_word = lru_cache(maxsize=65536)(_strip_marks)


def fold(text: str) -> str:
    """Remove diacritics, ``đ`` included; the result is plain ASCII for Vietnamese."""
    if text.isascii():
        return text
    # cache single words only: caching whole titles would grow without use
    return _fold_word(text) if " " not in text and len(text) < 32 else _strip_marks(text)


def has_diacritics(text: str) -> bool:
    """True when folding would change the text, i.e. the user typed accents."""
    return fold(text) != text


def syllables(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield each word with its character offsets in ``text``."""
    for m in _WORD.finditer(text):
        yield m.group(0), m.start(), m.end()
