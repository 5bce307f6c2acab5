"""What a recommendation answers: groups, QCVN and TCVN with their reasons, sector rules, the outcome.

These are plain data (``to_dict`` gives the JSON of ``/api/recommend``); the
recommender fills them (:mod:`catalogue.recommend.recommender`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from catalogue.model import Standard

__all__ = ["GroupMatch", "RecommendResult", "Recommendation", "SectorMatch"]


@dataclass
class GroupMatch:
    slug: str
    name_vi: str
    name_en: str
    score: float
    why: list[str] = field(default_factory=list)
    why_en: list[str] = field(default_factory=list)
    measures: dict[str, int] = field(default_factory=dict)


@dataclass
class Recommendation:
    number: str
    slug: str
    title_vi: str | None
    title_en: str | None
    kind: str
    status: str
    mandatory: bool
    legal_basis: str | None
    reason: str
    reason_en: str
    score: float
    basis: str = ""
    replaces: str | None = None  # the edition the link or legal text names, when older (kept for old clients)
    named: list[str] = field(default_factory=list)
    edition_note: str | None = None
    edition_note_en: str | None = None
    replaced_by: list[str] = field(default_factory=list)
    decision: str | None = None
    hs: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    legal_basis_en: str | None = None  # None: the legal basis is record text, in Vietnamese only

    @classmethod
    def of(cls, current: Standard, named: list[Standard], **fields: Any) -> Recommendation:
        """A recommendation of ``current``, found through ``named`` (older editions, or itself)."""
        older = [n.number for n in named if n.number != current.number]
        older = list(dict.fromkeys(older))
        note = note_en = None
        if older:
            note = f"Văn bản nêu {', '.join(older)}; bản hiện hành: {current.number}"
            note_en = f"The text names {', '.join(older)}; current: {current.number}"
        return cls(
            number=current.number,
            slug=current.slug,
            title_vi=current.title_vi,
            title_en=current.title_en,
            kind=current.kind,
            status=current.status,
            replaces=older[0] if older else None,
            named=older,
            edition_note=note,
            edition_note_en=note_en,
            replaced_by=list(current.replaced_by),
            decision=current.decision,
            **fields,
        )


@dataclass
class SectorMatch:
    id: str
    name_vi: str
    name_en: str
    why: str
    why_en: str
    items: list[Recommendation] = field(default_factory=list)


@dataclass
class RecommendResult:
    product: str
    hs: str | None
    outcome: str = "ok"  # ok | none_known | not_understood | question
    reading: dict[str, Any] = field(default_factory=dict)
    groups: list[GroupMatch] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    sector_rules: list[SectorMatch] = field(default_factory=list)
    hs_lines: list[dict[str, Any]] = field(default_factory=list)
    closest: list[GroupMatch] = field(default_factory=list)
    question: dict[str, Any] | None = None
    message: str | None = None
    message_en: str | None = None
    coverage: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
