"""The query-understanding lexicon, shared by search and the recommender.

Data: ``catalogue/data/lexicon.json`` (curated: function words, intent phrases,
synonym groups and an English glossary, each entry with its basis) and
``catalogue/data/translation.json`` (derived: English → Vietnamese word
associations learnt from the project's aligned bilingual data by :func:`build_translation`).

Contracts:

* Everything is keyed on *folded* syllables (:func:`catalogue.text.fold`), so a
  lookup never depends on how the user typed accents.  A phrase is a tuple of
  folded syllables.
* :meth:`Lexicon.synonyms` of a phrase never contains the phrase itself, and each
  alternative carries a weight below 1, so that the word the user typed ranks first.
* :meth:`Lexicon.translate` returns Vietnamese phrases for an English phrase,
  curated glossary first (weight :data:`GLOSSARY_WEIGHT`), then the learnt
  associations (weight :data:`LEARNT_WEIGHT` × association strength); an empty
  list when nothing is known.
* :func:`load` reads the files once per process; the result is immutable.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalogue.text import fold, normalize, syllables

__all__ = [
    "GLOSSARY_WEIGHT",
    "LEARNT_WEIGHT",
    "SYNONYM_WEIGHT",
    "Lexicon",
    "build_translation",
    "english_words",
    "load",
    "phrase",
]

DATA = Path(__file__).resolve().parent / "data"
SYNONYM_WEIGHT = 0.8  # a synonym counts as much as 80% of the word typed
GLOSSARY_WEIGHT = 0.9  # a curated translation
LEARNT_WEIGHT = 0.6  # a learnt association at full strength (Dice = 1)
MAX_PHRASE = 5  # syllables in the longest lexicon phrase looked for in a query
_EN_WORD = re.compile(r"[a-z][a-z0-9\-']*")

Phrase = tuple[str, ...]


def phrase(text: str) -> Phrase:
    """Folded syllables of ``text``: ``"Mì chính"`` → ``("mi", "chinh")``."""
    return tuple(fold(w) for w, _, _ in syllables(normalize(text).lower()))


def english_words(text: str) -> list[str]:
    """Lower-case English words of ``text`` (possessives dropped: "children's" → "children")."""
    out = []
    for w in _EN_WORD.findall(text.lower().replace("’", "'")):
        w = w.strip("-'")
        if w.endswith("'s"):
            w = w[:-2]
        if w:
            out.append(w)
    return out


def _stem(word: str) -> str:
    from whoosh.lang.porter import stem

    return stem(word)


@dataclass(frozen=True)
class Lexicon:
    """Immutable lookup tables; build with :func:`load`."""

    function_vi: frozenset[str]  # normalised, lower case, accents kept ("tôi", not "toi": tỏi is garlic)
    function_folded: frozenset[str]  # their folded forms, for queries typed without accents
    function_en: frozenset[str]
    intents: dict[Phrase, str]
    function_phrases: frozenset[Phrase]  # folded multi-word function phrases ("cong ty", "san xuat")
    _synonyms: dict[Phrase, list[tuple[Phrase, float]]]
    _spellings: dict[Phrase, frozenset[str]]  # accented spellings of each synonym phrase
    _glossary: dict[tuple[str, ...], list[Phrase]]
    _learnt: dict[str, list[tuple[Phrase, float]]] = field(default_factory=dict)
    _formal: dict[Phrase, frozenset[Phrase]] = field(default_factory=dict)  # one-way groups: everyday -> head
    _glossary_spellings: dict[Phrase, frozenset[str]] = field(default_factory=dict)  # the glossary's Vietnamese
    _glossary_heads: frozenset[str] = frozenset()  # the first words of the glossary's phrases

    # -- Vietnamese ---------------------------------------------------------------
    def is_function(self, exact: str, accented: bool) -> bool:
        """Whether a query word (normalised, lower case) is a function word.

        In a query typed with accents the accented form decides ("tôi" is, "tỏi" is
        not); without accents the folded form does, and the caller should treat the
        word as weak rather than drop it, since "toi" may be "tỏi".
        """
        if accented:
            return exact in self.function_vi or exact in self.function_en
        return fold(exact) in self.function_folded or exact in self.function_en

    def synonyms(self, ph: Phrase) -> list[tuple[Phrase, float]]:
        """Other phrases for ``ph`` with their weights (< 1), best first."""
        return self._synonyms.get(ph, [])

    def is_formal(self, ph: Phrase, synonym: Phrase) -> bool:
        """Whether ``synonym`` is the head of a one-way group that ``ph`` belongs to: the curators' formal
        term for an everyday phrase ("sắn" for "khoai mì"), which stands for the phrase whole."""
        return synonym in self._formal.get(ph, frozenset())

    def spellings(self, ph: Phrase) -> frozenset[str]:
        """The accented spellings the lexicon lists for ``ph`` (normalised, lower case)."""
        return self._spellings.get(ph, frozenset())

    def spelled(self, ph: Phrase, typed: str) -> bool:
        """Whether ``typed`` (accents kept) is a spelling the lexicon lists for ``ph``.

        Folding merges words ("cám" feed, "cắm" plug): with accents typed, a synonym
        applies only to the spelling it was written for.
        """
        return normalize(typed).lower() in self._spellings.get(ph, frozenset())

    def find_phrases(self, words: list[str], table: str = "synonyms") -> Iterator[tuple[int, int, Phrase]]:
        """Longest non-overlapping lexicon phrases in ``words`` (folded): ``(start, end, phrase)``.

        ``table`` is ``"synonyms"``, ``"intents"`` or ``"function"``.  Single words
        count only for synonyms (an intent word alone, "quy", is too ambiguous).
        """
        keys: Any = {"synonyms": self._synonyms, "intents": self.intents, "function": self.function_phrases}[table]
        shortest = 1 if table == "synonyms" else 2
        i = 0
        while i < len(words):
            for n in range(min(MAX_PHRASE, len(words) - i), shortest - 1, -1):
                ph = tuple(words[i : i + n])
                if ph in keys:
                    yield i, i + n, ph
                    i += n
                    break
            else:
                i += 1

    # -- English ------------------------------------------------------------------
    def glossary_phrases(self, words: list[str]) -> Iterator[tuple[int, int, list[Phrase]]]:
        """Longest curated English phrases in ``words``: ``(start, end, vietnamese phrases)``."""
        i = 0
        while i < len(words):
            for n in range(min(4, len(words) - i), 0, -1):
                key = tuple(words[i : i + n])
                vi = self._glossary.get(key) or self._glossary.get((*key[:-1], key[-1].rstrip("s")))
                if vi:
                    yield i, i + n, vi
                    i += n
                    break
            else:
                i += 1

    def translate(self, words: list[str]) -> list[tuple[Phrase, float]]:
        """Vietnamese phrases for one English phrase (``["soy", "sauce"]``), best first."""
        found = next((vi for s, e, vi in self.glossary_phrases(words) if s == 0 and e == len(words)), None)
        if found:
            return [(ph, GLOSSARY_WEIGHT) for ph in found]
        if len(words) != 1:
            return []
        return [(ph, LEARNT_WEIGHT * strength) for ph, strength in self._learnt.get(_stem(words[0]), [])]

    def glossary_spellings(self, ph: Phrase) -> frozenset[str]:
        """The accented spellings the English glossary gives for the Vietnamese phrase ``ph``."""
        return self._glossary_spellings.get(ph, frozenset())

    def knows_english(self, word: str) -> bool:
        """Whether ``word`` is an English word this lexicon can translate or ignore."""
        return (
            word in self.function_en
            or (word,) in self._glossary
            or _stem(word) in self._learnt
            or word in self._glossary_heads
        )


def _synonym_table(groups: list[dict[str, Any]]) -> dict[Phrase, list[tuple[Phrase, float]]]:
    table: dict[Phrase, dict[Phrase, float]] = {}
    for group in groups:
        terms = [phrase(t) for t in group["terms"]]
        sources = terms[1:] if group.get("one_way") else terms
        for src in sources:
            if not src:
                continue
            targets = [terms[0]] if group.get("one_way") else terms
            for dst in targets:
                if dst and dst != src:
                    table.setdefault(src, {})[dst] = max(table.get(src, {}).get(dst, 0.0), SYNONYM_WEIGHT)
    return {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in table.items()}


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """The lexicon of the bundled data files (read once per process)."""
    data = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    function_vi = frozenset(normalize(w).lower() for w in data["function_words"]["vi"] if " " not in w)
    function_folded = frozenset(fold(w) for w in function_vi)
    function_en = frozenset(w.lower() for w in data["function_words"]["en"])
    intents = {phrase(p["phrase"]): p["intent"] for p in data["intents"]["phrases"]}
    function_phrases = frozenset(phrase(w) for w in data["function_words"].get("vi_phrases", []))
    glossary: dict[tuple[str, ...], list[Phrase]] = {}
    glossary_spellings: dict[Phrase, set[str]] = {}
    for entry in data["english"]["entries"]:
        glossary.setdefault(tuple(english_words(entry["en"])), []).extend(phrase(v) for v in entry["vi"])
        for v in entry["vi"]:
            glossary_spellings.setdefault(phrase(v), set()).add(normalize(v).lower())
    learnt: dict[str, list[tuple[Phrase, float]]] = {}
    path = DATA / "translation.json"
    if path.is_file():
        raw = json.loads(path.read_text(encoding="utf-8"))
        learnt = {stem: [(tuple(p.split()), float(s)) for p, s in pairs] for stem, pairs in raw["stems"].items()}
    synonyms = _synonym_table(data["synonyms"]["groups"])
    spellings: dict[Phrase, set[str]] = {}
    formal: dict[Phrase, set[Phrase]] = {}
    for group in data["synonyms"]["groups"]:
        if group.get("one_way"):
            for term in group["terms"][1:]:
                formal.setdefault(phrase(term), set()).add(phrase(group["terms"][0]))
        for term in group["terms"]:
            spellings.setdefault(phrase(term), set()).add(normalize(term).lower())
    return Lexicon(
        function_vi,
        function_folded,
        function_en,
        intents,
        function_phrases,
        synonyms,
        {k: frozenset(v) for k, v in spellings.items()},
        glossary,
        learnt,
        {k: frozenset(v) for k, v in formal.items()},
        {k: frozenset(v) for k, v in glossary_spellings.items()},
        frozenset(k[0] for k in glossary),
    )


# -- learning translations from aligned data -------------------------------------------
def _aligned_pairs(data_dir: Path) -> Iterator[tuple[str, str]]:
    """(English, Vietnamese) text pairs the bundle ships: HS headings and lines, titles, group names."""
    with (data_dir / "hs.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("en") and row.get("vi"):
                yield row["en"], row["vi"]
            if row.get("parent_en") and row.get("parent_vi"):
                yield row["parent_en"], row["parent_vi"]
    with (data_dir / "standards.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("title_en") and row.get("title_vi"):
                yield row["title_en"], row["title_vi"]
    with (data_dir / "ics.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("title_en") and row.get("title_vi"):
                yield row["title_en"], row["title_vi"]


def build_translation(
    pairs: Iterable[tuple[str, str]],
    stop: frozenset[str],
    stop_vi: frozenset[str] = frozenset(),
    min_pairs: int = 2,
    min_dice: float = 0.3,
    top: int = 2,
) -> dict[str, list[tuple[str, float]]]:
    """English stem → Vietnamese folded unigrams/bigrams by Dice association over aligned pairs.

    A pair contributes each (stem, unit) once; units holding a Vietnamese function
    word (``stop_vi``) are never learnt.  Deterministic: ties break on the text.
    """
    seen_pairs: set[tuple[frozenset[str], frozenset[str]]] = set()
    c_en: Counter[str] = Counter()
    c_vi: Counter[str] = Counter()
    c_joint: Counter[tuple[str, str]] = Counter()
    for en, vi in pairs:
        stems = frozenset(_stem(w) for w in english_words(en) if w not in stop and len(w) > 1 and not w.isdigit())
        sy = [w for w in phrase(vi) if not w.isdigit()]
        bigrams = (f"{a} {b}" for a, b in itertools.pairwise(sy) if a not in stop_vi and b not in stop_vi)
        units = frozenset(w for w in sy if w not in stop_vi) | frozenset(bigrams)
        if not stems or not units or (stems, units) in seen_pairs:
            continue
        seen_pairs.add((stems, units))
        c_en.update(stems)
        c_vi.update(units)
        c_joint.update((s, u) for s in stems for u in units)
    best: dict[str, list[tuple[str, float]]] = {}
    for (s, u), n in c_joint.items():
        if n < min_pairs:
            continue
        dice = 2 * n / (c_en[s] + c_vi[u])
        if dice >= min_dice:
            best.setdefault(s, []).append((u, round(dice, 3)))
    out = {}
    for s, cands in sorted(best.items()):
        cands.sort(key=lambda x: (-x[1], -len(x[0].split()), x[0]))
        # a bigram that is as strong as its own unigram says more: keep it first
        out[s] = cands[:top]
    return out


def write_translation(data_dir: Path = DATA) -> Path:
    """Rebuild ``translation.json`` from the bundled aligned data (``make bundle`` calls this)."""
    lex = json.loads((data_dir / "lexicon.json").read_text(encoding="utf-8"))
    stop = frozenset(w.lower() for w in lex["function_words"]["en"]) | {"other", "not", "than", "whether", "nes"}
    # only words whose folded form is no content word ("ông" folds to "ong", bee and pipe)
    stop_vi = frozenset(
        "hoac khac thuoc nhom loai dang tren duoi khong cac nhung cua cho va voi bang trong hay".split()
    )
    stems = build_translation(_aligned_pairs(data_dir), stop, stop_vi)
    path = data_dir / "translation.json"
    body = {
        "about": "Derived by catalogue.lexicon.write_translation from the bundled HS nomenclature (Vietnamese and "
        "English descriptions), bilingual titles and ICS names: English stem -> Vietnamese folded words with their "
        "Dice association. Do not edit; rebuild with `make bundle`.",
        "stems": {s: [[u, d] for u, d in c] for s, c in stems.items()},
    }
    path.write_text(json.dumps(body, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m catalogue.lexicon: rebuild translation.json
    print(write_translation())
