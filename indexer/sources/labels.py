"""The official catalogue's bilingual field labels, and how a piece of text is recognised as one.

A label is the Vietnamese part, the English part, or both, in either order,
joined by a slash, a colon, a line break, inline markup or nothing, in any case,
with or without a trailing colon, with any whitespace (NBSP included).

Contracts:

* :func:`whole_label` answers the field when a text is *only* a label (every
  character belongs to a label of one field or is punctuation/space), else ``None``.
  It is used on the whole text of an element, so markup inside the label does not matter.
* :func:`prefix_label` answers ``(field, rest)`` when a line *starts* with a label
  followed by its value.  Labels that are also everyday words ("Giá trị …" is a
  title, "Giá:" a label) count only before a separator, alone, or as the twin of
  the field being read (``twin_of``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from catalogue.text import fold

__all__ = ["LABELS", "SEPARATORS", "prefix_label", "strip_separators", "whole_label"]

# field -> labels as printed on the official pages (SITE_STRUCTURE.md), both languages
LABELS: dict[str, list[str]] = {
    "number": ["Số hiệu", "Standard Number"],
    "year": ["Năm ban hành", "Publication date"],
    # "Tình trạng hiệu lực" is the mirrors' spelling; QCVN pages may use it
    "status": ["Tình trạng hiệu lực", "Tình trạng", "Validation Status", "Status"],
    "title_vi": ["Tên tiếng Việt", "Title in Vietnamese"],
    "title_en": ["Tên tiếng Anh", "Title in English"],
    "equivalent": ["Tiêu chuẩn tương đương", "Equivalent to"],
    "replaces": ["Thay thế cho", "Replace"],
    "replaced_by": ["Thay thế bằng", "Replaced by"],
    "history": ["Lịch sử soát xét", "History of version"],
    "ics": ["Chỉ số phân loại Quốc tế (ICS)", "Chỉ số phân loại Quốc tế", "Chỉ số phân loại", "By field"],
    "specialized_field": ["Lĩnh vực chuyên ngành", "Specialized field"],
    "pages": ["Số trang", "Page"],
    "price": ["Giá", "Price"],
    "scope": ["Phạm vi áp dụng", "Scope of standard"],
    "references": ["Tiêu chuẩn viện dẫn", "Nomative references", "Normative references"],
    "decision": ["Quyết định công bố", "Decision number"],
    "committee": ["Ban kỹ thuật", "Technical Committee"],
    "agency": ["Cơ quan biên soạn", "Compilation agency"],
    "item_code": ["Mã hàng hóa", "Item code"],
    # the mirrors' date labels (SITE_STRUCTURE.md §2-3); a QCVN page may carry them
    "issue_date": ["Ngày ban hành"],
    "effective_date": ["Ngày có hiệu lực", "Ngày hiệu lực"],
}
SEPARATORS = " :：/|-–—\u00a0"
_WORDLIKE = frozenset({"gia", "price", "page", "status", "replace"})
_SEP_AFTER = (":", "：", "/", "|")


class _FoldTable(dict[int, str]):
    """``str.translate`` table folding and case-folding one character to one character, filled as met."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        f = fold(c).casefold()
        self[code] = f if len(f) == 1 else (c.casefold()[:1] or " ")
        return self[code]


_FOLD = _FoldTable()
_NOT_ALNUM = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    """Letters and digits only, folded: NFC or NFD input alike (combining marks are dropped)."""
    return _NOT_ALNUM.sub("", text.translate(_FOLD))


def _lang(label: str) -> str:
    return "en" if label.isascii() else "vi"  # every Vietnamese label carries a diacritic


# one alternation per field, each label squashed to letters and digits: "sohieu|standardnumber"
_WHOLE = re.compile(
    "|".join(
        f"(?P<{name}>(?:{'|'.join(sorted({_squash(lab) for lab in labels}, key=len, reverse=True))})+)"
        for name, labels in LABELS.items()
    )
)
_SQUASHED = {name: [(_squash(lab), _lang(lab)) for lab in labels] for name, labels in LABELS.items()}
_PREFIX = sorted(
    ((" ".join(fold(lab).casefold().split()), name, _lang(lab)) for name, labels in LABELS.items() for lab in labels),
    key=lambda x: -len(x[0]),
)
_LONGEST = max(len(k) for k, _, _ in _PREFIX) + 4
_BY_INITIAL: dict[str, list[tuple[str, str, str]]] = {}
for _entry in _PREFIX:
    _BY_INITIAL.setdefault(_entry[0][0], []).append(_entry)


@lru_cache(maxsize=8192)
def whole_label(text: str) -> tuple[str, frozenset[str]] | None:
    """``(field, languages)`` when ``text`` is nothing but a label, else ``None``.

    ``"SỐ HIỆU / Standard Number:"`` → ``("number", {"vi", "en"})``.
    """
    key = _squash(text)
    if not key or len(key) > 80:
        return None
    m = _WHOLE.fullmatch(key)
    if not m:
        return None
    name = m.lastgroup or ""
    return name, frozenset(lang for sq, lang in _SQUASHED[name] if sq in key)


def _key(text: str) -> str:
    """Folded, case-folded, one character per character of ``text`` (offsets stay valid)."""
    return text.translate(_FOLD)


def strip_separators(text: str) -> str:
    return text.lstrip(SEPARATORS).strip()


def prefix_label(
    line: str, twin_of: str | None = None, seen: frozenset[str] = frozenset(), loose: bool = False
) -> tuple[str, str, frozenset[str]] | None:
    """``(field, rest, languages)`` when ``line`` starts with a label; twins are consumed.

    ``line`` has its whitespace collapsed.  A label is taken when it is followed by
    a separator or ends the line ("closed"), or, unless it is word-like, by a word
    ("Năm ban hành 2010").  ``twin_of`` is the field whose label was just read with
    no value yet, in the languages ``seen``: a label of that field in a language
    already seen is its value ("Ban kỹ thuật" / "Ban kỹ thuật Thực phẩm"), and one
    in the other language (its twin) must be closed, unless ``loose`` (a new line
    after the label: "Số trang" then "Page 10").
    """
    key = _key(line[:_LONGEST])
    for label, name, lang in _BY_INITIAL.get(key[:1], ()):
        if not key.startswith(label):
            continue
        end = len(label)
        if end < len(key) and key[end].isalnum():
            continue  # "Replaced" is not "Replace"
        raw_rest = line[end:]
        rest = strip_separators(raw_rest)
        twin = name == twin_of
        if twin and lang in seen:
            continue
        closed = not rest or raw_rest.lstrip(" \u00a0").startswith(_SEP_AFTER)
        if not closed and not (twin and loose):
            if twin:
                continue
            if label in _WORDLIKE:
                other = prefix_label(rest, name, frozenset({lang}))
                if other is None or other[0] != name:
                    continue
        langs = frozenset({lang})
        while rest and (again := prefix_label(rest, name, langs)) is not None and again[0] == name:
            rest, langs = again[1], langs | again[2]  # "Số hiệu / Standard Number: TCVN ..."
        return name, rest, langs
    return None
