"""The basis a QCVN has for a product: which links and titles reach it, and how strongly.

Contracts:

* :func:`from_groups` walks the QCVN links of the product's groups.  A link with
  ``covers`` speaks only for the covered products the reading named (or whose HS
  lines it holds); a link without covers speaks for the whole group.  It is
  ``mandatory`` only when
  - a legal row names the QCVN for this product (``legal``): the covered
    product's ``row``, or a row whose HS codes or product words are this
    product's; or
  - a tariff line of this product carries a group-2 list of the ministry that
    issued the QCVN (``hs_group2``).
  Otherwise it may also apply: ``cover`` (the link covers the product named),
  ``title`` (the link covers the whole group) or ``group`` (the words named the
  group as a whole and the QCVN covers some of its products).
* :func:`from_titles` adds QCVN whose own title names the product; one is
  mandatory only when its title item is exactly the product phrase and a tariff
  line headed by the product carries the issuing ministry's group-2 list
  ("pháo hoa" → QCVN 04:2021/BCA and HS 3604.10.00 on the BCA list).
* Reasons cite only this product's legal row and tariff lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from catalogue.identifiers import parse, parse_loose
from catalogue.recommend.evidence import Evidence, GroupEvidence, Prepared
from catalogue.recommend.hs import HsIndex, ministry
from catalogue.recommend.products import understand
from catalogue.recommend.taxonomy import HsLine
from catalogue.text import fold

__all__ = ["MAX_TITLE_CANDIDATES", "STRONG_LINE", "Found", "from_groups", "from_titles"]

MAX_TITLE_CANDIDATES = 5
STRONG_LINE = 1.0  # a tariff line whose description holds the whole product phrase


@dataclass
class Found:
    """One QCVN reached through the evidence, before editions are merged."""

    number: str
    mandatory: bool
    basis: str
    group: str | None
    group_rank: int
    specificity: int
    reason: list[str]
    reason_en: list[str]
    legal: str | None = None
    lines: list[HsLine] = field(default_factory=list)
    title_score: float = 0.0
    related: frozenset[str] = frozenset()
    legal_en: str | None = None  # the legal basis in English, when it is our wording (a legal row is Vietnamese)


_RELATED: dict[tuple[str, ...], frozenset[str]] = {}


def _related(group: Any) -> frozenset[str]:
    """Keys of the QCVN a group links: editions of one subject for records without titles (cached)."""
    numbers = tuple(link["number"] for link in group.regulations)
    if numbers not in _RELATED:
        _RELATED[numbers] = frozenset(parse(n).key for n in numbers)
    return _RELATED[numbers]


def from_groups(ix: Prepared, ev: Evidence) -> list[Found]:
    found: list[Found] = []
    for g in ev.groups:
        group = ix.by_slug[g.slug]
        related = frozenset(parse(link["number"]).key for link in group.regulations)
        specific = bool(g.covers)
        scope_codes = [ev.digits] if ev.digits else [line.code for line in g.lines]
        for li, link in enumerate(group.regulations):
            number = link["number"]
            covers = link.get("covers") or []
            matched: list[tuple[dict[str, Any], int]] = []
            for ci, cover in enumerate(covers):
                if (li, ci) in g.covers:
                    matched.append((cover, g.covers[(li, ci)].size))
                elif cover.get("hs") and not specific and _overlaps(cover["hs"], scope_codes):
                    matched.append((cover, 0))
            if covers and not matched and (specific or ev.digits or not g.named or not _generic(g, group)):
                continue  # the QCVN covers other products of this group
            lines = scope_lines(ix, ev, g, covers, matched)
            row = legal_row(ix, link, matched, covers, ev, lines)
            qm = ministry(number)
            g2 = [line for line in lines if any(m.covers(qm) for m in HsIndex.measures(line))]
            reason, reason_en = [f"Nhóm «{group.name_vi}»"], [f"Group “{group.name_en}”"]
            legal = legal_en = None
            if row is not None:
                basis = "legal"
                product = row.get("product_vi") or row.get("product_en") or ""
                reason.append(f"văn bản pháp lý áp dụng QCVN này cho «{product}»")
                reason_en.append(f"a legal text applies this QCVN to “{row.get('product_en') or product}”")
                legal = row.get("legal_basis")
                if row.get("trust") == "low":  # the row says so; the reader should know
                    kind = row.get("source_kind") or "secondary"
                    legal = f"{legal} (nguồn có độ tin cậy thấp / low-trust source: {kind})"
            elif g2:
                basis = "hs_group2"
            elif matched and any(size for _, size in matched):
                basis = "cover"
                reason.append("quy chuẩn bao trùm sản phẩm được nêu; chưa có văn bản hay dòng HS nhóm 2 nêu nó")
                reason_en.append("the regulation covers the product named; no legal text or group-2 HS line names it")
            elif not covers and (g.named or ev.digits):
                basis = "title"
                reason.append("tên quy chuẩn nêu sản phẩm; chưa có văn bản hay dòng HS nhóm 2 nêu nó")
                reason_en.append("its title names the product; no legal text or group-2 HS line names it")
            else:
                basis = "group"
                reason.append("quy chuẩn áp dụng cho một số sản phẩm của nhóm; hãy kiểm tra sản phẩm của bạn")
                reason_en.append("it covers some products of this group; check whether yours is one")
            if g2:
                m = next(m for m in HsIndex.measures(g2[0]) if m.covers(qm))
                codes = ", ".join(line.dotted for line in g2[:3]) + (" …" if len(g2) > 3 else "")
                reason.append(f"{m.vi}: mã HS {codes}")
                reason_en.append(f"{m.en}: HS {codes}")
                if legal is None:
                    legal, legal_en = f"{m.label}; HS {codes}", f"{m.en}; HS {codes}"
            size = max((s for _, s in matched), default=g.size if not covers else 0)
            found.append(
                Found(
                    number,
                    row is not None or bool(g2),
                    basis,
                    g.slug,
                    g.rank,
                    size,
                    reason,
                    reason_en,
                    legal,
                    g2 or lines,
                    related=related,
                    legal_en=legal_en,
                )
            )
    return found


def scope_lines(
    ix: Prepared, ev: Evidence, g: GroupEvidence, covers: list[dict[str, Any]], matched: list[tuple[dict, int]]
) -> list[HsLine]:
    """The product's tariff lines this link speaks for."""
    if not covers:
        return g.lines
    out: dict[str, HsLine] = {}
    for cover, _ in matched:
        for prefix in cover.get("hs") or []:
            for line in ix.hs.under(prefix):
                if ev.digits and not line.code.startswith(ev.digits):
                    continue
                out[line.code] = line
    return [out[k] for k in sorted(out)]


