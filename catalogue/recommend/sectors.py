"""Sector-wide rules: standards that apply to every product of a sector (foods, appliances, toys, …).

Contracts:

* :func:`load` reads ``catalogue/data/sector_rules.json`` (curated by hand).
  :func:`validate` lists every reason the file cannot be used: a number not in
  the catalogue, a ``quote`` that is not in the record's title (the rule's basis
  must be checkable), a group slug or an HS prefix that does not exist.
* :meth:`Sector.applies` tells whether a product belongs to the sector, from its
  product groups and its HS lines, and says why (a group, or an HS chapter).
* Sector rules never make a QCVN "mandatory" for a product by themselves: the
  recommender lists them in their own section with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalogue.errors import NotFound
from catalogue.recommend.taxonomy import format_hs
from catalogue.store.database import Store
from catalogue.text import fold, normalize

__all__ = ["SECTOR_FILE", "Sector", "SectorRule", "load", "validate"]

SECTOR_FILE = Path(__file__).resolve().parents[1] / "data" / "sector_rules.json"


@dataclass(frozen=True)
class SectorRule:
    number: str
    topic_vi: str
    topic_en: str
    basis: str
    quote: str


@dataclass(frozen=True)
class Sector:
    id: str
    name_vi: str
    name_en: str
    groups: frozenset[str]
    hs: tuple[str, ...]
    rules: tuple[SectorRule, ...]
    hs_basis: str = ""

    def applies(self, groups: Iterable[str], hs_codes: Iterable[str]) -> tuple[str, str] | None:
        """(reason in Vietnamese, in English) when a product of these groups and HS lines is in the sector."""
        for slug in groups:
            if slug in self.groups:
                return (
                    f"sản phẩm thuộc nhóm «{slug}» là {self.name_vi}",
                    f"the product's group “{slug}” is {self.name_en}",
                )
        for code in hs_codes:
            prefix = next((p for p in self.hs if code.startswith(p)), None)
            if prefix is not None:
                return (
                    f"mã HS {format_hs(code)} thuộc chương/nhóm {format_hs(prefix)} ({self.name_vi})",
                    f"HS {format_hs(code)} falls under {format_hs(prefix)} ({self.name_en})",
                )
        return None


def _sector(data: dict[str, Any]) -> Sector:
    rules = tuple(
        SectorRule(r["number"], r["topic_vi"], r["topic_en"], r.get("basis", "title"), r.get("quote", ""))
        for r in data.get("rules", [])
    )
    return Sector(
        id=data["id"],
        name_vi=data["name_vi"],
        name_en=data["name_en"],
        groups=frozenset(data.get("groups", [])),
        hs=tuple(data.get("hs", [])),
        rules=rules,
        hs_basis=data.get("hs_basis", ""),
    )


def load(path: Path = SECTOR_FILE) -> list[Sector]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [_sector(s) for s in data.get("sectors", [])]


def validate(sectors: list[Sector], store: Store, group_slugs: set[str], hs_exists: Any) -> list[str]:
    """Every reason these sector rules cannot be used (empty: they can)."""
    problems = []
    for sector in sectors:
        problems += [f"{sector.id}: no product group {slug!r}" for slug in sorted(sector.groups - group_slugs)]
        problems += [f"{sector.id}: HS {p} is not in the nomenclature" for p in sector.hs if not hs_exists(p)]
        for rule in sector.rules:
            try:
                record = store.get(rule.number)
            except NotFound:
                problems.append(f"{sector.id}: {rule.number} is not in the catalogue")
                continue
            title = fold(normalize(record.title_vi or "")).lower()
            if rule.basis != "title" or fold(normalize(rule.quote)).lower() not in title:
                problems.append(f"{sector.id}: the title of {rule.number} does not say {rule.quote!r}")
    return problems
