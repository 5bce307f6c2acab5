"""QCVN titles as evidence: which regulations name the product in their own title.

Contracts:

* :class:`TitleIndex` holds the subject of every titled QCVN (or TCVN) of the catalogue —
  the title without "Quy chuẩn kỹ thuật quốc gia về/đối với" — with the products
  the record lists (``extra.products``) and its English title.
* :meth:`TitleIndex.match` returns the QCVN whose subject holds the reading's
  head word and most of its other words (:class:`~catalogue.recommend.textindex.TextIndex`
  scoring), best first.  A hit ``names`` the product when the reading's whole
  product phrase (its content words, in order) begins an item of the title's
  subject and makes up at least :data:`NAMES_SHARE` of it: "xe đạp điện" names
  QCVN 68:2013/BGTVT, "thép" does not name "thép làm cốt bê tông".
* Titles of procedures rather than products (inspection, testing, survey methods,
  data formats …) score :data:`PROCEDURE_FACTOR` of their value: they rarely say
  what a product must meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalogue.model import Standard
from catalogue.recommend.products import Reading
from catalogue.recommend.textindex import TextIndex, analyse, key

__all__ = ["PROCEDURE_FACTOR", "TitleHit", "TitleIndex", "subject"]

PROCEDURE_FACTOR = 0.6
NAMES_SHARE = 2 / 3  # the product phrase holds this share of the title item it heads
MIN_SCORE = 0.75
_PREFIX = re.compile(r"^\s*quy chuẩn kỹ thuật quốc gia\s*(về|đối với|:)?\s*", re.IGNORECASE)
_PROCEDURE = re.compile(
    r"\b(quy trình|qui trình|phương pháp|khảo nghiệm|giám định|điều tra|lấy mẫu|lấy và bảo quản mẫu|mã luật|dự báo|"
    r"quan trắc|bản đồ|cơ sở dữ liệu|cấu trúc|định dạng|chuẩn thông tin|lưới tọa độ|xông hơi|phân tích nguy cơ|"
    r"xây dựng danh mục|kiểm dịch|đào tạo|sát hạch|thông điệp)\b",
    re.IGNORECASE,
)


def subject(title: str) -> str:
    """The regulated subject of a QCVN title."""
    return _PREFIX.sub("", title or "").strip(" .:-")


@dataclass(frozen=True)
class TitleHit:
    number: str
    score: float
    names: bool  # the product phrase begins an item of the title and makes up most of it
    procedure: bool
    exact: bool = False  # … and all of it: "xe đạp điện" is exactly QCVN 68:2013/BGTVT's product


class TitleIndex:
    def __init__(self, records: Iterable[Standard], kind: str = "QCVN") -> None:
        self.text = TextIndex()
        self.subjects: dict[str, str] = {}
        self.procedure: dict[str, bool] = {}
        self.ics: dict[str, list[str]] = {}
        self._items: dict[str, list[tuple[str, ...]]] = {}
        for record in records:
            if record.kind != kind or not (record.title_vi or record.title_en):
                continue
            self.ics[record.number] = list(record.ics)
            own = [subject(record.title_vi or ""), record.title_en or ""]
            own += [p for p in (record.extra or {}).get("products") or [] if isinstance(p, str)]
            self.text.add(record.number, own)
            self.subjects[record.number] = subject(record.title_vi or record.title_en or "")
            self._items[record.number] = _title_items(self.subjects[record.number])
            self.procedure[record.number] = bool(_PROCEDURE.search(record.title_vi or ""))
        self.text.freeze()

    def match(self, reading: Reading, limit: int = 8) -> list[TitleHit]:
        hits = []
        phrase = tuple(key(reading.tokens[p], False) for p in reading.content)
        for hit in self.text.match(reading, min_score=MIN_SCORE * PROCEDURE_FACTOR, limit=60):
            number = str(hit.doc)
            procedure = self.procedure.get(number, False)
            score = hit.score * (PROCEDURE_FACTOR if procedure else 1.0)
            if score < MIN_SCORE * (PROCEDURE_FACTOR if procedure else 1.0):
                continue
            share = self._heads(number, phrase) if phrase and not reading.english else 0.0
            hits.append(TitleHit(number, round(score, 4), share >= NAMES_SHARE, procedure, share >= 1.0))
        hits.sort(key=lambda h: (not h.names, h.procedure, -h.score, h.number))
        return hits[:limit]

    def _heads(self, number: str, phrase: tuple[str, ...]) -> float:
        """The largest share of a title item the product phrase makes up, when it heads the item.

        "xe đạp điện" heads "xe đạp điện" (1.0); "thép" heads "thép làm cốt bê tông"
        (0.2); "tàu biển vỏ thép" is a ship, not steel (0); "nhà kính" a greenhouse.
        """
        best = 0.0
        for words in self._items.get(number, ()):
            if words[: len(phrase)] == phrase:
                best = max(best, len(phrase) / len(words))
        return best


def _title_items(subject_text: str) -> list[tuple[str, ...]]:
    """Folded words of each item of a title's subject, without the words titles put first."""
    out = []
    for item in _ITEMS.split(subject_text):
        words = analyse(item)[1]
        while words and words[0] in _GENERIC:
            words = words[1:]
        if words:
            out.append(words)
    return out


_ITEMS = re.compile(r"[,;:()]|\s-\s|\s(?:và|hoặc)\s|\.\s", re.IGNORECASE)
# Words a title puts before the product: "chất lượng hạt giống lúa", "an toàn đồ chơi trẻ em".
_GENERIC = frozenset(
    "chat luong an toan ve sinh yeu cau ky thuat gioi han doi voi cac san pham hang hoa thiet bi ve cho "
    "tieu huy su dung bao quan kinh doanh san xuat van chuyen".split()
)
