"""Product groups and the HS nomenclature: what the recommender matches products against.

Contracts:

* A :class:`ProductGroup` links a product family an enterprise recognises to HS
  headings, ICS codes, QCVN (each with its basis) and key TCVN.  A QCVN link
  without a basis is invalid: :func:`validate_group` refuses it, and refuses
  numbers that are not in the catalogue, HS prefixes not in the nomenclature and
  ICS codes not in the ISO list.
* A QCVN link may say which products of the group it covers (``covers``: each
  with ``names``, optional ``hs`` prefixes and optional ``row``, the product of
  the legal row that names this QCVN for it).  Without ``covers`` the link covers
  the whole group.  :func:`validate_group` refuses covers without names, with HS
  prefixes not in the nomenclature, or with a ``row`` that no legal row of this
  QCVN (or of an edition of it) holds.
* :class:`Taxonomy` reads and writes groups and HS lines in the store's SQLite
  file, in the store's transactions.  Every group write bumps
  ``groups_version`` so readers (the recommender) know to reload.
* HS codes are kept as digits only (``65061010``); :func:`hs_digits` and
  :func:`format_hs` convert from and to the dotted form (``6506.10.10``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from catalogue.errors import Conflict, InvalidInput, NotFound, ValidationError
from catalogue.identifiers import parse, parse_loose, slug
from catalogue.search.curations import Curations
from catalogue.store.database import Store
from catalogue.store.groups import GROUP_COLUMNS

__all__ = [
    "BASES",
    "HsLine",
    "ProductGroup",
    "Taxonomy",
    "TaxonomyCurations",
    "format_hs",
    "hs_digits",
    "validate_group",
]

log = logging.getLogger(__name__)

BASES = ("legal", "title")
SECTORS = ("food", "food contact", "agriculture", "consumer", "IT and energy", "construction", "other")
_JSON = ("synonyms", "hs", "ics", "regulations", "standards")


def hs_digits(text: str) -> str:
    """``"6506.10"`` → ``"650610"``; raises :class:`InvalidInput` for anything else."""
    digits = re.sub(r"[\s.\-]", "", text or "")
    if not re.fullmatch(r"\d{2,8}", digits) or len(digits) % 2:
        raise InvalidInput(f"mã HS có 2, 4, 6 hoặc 8 chữ số / HS codes have 2, 4, 6 or 8 digits: {text[:20]!r}")
    return digits


def format_hs(digits: str) -> str:
    """``"65061010"`` → ``"6506.10.10"``; ``"6506"`` stays."""
    parts = [digits[:4]] + [digits[i : i + 2] for i in range(4, len(digits), 2)]
    return ".".join(p for p in parts if p)


@dataclass
class ProductGroup:
    slug: str
    name_vi: str
    name_en: str
    sector: str = "other"
    synonyms: list[str] = field(default_factory=list)
    hs: list[str] = field(default_factory=list)
    ics: list[str] = field(default_factory=list)
    regulations: list[dict[str, Any]] = field(default_factory=list)  # {"number", "basis", "legal_basis"?}
    standards: list[str] = field(default_factory=list)
    version: int = 0
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProductGroup:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class HsLine:
    code: str
    vi: str
    en: str
    parent_vi: str | None
    parent_en: str | None
    heading_vi: str
    heading_en: str
    measures: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return format_hs(self.code)

    @property
    def text_vi(self) -> str:
        return " ".join(filter(None, [self.heading_vi, self.parent_vi, self.vi]))


def validate_group(group: ProductGroup, store: Store, taxonomy: Taxonomy | None = None) -> list[str]:
    """Every reason ``group`` cannot be stored (empty: it can)."""
    problems = []
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", group.slug or ""):
        problems.append(f"slug không hợp lệ / slug must be lower-case words joined by '-': {group.slug!r}")
    if not (group.name_vi or "").strip() or not (group.name_en or "").strip():
        problems.append("thiếu tên tiếng Việt hoặc tiếng Anh / both names are required")
    if group.sector not in SECTORS:
        problems.append(f"lĩnh vực không hợp lệ / sector must be one of {', '.join(SECTORS)}")
    for code in group.hs:
        try:
            digits = hs_digits(code)
        except InvalidInput as exc:
            problems.append(exc.message)
            continue
        if taxonomy is not None and not taxonomy.hs_prefix_exists(digits):
            problems.append(f"mã HS không có trong biểu thuế / HS {code} is not in the nomenclature")
    known_ics = store.ics()
    problems += [f"mã ICS không tồn tại / unknown ICS code {c}" for c in group.ics if c not in known_ics]
    for link in group.regulations:
        number = link.get("number", "")
        if link.get("basis") not in BASES:
            problems.append(f"{number}: thiếu căn cứ / a QCVN link needs a basis ({' or '.join(BASES)})")
        ident = parse_loose(number)
        if ident is None or ident.kind != "QCVN":
            problems.append(f"không phải số hiệu QCVN / not a QCVN number: {number!r}")
            continue
        try:
            store.get(number)
        except NotFound:
            problems.append(f"QCVN không có trong danh mục / {number} is not in the catalogue")
        problems += _cover_problems(link, ident, taxonomy)
    for number in group.standards:
        try:
            store.get(number)
        except NotFound:
            problems.append(f"TCVN không có trong danh mục / {number} is not in the catalogue")
    return problems


def _cover_problems(link: dict[str, Any], ident: Any, taxonomy: Taxonomy | None) -> list[str]:
    covers = link.get("covers")
    if covers is None:
        return []
    number = link.get("number", "")
    if not isinstance(covers, list) or not covers:
        return [f"{number}: covers phải là danh sách / covers must be a non-empty list"]
    problems = []
    rows = None
    for cover in covers:
        names = cover.get("names") if isinstance(cover, dict) else None
        if not names or not all(isinstance(n, str) and n.strip() for n in names):
            problems.append(f"{number}: mỗi sản phẩm cần tên / every covered product needs names")
            continue
        for code in cover.get("hs") or []:
            try:
                digits = hs_digits(code)
            except InvalidInput as exc:
                problems.append(exc.message)
                continue
            if taxonomy is not None and not taxonomy.hs_prefix_exists(digits):
                problems.append(f"mã HS không có trong biểu thuế / HS {code} is not in the nomenclature")
        row = cover.get("row")
        if row and taxonomy is not None:
            if rows is None:
                rows = [r for r in taxonomy.product_regulations() if _names_edition(r, ident)]
            if not any(row in (r.get("product_vi"), r.get("product_en")) for r in rows):
                problems.append(f"{number}: không có văn bản pháp lý nào nêu «{row}» / no legal row names {row!r}")
    return problems


def _names_edition(row: dict[str, Any], ident: Any) -> bool:
    """The legal row names ``ident`` or another edition of the same number."""
    for q in row.get("qcvn") or []:
        other = parse_loose(q)
        if other is not None and other.edition_key == ident.edition_key:
            return True
    return False


class Taxonomy:
    """Product groups and HS lines stored beside the catalogue."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._hs_prefixes: set[str] | None = None

    # -- HS ----------------------------------------------------------------------
    def load_hs(self, rows: Iterable[dict[str, Any]]) -> int:
        """Replace the nomenclature; returns the number of tariff lines."""
        n = 0
        with self.store.transaction() as tx:
            self.store.groups.clear_hs(tx)
            for r in rows:
                if "heading" in r:
                    self.store.groups.insert_heading(tx, r["heading"], r["vi"], r["en"])
                else:
                    self.store.groups.insert_line(
                        tx, r["code"], r["vi"], r["en"], r.get("parent_vi"), r.get("parent_en"), r.get("measures") or []
                    )
                    n += 1
        self._hs_prefixes = None
        return n

    def hs_lines(self) -> Iterator[HsLine]:
        for r in self.store.groups.hs_lines():
            yield HsLine(
                r["code"],
                r["vi"],
                r["en"],
                r["parent_vi"],
                r["parent_en"],
                r["heading_vi"] or "",
                r["heading_en"] or "",
                tuple(r["measures"]),
            )

    def has_hs(self) -> bool:
        return self.store.groups.has_hs()

    def hs_prefix_exists(self, digits: str) -> bool:
        if self._hs_prefixes is None:
            codes = self.store.groups.hs_codes()
            self._hs_prefixes = {c[:n] for c in codes for n in (2, 4, 6, 8)}
        return digits in self._hs_prefixes

    # -- product -> QCVN rows ----------------------------------------------------
    def load_product_regulations(self, rows: Iterable[dict[str, Any]]) -> int:
        with self.store.transaction() as tx:
            self.store.groups.clear_product_regulations(tx)
            n = 0
            for r in rows:
                self.store.groups.insert_product_regulation(tx, r)
                n += 1
        return n

    def product_regulations(self) -> list[dict[str, Any]]:
        return self.store.groups.product_regulations()

    def legal_basis(self, number: str) -> list[dict[str, Any]]:
        """Rows of the product → QCVN data that name ``number`` (an amendment counts for its QCVN)."""
        key = parse(number).key
        found = []
        for row in self.product_regulations():
            idents = [parse_loose(q) for q in row.get("qcvn") or []]
            if any(i is not None and replace(i, amendment=None).key == key for i in idents):
                found.append(row)
        return found

    # -- groups ------------------------------------------------------------------
    @property
    def version(self) -> int:
        return int(self.store.get_meta("groups_version", "0") or 0)

    def save(
        self, group: ProductGroup, *, expected_version: int | None = None, conn: sqlite3.Connection | None = None
    ) -> str:
        """Insert or update by slug after validation; ``new``, ``changed`` or ``unchanged``.

        Writes inside ``conn``'s transaction when given (the unit of work's), else in its own.
        """
        problems = validate_group(group, self.store, self)
        if problems:
            raise ValidationError(f"{group.slug}: {'; '.join(problems)}", problems)
        if conn is None:
            with self.store.transaction() as tx:
                return self.save(group, expected_version=expected_version, conn=tx)
        values = group.to_dict()
        for k in _JSON:
            values[k] = json.dumps(values[k], ensure_ascii=False)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        row = self.store.groups.group(group.slug, conn)
        if row is not None and expected_version is not None and row["version"] != expected_version:
            raise Conflict("bản ghi đã bị người khác sửa / the group was changed by someone else")
        if row is not None and all(row[c] == values[c] for c in GROUP_COLUMNS):
            return "unchanged"
        if row is None:
            self.store.groups.insert_group(conn, group.slug, values, now)
        else:
            self.store.groups.update_group(conn, group.slug, values, now)
        self.store.groups.bump_version(conn)
        return "new" if row is None else "changed"

    def _group(self, row: Any) -> ProductGroup:
        data = dict(row)
        for k in _JSON:
            data[k] = json.loads(data[k])
        return ProductGroup.from_dict(data)

    def groups(self) -> list[ProductGroup]:
        return [self._group(r) for r in self.store.groups.groups()]

    def group(self, group_slug: str) -> ProductGroup:
        row = self.store.groups.group(group_slug)
        if row is None:
            raise NotFound(f"không có nhóm sản phẩm / no product group {group_slug[:60]!r}")
        return self._group(row)


