"""The HS nomenclature as the recommender reads it: tariff lines, their quality measures, text → lines.

Contracts:

* :func:`classify` reads a measure label of the tariff data ("Hàng hóa nhóm 2
  (2711/QĐ-BKHCN 2022)") as a :class:`Measure`: its kind (``group2``: a list of
  group-2 goods, i.e. goods that must conform to a QCVN; ``food_safety``: a
  ministry's food-safety inspection list; ``other``: energy labels, metrology,
  minerals), the ministries whose QCVN it can be the basis for, and its text in
  Vietnamese and English.  The rules are :data:`MEASURE_RULES`, first match wins.
* :class:`HsIndex` holds every tariff line: :meth:`HsIndex.under` gives the lines
  below a code of any length (2 to 8 digits), :meth:`HsIndex.match` the lines
  whose description (with its sub-heading and heading) is the product of a
  reading, best first.
* :func:`ministry` is the issuing ministry of a QCVN number (``/BKHCN``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from catalogue.recommend.products import Reading, stem
from catalogue.recommend.taxonomy import HsLine, format_hs
from catalogue.recommend.textindex import TextIndex
from catalogue.text import fold

HEAD_BONUS = 0.1  # a line whose description begins with the product's first two words

__all__ = ["MEASURE_RULES", "HsIndex", "LineMatch", "Measure", "classify", "ministry"]

MINISTRY_NAMES = {
    "BKHCN": ("Bộ Khoa học và Công nghệ", "the Ministry of Science and Technology"),
    "BCT": ("Bộ Công Thương", "the Ministry of Industry and Trade"),
    "BLĐTBXH": ("Bộ Lao động - Thương binh và Xã hội", "the Ministry of Labour, Invalids and Social Affairs"),
    "BCA": ("Bộ Công an", "the Ministry of Public Security"),
    "BGTVT": ("Bộ Giao thông vận tải", "the Ministry of Transport"),
    "BTTTT": ("Bộ Thông tin và Truyền thông", "the Ministry of Information and Communications"),
    "BXD": ("Bộ Xây dựng", "the Ministry of Construction"),
    "BYT": ("Bộ Y tế", "the Ministry of Health"),
    "BNNPTNT": ("Bộ Nông nghiệp và Phát triển nông thôn", "the Ministry of Agriculture and Rural Development"),
}

# (pattern, kind, ministries whose QCVN the list is a basis for); first match wins.
MEASURE_RULES: list[tuple[re.Pattern[str], str, frozenset[str]]] = [
    (re.compile(r"1182/QĐ-BCT-PL2"), "food_safety", frozenset({"BCT"})),
    (re.compile(r"1725/QĐ-BCT"), "other", frozenset()),  # energy labelling: no QCVN
    (re.compile(r"2284/QĐ-BKHCN"), "other", frozenset()),  # metrology of measuring instruments
    (re.compile(r"04/2021/TT-BXD"), "other", frozenset()),  # minerals for building materials
    (re.compile(r"29/2025/TT-BKHCN"), "group2", frozenset({"BKHCN", "BTTTT"})),  # IT and telecom, since 2025
    (re.compile(r"(2711|366)/QĐ-BKHCN|367/QĐ-BHKCN"), "group2", frozenset({"BKHCN"})),
    (re.compile(r"1182/QĐ-BCT-PL1"), "group2", frozenset({"BCT"})),
    (re.compile(r"(9981|6266)/QĐ-BCA"), "group2", frozenset({"BCA"})),
    (re.compile(r"12/2022/TT-BGTVT"), "group2", frozenset({"BGTVT"})),
    (re.compile(r"01/2021/TT-BLĐTBXH"), "group2", frozenset({"BLĐTBXH"})),
]


@dataclass(frozen=True)
class Measure:
    label: str
    kind: str
    ministries: frozenset[str]
    vi: str
    en: str

    def covers(self, qcvn_ministry: str | None) -> bool:
        """This list is a basis for a QCVN of ``qcvn_ministry``: a group-2 list of that ministry.

        A food-safety inspection list is shown with the line but grounds no "mandatory":
        only group-2 lists say that a product must conform to its ministry's QCVN.
        """
        return self.kind == "group2" and qcvn_ministry is not None and qcvn_ministry in self.ministries


@lru_cache(maxsize=256)
def classify(label: str) -> Measure:
    basis = re.search(r"\(([^()]*)\)\s*\*?$", label)
    ref = f" ({basis.group(1)})" if basis else ""
    kind, ministries = next(
        ((k, m) for pattern, k, m in MEASURE_RULES if pattern.search(label)), ("other", frozenset[str]())
    )
    if kind in ("group2", "food_safety") and ministries:
        owner = sorted(ministries)[0] if len(ministries) == 1 else "BKHCN"
        vi_name, en_name = MINISTRY_NAMES.get(owner, (owner, owner))
        if kind == "group2":
            return Measure(
                label, kind, ministries, f"Hàng hóa nhóm 2 thuộc {vi_name}{ref}", f"Group-2 goods under {en_name}{ref}"
            )
        return Measure(
            label,
            kind,
            ministries,
            f"Hàng hóa kiểm tra an toàn thực phẩm của {vi_name}{ref}",
            f"Goods under the food-safety inspection of {en_name}{ref}",
        )
    return Measure(label, kind, ministries, label, label)


def ministry(number: str) -> str | None:
    """``"QCVN 2:2021/BKHCN"`` → ``"BKHCN"``."""
    match = re.search(r"/([A-ZĐ]+)\s*$", number.strip())
    return match.group(1) if match else None


_ITEM = re.compile(r"[,;:()]|\s(?:và|hoặc|and|or)\s")
_LEADING = frozenset("cac loai nhung mot cua the a an of".split())


@cache  # headings and sub-headings repeat across lines; cleared after the build
def _items(text: str) -> tuple[tuple[str, ...], ...]:
    out = []
    for item in _ITEM.split(text.lower()):
        words = [fold(w) for w in re.findall(r"\w+", item)]
        while words and words[0] in _LEADING:
            words = words[1:]
        if words:
            out.append(tuple(words))
    return tuple(out)


@cache
def _item_heads(text: str) -> frozenset[str]:
    """The first word (folded, and English singular) of each item of a description."""
    return frozenset(h for words in _items(text) for h in (words[0], stem(words[0])))


@cache
def _item_leads(text: str) -> frozenset[tuple[str, ...]]:
    """The first two words of each item (folded, and English singular)."""
    out = set()
    for words in _items(text):
        if len(words) > 1:
            out.add(tuple(words[:2]))
            out.add((stem(words[0]), stem(words[1])))
    return frozenset(out)


@dataclass(frozen=True)
class LineMatch:
    line: HsLine
    score: float
    matched: frozenset[int]

    @property
    def code(self) -> str:
        return self.line.code


class HsIndex:
    """Every tariff line, by code and by description."""

    def __init__(self, lines: Iterable[HsLine]) -> None:
        self.lines = {line.code: line for line in lines}
        self.codes = sorted(self.lines)
        self.text = TextIndex()
        self._heads: dict[str, frozenset[str]] = {}
        self._leads: dict[str, frozenset[tuple[str, ...]]] = {}
        for line in self.lines.values():
            # the sub-heading names the product of lines such as "Loại khác" or "Có nồng độ cồn …"
            own = [line.vi, line.en, line.parent_vi or "", line.parent_en or ""]
            context = [line.heading_vi, line.heading_en]
            self.text.add(line.code, own, context)
            texts = (line.vi, line.parent_vi, line.heading_vi, line.en, line.parent_en, line.heading_en)
            self._heads[line.code] = frozenset().union(*(_item_heads(t) for t in texts if t))
            leads = (line.vi, line.parent_vi, line.en, line.parent_en)
            self._leads[line.code] = frozenset().union(*(_item_leads(t) for t in leads if t))
        for cached in (_items, _item_heads, _item_leads):
            cached.cache_clear()
        self.text.freeze()

    def under(self, prefix: str) -> list[HsLine]:
        """Lines whose code starts with ``prefix`` (2 to 8 digits), in code order."""
        i = bisect.bisect_left(self.codes, prefix)
        out = []
        while i < len(self.codes) and self.codes[i].startswith(prefix):
            out.append(self.lines[self.codes[i]])
            i += 1
        return out

    def exists(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.codes, prefix)
        return i < len(self.codes) and self.codes[i].startswith(prefix)

    def match(self, reading: Reading, min_score: float = 0.6, spread: float = 0.08, limit: int = 40) -> list[LineMatch]:
        """Lines describing the reading's product: the best score and those within ``spread`` of it.

        A line must be *headed* by the reading's head word: one of its texts (own,
        sub-heading, heading) starts an item with it.  "xe máy" does not find
        "Mũ bảo hiểm cho người đi xe máy", whose product is the helmet.
        """
        head = reading.head
        if head is None:
            return []
        word = reading.tokens[head].stem if reading.english else reading.tokens[head].folded
        lead = tuple(
            reading.tokens[p].stem if reading.english else reading.tokens[p].folded for p in reading.content[:2]
        )
        scored = []
        for h in self.text.match(reading, min_score=min_score, limit=400):
            if not self._headed(str(h.doc), word):
                continue
            line = self.lines[str(h.doc)]
            bonus = HEAD_BONUS if len(lead) > 1 and lead in self._leads[line.code] else 0.0
            scored.append((round(h.score + bonus, 4), h))
        if not scored:
            return []
        scored.sort(key=lambda sh: (-sh[0], str(sh[1].doc)))
        best = scored[0][0]
        return [LineMatch(self.lines[str(h.doc)], sc, h.matched) for sc, h in scored if sc >= best - spread][:limit]

    def _headed(self, code: str, word: str) -> bool:
        return word in self._heads[code]

    @staticmethod
    def measures(line: HsLine) -> list[Measure]:
        return [classify(label) for label in line.measures]

    @staticmethod
    def describe(line: HsLine) -> str:
        parts = [
            line.heading_vi,
            line.parent_vi if line.parent_vi and line.parent_vi != line.heading_vi else "",
            line.vi,
        ]
        return f"{format_hs(line.code)} " + " — ".join(p for p in parts if p)
