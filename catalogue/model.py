"""The :class:`Standard` record: one TCVN or QCVN edition as the catalogue knows it.

Contract: a ``Standard`` is plain data.  :meth:`Standard.to_dict` and
:meth:`Standard.from_dict` round-trip through JSON, which is how the bundle, the
store's JSON columns and the API exchange records.  :func:`validate` lists every
problem of a record (empty list: valid); it is the one validation used by the
bundle loader, imports and the crawler.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from catalogue.errors import InvalidIdentifier
from catalogue.identifiers import Identifier, parse

__all__ = [
    "BASES",
    "LATE_FIELDS",
    "STATUSES",
    "YEAR_MAX",
    "YEAR_MIN",
    "Equivalence",
    "Standard",
    "same_subject",
    "validate",
]

STATUSES = ("active", "withdrawn", "replaced", "draft", "unknown")
# Where a status comes from, strongest first (see catalogue/editions.py for the rules).
BASES = ("official", "stated", "presumed", "unknown")
_LEGACY_BASES = {"source": "stated", "inferred": "presumed"}
# Bounds of a year filter (search requests, the CLI and the API's schema share them).
YEAR_MIN, YEAR_MAX = 1900, 2100
# Single-valued text fields a source may supply (the store, imports and editors share this list).
SCALAR_FIELDS = (
    "title_vi",
    "title_en",
    "scope_vi",
    "technical_committee",
    "decision",
    "decision_date",
    "issue_date",
    "effective_date",
    "pages",
    "withdrawn_by",
    "withdrawn_date",
)
# Fields added after records were first hashed: left out of the content hash while empty, so adding them
# rewrote no stored record (catalogue/store/database.py).
LATE_FIELDS = ("withdrawn_by", "withdrawn_date")
STATUS_LABELS = {
    "active": ("Còn hiệu lực", "Active"),
    "withdrawn": ("Hết hiệu lực", "Withdrawn"),
    "replaced": ("Đã bị thay thế", "Replaced"),
    "draft": ("Dự thảo", "Draft"),
    "unknown": ("Chưa rõ", "Unknown"),
}
DEGREES = {
    "IDT": ("Tương đương hoàn toàn", "Identical"),
    "MOD": ("Tương đương có sửa đổi", "Modified"),
    "NEQ": ("Không tương đương", "Not equivalent"),
}


@dataclass
class Equivalence:
    """An international document the standard adopts, with the degree IDT/MOD/NEQ."""

    number: str
    degree: str | None = None


@dataclass
class Standard:
    """One edition.  ``number`` is the display spelling; ``key`` the comparison key.

    ``status_basis`` says where ``status`` comes from (:data:`BASES`):
    ``official`` (the official catalogue page), ``stated`` (a cited source says
    so), ``presumed`` (reasoned by a rule of :mod:`catalogue.editions`, not an
    official statement) or ``unknown``.  ``status_reason`` holds the evidence:
    ``rule`` (required when presumed), ``via`` (the other number the rule used),
    ``ref``/``kind``/``trust``/``quote`` (the source that states it).

    Older spellings of the basis (``source``, ``inferred``, ``None``) are read as
    ``stated``, ``presumed`` and ``stated``/``unknown``, so old stores and
    writers stay valid.
    """

    number: str
    title_vi: str | None = None
    title_en: str | None = None
    scope_vi: str | None = None
    status: str = "unknown"
    status_basis: str = "unknown"
    status_reason: dict[str, Any] = field(default_factory=dict)
    replaces: list[str] = field(default_factory=list)
    replaced_by: list[str] = field(default_factory=list)
    amendments: list[dict[str, Any]] = field(default_factory=list)
    ics: list[str] = field(default_factory=list)
    equivalents: list[Equivalence] = field(default_factory=list)
    technical_committee: str | None = None
    decision: str | None = None
    decision_date: str | None = None
    issue_date: str | None = None
    effective_date: str | None = None
    pages: int | None = None
    withdrawn_by: str | None = None  # the decision that withdrew this edition (never the issuing ``decision``)
    withdrawn_date: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    updated_at: str | None = None
    version: int = 0

    def __post_init__(self) -> None:
        basis = _LEGACY_BASES.get(self.status_basis or "", self.status_basis)
        if self.status == "unknown":
            basis = "unknown"
        elif basis in (None, "", "unknown"):
            basis = "stated"  # a status given without its basis came from whoever supplied it
        self.status_basis = basis
        if self.status_reason is None:
            self.status_reason = {}

    # -- derived from the number -------------------------------------------------
    @property
    def ident(self) -> Identifier:
        return parse(self.number)

    @property
    def key(self) -> str:
        return self.ident.key

    @property
    def kind(self) -> str:
        return self.ident.kind or "TCVN"

    @property
    def year(self) -> int | None:
        return self.ident.year

    @property
    def ministry(self) -> str | None:
        return self.ident.ministry

    @property
    def slug(self) -> str:
        return self.ident.slug()

    @property
    def title(self) -> str:
        """Best title for display; never empty."""
        return self.title_vi or self.title_en or "(chưa có tên / untitled)"

    # -- serialisation -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Standard:
        known = _field_names(cls)
        values = {k: v for k, v in data.items() if k in known}
        values["equivalents"] = [
            e if isinstance(e, Equivalence) else Equivalence(**e) for e in values.get("equivalents") or []
        ]
        return cls(**values)


@functools.cache  # a store read makes thousands of records: the field names once
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


_GENERIC = frozenset(
    "quy chuan ky thuat quoc gia ve doi voi cac va cho trong tieu viet nam phan yeu cau chung an toan".split()
)


def _subject_words(title: str) -> list[str]:
    from catalogue.text import fold

    return [w for w in re.findall(r"\w+", fold(title).lower()) if w not in _GENERIC and not w.isdigit()]


def same_subject(a: Standard, b: Standard) -> bool:
    """Whether two records sharing a number are editions of one document.

    Ministries reuse QCVN numbers for unrelated subjects (QCVN 04:2013/BCT is about
    LPG cylinders, QCVN 04:2015/BCT about detonating cord), so for QCVN a shared
    number is not enough: the titles must start with the same subject word and
    share at least half of their subject words.  Without both titles nothing can
    be said, and the answer is no.  TCVN sharing a number are editions.
    """
    if a.kind == b.kind == "TCVN":
        return True  # TCVN numbers are not reused across subjects
    if not (a.title_vi and b.title_vi):
        return False
    wa, wb = _subject_words(a.title_vi), _subject_words(b.title_vi)
    if not (wa and wb) or wa[0] != wb[0]:  # the head word names the subject: "trạm nạp" is not "chai"
        return False
    return len(set(wa) & set(wb)) / min(len(set(wa)), len(set(wb))) >= 0.5


def _is_date(value: str | None) -> bool:
    if value is None:
        return True
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return dt.date(1945, 1, 1) <= day <= dt.date.today() + dt.timedelta(days=3 * 366)


def validate(record: Standard, *, require_title: bool = True) -> list[str]:
    """Every reason the record cannot be stored; an empty list means it can.

    ``require_title=False`` is for numbers confirmed by a cited source whose title
    no source gives (the bundle keeps them); crawled and imported rows need one.
    """
    problems = []
    try:
        ident = parse(record.number)
    except InvalidIdentifier as exc:
        return [exc.message]
    if not ident.is_complete:
        problems.append(f"số hiệu thiếu năm hoặc bộ / number lacks year or ministry: {record.number}")
    if require_title and not (record.title_vi or record.title_en):
        problems.append("thiếu tên / no title")
    if record.status not in STATUSES:
        problems.append(f"tình trạng không hợp lệ / unknown status {record.status!r}")
    if record.status_basis not in BASES:
        problems.append(f"căn cứ tình trạng không hợp lệ / unknown status basis {record.status_basis!r}")
    elif record.status_basis == "presumed" and not record.status_reason.get("rule"):
        problems.append("tình trạng suy đoán phải nêu quy tắc / a presumed status must name its rule")
    for name in ("decision_date", "issue_date", "effective_date", "withdrawn_date"):
        if not _is_date(getattr(record, name)):
            problems.append(f"ngày không hợp lệ / impossible date in {name}: {getattr(record, name)!r}")
    for rel in record.replaces + record.replaced_by:
        try:
            parse(rel)
        except InvalidIdentifier:
            problems.append(f"liên kết không phải số hiệu / relation is not a number: {rel!r}")
    for eq in record.equivalents:
        if eq.degree not in (None, *DEGREES):
            problems.append(f"mức tương đương không hợp lệ / unknown degree {eq.degree!r}")
    if record.pages is not None and not (0 < record.pages < 100000):
        problems.append(f"số trang không hợp lệ / implausible page count {record.pages}")
    return problems