def legal_row(
    ix: Prepared,
    link: dict[str, Any],
    matched: list[tuple[dict[str, Any], int]],
    covers: list[dict[str, Any]],
    ev: Evidence,
    lines: list[HsLine],
) -> dict[str, Any] | None:
    """The legal row that names this QCVN for this product, if any."""
    if link.get("basis") != "legal":
        return None
    ident = parse_loose(link["number"])
    rows = ix.rows_by_edition.get(ident.edition_key, []) if ident is not None else []
    wanted = {c.get("row") for c, _ in matched if c.get("row")}
    for r in rows:
        if wanted and (r.get("product_vi") in wanted or r.get("product_en") in wanted):
            return r
    if covers:
        return None
    codes = {line.code for line in lines} | ({ev.digits} if ev.digits else set())
    phrase = " ".join(t.folded for t in ev.reading.tokens)
    for r in rows:
        if codes and _overlaps([c.replace(".", "") for c in r.get("hs_codes") or []], list(codes)):
            return r
        product = fold((r.get("product_vi") or "").lower())
        product = re.split(r"[(–,]", product)[0].strip()
        if product and phrase and (product in phrase or phrase in product):
            return r
    return None


def from_titles(ix: Prepared, ev: Evidence, seen: set[str]) -> list[Found]:
    """QCVN whose own title names the product, beyond the groups' links."""
    hits = list(ev.titles)
    rank0 = len(ev.groups)
    if ev.digits and not ev.groups:  # an HS code alone: read the lines' own descriptions
        texts = []
        for line in ev.code_lines[:60]:
            for text in (line.vi, line.parent_vi or ""):
                if text and not text.lower().startswith(("loại khác", "other")) and text not in texts:
                    texts.append(text)
                    break
        for text in texts[:6]:
            hits += [h for h in ix.titles.match(understand(text, ix.vocabulary)) if h.names]
    strong_lines = [m.line for m in ev.lines if m.score >= STRONG_LINE] if not ev.digits else ev.code_lines
    out: list[Found] = []
    have_groups = any(True for _ in ev.groups)
    for hit in hits:
        if hit.number in seen or len(out) >= MAX_TITLE_CANDIDATES:
            continue
        if have_groups and not hit.names:
            continue
        seen.add(hit.number)
        qm = ministry(hit.number)
        g2 = [line for line in strong_lines if any(m.covers(qm) for m in HsIndex.measures(line))] if hit.exact else []
        reason = [f"Tên quy chuẩn nêu «{ix.titles.subjects.get(hit.number, '')[:90]}»"]
        reason_en = ["Its title names the product"]
        legal = legal_en = None
        if g2:
            m = next(m for m in HsIndex.measures(g2[0]) if m.covers(qm))
            codes = ", ".join(line.dotted for line in g2[:3]) + (" …" if len(g2) > 3 else "")
            reason.append(f"{m.vi}: mã HS {codes}")
            reason_en.append(f"{m.en}: HS {codes}")
            legal, legal_en = f"{m.label}; HS {codes}", f"{m.en}; HS {codes}"
        else:
            reason.append("chưa có văn bản hay dòng HS nhóm 2 nêu sản phẩm này")
            reason_en.append("no legal text or group-2 HS line names this product")
        out.append(
            Found(
                hit.number,
                bool(g2),
                "hs_group2" if g2 else "title",
                None,
                rank0,
                0,
                reason,
                reason_en,
                legal,
                g2,
                title_score=hit.score + (1 if hit.names else 0),
                legal_en=legal_en,
            )
        )
    return out


def _generic(g: GroupEvidence, group: Any) -> bool:
    """The words named the group as a whole ("sữa", "Sữa và sản phẩm sữa"), not one product of it."""
    names = {fold(group.name_vi.lower()), fold(group.name_en.lower())}
    best = max(g.hits, key=lambda h: h.size, default=None)
    return best is not None and (best.size == 1 or fold(best.text.lower()) in names)


def _overlaps(prefixes: list[str], codes: list[str]) -> bool:
    return any(c.startswith(p) or p.startswith(c) for p in prefixes for c in codes if c and p)