def group_from_curated(data: dict[str, Any]) -> ProductGroup:
    """A group as written in ``product_groups.json`` (slug derived from the name when absent)."""
    data = dict(data)
    data.setdefault("slug", slug(data.get("name_vi", "")))
    return ProductGroup.from_dict(data)


class TaxonomyCurations:
    """The product names of the groups and of the legal rows, as search curations
    (:class:`catalogue.search.curations.CurationSource`).

    A regulation link with ``covers`` is named by its covers' names; one without
    covers the whole group, so the group's name and synonyms name it; a legal row
    names its QCVN by ``product_vi``.  Rebuilt when ``groups_version`` changes,
    checked at most every :attr:`CHECK_EVERY` seconds; a store that cannot be read
    keeps the curations last read.
    """

    CHECK_EVERY = 1.0

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._version: int | None = None
        self._checked = 0.0
        self._curations = Curations()

    def current(self) -> Curations:
        now = time.monotonic()
        if now - self._checked < self.CHECK_EVERY and self._version is not None:
            return self._curations
        self._checked = now
        try:
            version = self.taxonomy.version
            if version != self._version:
                self._curations = Curations(self._pairs())
                self._version = version
        except Exception:
            log.warning("product names unreadable; search keeps the previous curations", exc_info=True)
        return self._curations

    def _pairs(self) -> Iterator[tuple[str, list[str]]]:
        for group in self.taxonomy.groups():
            for link in group.regulations:
                number = [link.get("number") or ""]
                if link.get("covers"):
                    for cover in link["covers"]:
                        yield from ((name, number) for name in cover.get("names") or [])
                else:
                    yield from ((name, number) for name in [group.name_vi, group.name_en, *group.synonyms])
        for row in self.taxonomy.product_regulations():
            numbers = [n for n in row.get("qcvn") or [] if str(n).startswith("QCVN")]
            if row.get("product_vi"):
                yield row["product_vi"], numbers
