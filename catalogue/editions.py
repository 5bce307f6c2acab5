"""Editions and their status: which edition is current, and on what basis.

A status has a basis (:data:`catalogue.model.BASES`), strongest first:

* ``official`` — the official catalogue page says so (set by whoever read the page);
* ``stated`` — a cited source says so (a :class:`Statement`); the most trusted
  statement wins, and at equal trust a replacement or withdrawal outranks "in force";
* ``presumed`` — reasoned by one of :data:`RULES`, whose name is kept in
  ``status_reason["rule"]`` with the number or list it relied on;
* ``unknown`` — nothing above applies.

Contracts:

* :func:`settle` never overrides a stronger basis with a weaker one: an official
  status is kept, a statement beats every presumption, and a presumption only
  fills an ``unknown``.  Rules run one after the other over all records, in the
  order of :data:`RULES`, so a rule sees what earlier rules concluded.
* QCVN numbers are reused across subjects, so "editions" of a QCVN are only the
  records sharing its number *and* its subject (:func:`catalogue.model.same_subject`).
* A draft is never current and never replaces anything.
* :func:`current_edition` follows recorded replacements, then prefers the newest
  non-withdrawn edition of the same subject; :func:`current_number` says which
  number is current for a record, or ``None`` when nothing says so.
* :func:`timeline` lists the editions around a record (same number, replacement
  chain, historic codes), oldest first.

The functions read records through :class:`Holdings` (the store satisfies it;
:class:`MemoryHoldings` is the in-memory double the bundle builder and tests use).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from catalogue.errors import InvalidIdentifier, NotFound
from catalogue.identifiers import parse, parse_loose
from catalogue.model import Standard, same_subject

__all__ = [
    "RECENT_LIST_FROM",
    "RULES",
    "Edition",
    "Holdings",
    "ListBasis",
    "MemoryHoldings",
    "Statement",
    "current_edition",
    "current_number",
    "link_relations",
    "settle",
    "timeline",
]

# Trust labels of the sources, highest first (PROVENANCE.md); unknown labels rank lowest.
TRUST_RANK = {"official": 4, "high": 4, "semi-official": 3, "medium": 2, "secondary": 2, "citation": 1, "low": 0}
# At equal trust, news of a replacement or withdrawal is later news than "in force".
STATUS_WEIGHT = {"withdrawn": 2, "replaced": 2, "draft": 2, "active": 1}
RECENT_LIST_FROM = 2020  # a list issued from this year on is "recent" (fixed: the bundle must be reproducible)
MAX_TIMELINE = 16
MAX_HOPS = 5


class Holdings(Protocol):
    """Read access to the records held.

    ``get`` accepts any spelling of a number and raises :class:`NotFound` when it is
    not held; ``editions`` returns every record sharing an edition key, newest first.
    """

    def get(self, number: str) -> Standard: ...

    def editions(self, edition_key: str) -> list[Standard]: ...


class MemoryHoldings:
    """:class:`Holdings` over the records given (an index build's, the bundle builder's and the tests' double).

    The set of records is fixed when made (their fields may change); records of
    one edition key come newest first, then in the order given, as the store's do.
    """

    def __init__(self, records: Iterable[Standard] = ()) -> None:
        self.records: dict[str, Standard] = {}
        for record in records:
            self.records[record.key] = record
        self._editions: dict[str, list[Standard]] = {}
        for record in self.records.values():
            self._editions.setdefault(record.ident.edition_key, []).append(record)

    def get(self, number: str) -> Standard:
        ident = parse_loose(number)
        record = self.records.get(ident.key) if ident is not None else None
        if record is None:
            raise NotFound(f"không có tiêu chuẩn / no standard {number[:80]!r}")
        return record

    def editions(self, edition_key: str) -> list[Standard]:
        return sorted(self._editions.get(edition_key, ()), key=lambda r: -(r.year or 0))


@dataclass(frozen=True)
class Statement:
    """A source's statement of a record's status (a status text, a quoted fact, a replacement)."""

    status: str
    ref: str
    kind: str | None = None
    trust: str | None = None
    quote: str | None = None
    date: str | None = None
    other: str | None = None
    said: str | None = None  # the source's own status wording (a label, not a quote of a text)

    @property
    def rank(self) -> tuple[int, int, str]:
        return TRUST_RANK.get(self.trust or "", 0), STATUS_WEIGHT.get(self.status, 0), self.ref

    def reason(self) -> dict[str, Any]:
        fields = ("ref", "kind", "trust", "quote", "date", "other", "said")
        return {k: getattr(self, k) for k in fields if getattr(self, k)}


@dataclass(frozen=True)
class ListBasis:
    """A list citing editions as applicable: an official list, or a ministry's draft.

    A record is listed by it when one of its sources' ``ref`` contains
    ``ref_contains`` and, if ``extra`` is given, the record's ``extra`` has that
    ``(key, value)`` (e.g. the row is the issuing article of a codified circular).
    ``year`` is how far the list's content reaches.
    """

    ref_contains: str
    name_vi: str
    name_en: str
    year: int
    draft: bool = False
    extra: tuple[str, Any] | None = None

    def source_of(self, record: Standard) -> dict[str, Any] | None:
        if self.extra is not None and record.extra.get(self.extra[0]) != self.extra[1]:
            return None
        return next((s for s in record.sources if self.ref_contains in str(s.get("ref") or "")), None)


def _key(number: str) -> str | None:
    try:
        return parse(number).key
    except InvalidIdentifier:
        return None


def link_relations(records: Mapping[str, Standard]) -> int:
    """Make ``replaces`` / ``replaced_by`` symmetric between held records; returns links added."""
    added = 0
    for key in sorted(records):
        rec = records[key]
        for other in list(rec.replaces):
            target = records.get(_key(other) or "")
            if target is not None and target.key != rec.key and rec.number not in target.replaced_by:
                target.replaced_by.append(rec.number)
                added += 1
        for other in list(rec.replaced_by):
            target = records.get(_key(other) or "")
            if target is not None and target.key != rec.key and rec.number not in target.replaces:
                target.replaces.append(rec.number)
                added += 1
    return added


# -- the rules --------------------------------------------------------------------------
@dataclass
class _Context:
    records: Mapping[str, Standard]
    lists: Sequence[ListBasis]
    by_edition: dict[str, list[Standard]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for rec in self.records.values():
            self.by_edition.setdefault(rec.ident.edition_key, []).append(rec)

    def held(self, number: str) -> Standard | None:
        return self.records.get(_key(number) or "")

    def siblings(self, rec: Standard) -> list[Standard]:
        """Other editions of the same subject (drafts excluded), oldest first."""
        found = [
            e
            for e in self.by_edition.get(rec.ident.edition_key, [])
            if e.key != rec.key and e.status != "draft" and not e.ident.amendment and same_subject(e, rec)
        ]
        return sorted(found, key=lambda e: (e.year or 0, e.key))

    def newer(self, rec: Standard) -> list[Standard]:
        return [e for e in self.siblings(rec) if (e.year or 0) > (rec.year or 0)]


Verdict = tuple[str, dict[str, Any]]


def _replacement_held(rec: Standard, ctx: _Context) -> Verdict | None:
    """A record whose replacement is held is replaced (the link may be recorded on either side)."""
    for number in sorted(rec.replaced_by, key=lambda n: -_year(n)):
        other = ctx.held(number)
        if other is not None and other.status != "draft":
            return "replaced", {"via": other.number}
    return None


def _newer_edition_held(rec: Standard, ctx: _Context) -> Verdict | None:
    """A newer edition of the same number and subject is held: this one is replaced by it."""
    newer = ctx.newer(rec)
    return ("replaced", {"via": newer[0].number}) if newer else None


def _replaces_unreplaced(rec: Standard, ctx: _Context) -> Verdict | None:
    """It replaces another (a historic TCXD code too), and nothing held replaces it."""
    replaced = rec.replaces + [h["number"] for h in rec.extra.get("historic") or []]
    if replaced and not rec.replaced_by and not ctx.newer(rec) and rec.status != "draft":
        return "active", {"via": replaced[0]}
    return None


def _newest_edition(rec: Standard, ctx: _Context) -> Verdict | None:
    """The newest edition of a series is current when an older edition is replaced."""
    if rec.replaced_by or ctx.newer(rec):
        return None
    older = [e for e in ctx.siblings(rec) if (e.year or 0) < (rec.year or 0) and e.status == "replaced"]
    return ("active", {"via": older[-1].number}) if older else None


def _listed(draft: bool) -> Callable[[Standard, _Context], Verdict | None]:
    def rule(rec: Standard, ctx: _Context) -> Verdict | None:
        if rec.replaced_by or ctx.newer(rec):
            return None
        for lst in ctx.lists:
            if lst.draft != draft or lst.year < RECENT_LIST_FROM:
                continue
            src = lst.source_of(rec)
            if src is not None:
                return "active", {"ref": src["ref"], "list_vi": lst.name_vi, "list_en": lst.name_en}
        return None

    rule.__doc__ = (
        "Listed for application by a ministry's draft list (weaker: the list is not issued)."
        if draft
        else "Cited as in force by a recent official list."
    )
    return rule


def _amendment_follows_base(rec: Standard, ctx: _Context) -> Verdict | None:
    """An amendment (Sửa đổi N:YYYY ...) has the status of its base regulation."""
    if not rec.ident.amendment:
        return None
    base = ctx.records.get(replace(rec.ident, amendment=None).key)
    if base is None or base.status == "unknown":
        return None
    return base.status, {"via": base.number}


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[Standard, _Context], Verdict | None]


RULES: tuple[Rule, ...] = (
    Rule("replacement-held", _replacement_held),
    Rule("newer-edition-held", _newer_edition_held),
    Rule("replaces-unreplaced", _replaces_unreplaced),
    Rule("newest-edition", _newest_edition),
    Rule("listed-in-force", _listed(draft=False)),
    Rule("listed-in-ministry-draft", _listed(draft=True)),
    Rule("amendment-follows-base", _amendment_follows_base),
)


def settle(
    records: Mapping[str, Standard],
    statements: Mapping[str, Sequence[Statement]] | None = None,
    lists: Sequence[ListBasis] = (),
) -> Counter[str]:
    """Give every record a status and its basis; returns counts by basis (``presumed:<rule>`` too)."""
    statements = statements or {}
    for key in sorted(records):
        rec = records[key]
        if rec.status_basis == "official":
            continue
        said = sorted(statements.get(key, ()), key=lambda s: s.rank, reverse=True)
        if said:
            rec.status, rec.status_basis, rec.status_reason = said[0].status, "stated", said[0].reason()
        else:
            rec.status, rec.status_basis, rec.status_reason = "unknown", "unknown", {}
    ctx = _Context(records, lists)
    counts: Counter[str] = Counter()
    for rule in RULES:
        for key in sorted(records):
            rec = records[key]
            if rec.status_basis != "unknown":
                continue
            verdict = rule.check(rec, ctx)
            if verdict is not None:
                rec.status, rec.status_basis = verdict[0], "presumed"
                rec.status_reason = {"rule": rule.name, **verdict[1]}
                counts[f"presumed:{rule.name}"] += 1
    counts.update(r.status_basis for r in records.values())
    return counts


# -- the current edition ------------------------------------------------------------------
def _year(number: str) -> int:
    match = re.search(r":(\d{4})", number)
    return int(match.group(1)) if match else 0


def _resolve(holdings: Holdings, record: Standard, related: frozenset[str]) -> Standard:
    seen = {record.key}
    current = record
    for _ in range(MAX_HOPS):  # follow recorded replacements, newest first
        nxt = None
        for newer in sorted(current.replaced_by, key=lambda n: -_year(n)):
            try:
                candidate = holdings.get(newer)
            except NotFound:
                continue
            if candidate.key not in seen and candidate.status != "draft":
                nxt = candidate
                break
        if nxt is None:
            break
        seen.add(nxt.key)
        current = nxt
    editions = [
        e
        for e in holdings.editions(current.ident.edition_key)
        if e.status not in ("withdrawn", "draft")
        and (
            e.key == current.key
            or same_subject(e, current)
            or (not (e.title_vi and current.title_vi) and {e.key, current.key} <= related)
        )
    ]
    if editions and (editions[0].year or 0) >= (current.year or 0):
        current = editions[0]  # the newest edition of the same subject is presumed current
    return current


def current_edition(
    holdings: Holdings, number: str, include_withdrawn: bool, related: frozenset[str] = frozenset()
) -> tuple[Standard | None, Standard]:
    """(current edition, or None when it is withdrawn and not wanted; the record ``number`` names).

    ``related`` holds keys the caller knows to be editions of the same subject
    (the links of one product group), for records whose titles are unknown.
    Raises :class:`NotFound` when ``number`` is not held.
    """
    record = holdings.get(number)
    current = _resolve(holdings, record, related)
    if current.status == "withdrawn" and not include_withdrawn:
        return None, record
    return current, record


def current_number(holdings: Holdings, record: Standard) -> str | None:
    """The number of the current edition for ``record``; ``None`` when nothing says one is current.

    The current edition is the resolved edition when its status is active; for a
    replaced record whose replacement is not held, the newest number that replaces it.
    """
    try:
        current = _resolve(holdings, record, frozenset())
    except NotFound:
        return None
    if current.status == "active":
        return current.number
    if current.status == "replaced" and current.replaced_by:
        return max(current.replaced_by, key=_year)
    return None


# -- the timeline -------------------------------------------------------------------------
@dataclass
class Edition:
    """One row of a record's edition timeline."""

    number: str
    year: int | None
    held: bool
    slug: str | None = None
    title: str | None = None
    status: str = "unknown"
    basis: str = "unknown"
    rule: str | None = None
    this: bool = False
    current: bool = False
    replaces: list[str] = field(default_factory=list)
    amendments: list[dict[str, Any]] = field(default_factory=list)
    historic: bool = False


def _edition(record: Standard) -> Edition:
    return Edition(
        number=record.number,
        year=record.year,
        held=True,
        slug=record.slug,
        title=record.title_vi or record.title_en,
        status=record.status,
        basis=record.status_basis,
        rule=record.status_reason.get("rule"),
        replaces=list(record.replaces),
        amendments=[
            {**a, "status": record.status}  # an amendment follows its base
            for a in record.amendments
        ],
    )


def _printed_year(number: str) -> int | None:
    match = re.search(r"(\d{4})\s*$", number)
    return int(match.group(1)) if match else None


def timeline(holdings: Holdings, record: Standard) -> list[Edition]:
    """Editions around ``record``, oldest first: its number's editions of the same subject,
    the records linked by replacement (transitively, held or not) and historic codes
    (TCXD, TCXDVN) recorded in ``extra["historic"]``.
    """
    found: dict[str, Edition] = {}
    queue = [record]
    while queue and len(found) < MAX_TIMELINE:
        rec = queue.pop(0)
        if rec.key in found:
            continue
        found[rec.key] = _edition(rec)
        for sibling in holdings.editions(rec.ident.edition_key):
            if sibling.key not in found and (same_subject(sibling, rec) or sibling.key == rec.key):
                queue.append(sibling)
        for number in rec.replaces + rec.replaced_by:
            key = _key(number)
            if key is None or key in found:
                continue
            try:
                queue.append(holdings.get(number))
            except NotFound:
                ident = parse(number)
                replaced = number in rec.replaces
                found[key] = Edition(number, ident.year, held=False, status="replaced" if replaced else "unknown")
        for old in rec.extra.get("historic") or []:
            found.setdefault(
                "historic:" + old["number"],
                Edition(
                    old["number"],
                    _printed_year(old["number"]),
                    held=False,
                    title=old.get("title_vi"),
                    status="replaced",
                    historic=True,
                ),
            )
            if old["number"] not in found[rec.key].replaces:
                found[rec.key].replaces.append(old["number"])
    current = current_number(holdings, record)
    for key, edition in found.items():
        edition.this = key == record.key
        edition.current = edition.number == current
    return sorted(found.values(), key=lambda e: (e.year or 0, e.number))
