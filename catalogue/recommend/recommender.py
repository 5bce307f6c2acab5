"""Which standards apply to my product?  A description and/or an HS code → QCVN, sector rules, TCVN.

Contracts of :meth:`Recommender.recommend`:

* Input: any product text (everyday name, variant, sentence, English) and/or an
  HS code of 2 to 8 digits.  Bad HS codes and empty input raise
  :class:`InvalidInput` with a message; no other input raises.
* A QCVN is ``mandatory`` only with a stated basis that covers this product
  (``basis``): a legal row naming it for this product (``legal``), or a group-2
  tariff line of this product listed by the ministry that issued the QCVN
  (``hs_group2``).  Every other QCVN found goes under "may also apply"
  (``mandatory: false``) with its weaker reason: the group link covers the
  product (``cover``), its title names it (``title``), it covers some products of
  the group (``group``).  Reasons cite only legal rows and lines of this product.
* Two readings of the words become a question (``outcome == "question"``) and
  no list.  Otherwise the outcome is ``ok`` (some mandatory QCVN),
  ``none_known`` ("no mandatory QCVN is known for this product; the catalogue
  holds N of about 800 QCVN") or ``not_understood`` (with the closest groups).
* Sector-wide rules come in their own list (``sector_rules``), with the reason
  the product belongs to the sector.  Voluntary TCVN follow the QCVN.
* Editions: the current edition is recommended; ``named`` lists the editions a
  legal text or a link names when they differ, and ``edition_note`` says so
  ("the text names QCVN X:2008; current: QCVN X:2021").  Withdrawn editions
  appear only with ``include_withdrawn=True``.
* Ranking follows :data:`catalogue.recommend.ranking.RULES`.
"""

from __future__ import annotations

import threading
from typing import Any

from catalogue import editions
from catalogue.errors import InvalidInput, NotFound
from catalogue.model import Standard
from catalogue.recommend import sectors as sector_rules
from catalogue.recommend.basis import Found, from_groups, from_titles
from catalogue.recommend.evidence import Evidence, GroupEvidence, Prepared, gather
from catalogue.recommend.hs import HsIndex
from catalogue.recommend.products import understand
from catalogue.recommend.ranking import BASIS_STRENGTH, FACILITY_WORDS, Candidate, rank
from catalogue.recommend.results import GroupMatch, Recommendation, RecommendResult, SectorMatch
from catalogue.recommend.taxonomy import HsLine, Taxonomy, format_hs, hs_digits
from catalogue.search.query import clean
from catalogue.search.searcher import Searcher
from catalogue.store.database import Store
from catalogue.text import fold

__all__ = ["QCVN_ESTIMATE", "GroupMatch", "RecommendResult", "Recommendation", "Recommender", "SectorMatch"]

QCVN_ESTIMATE = 800  # QCVN in force nationally, roughly: the denominator of the coverage message
MAX_TCVN = 10
MAX_HS_ROWS = 20


class Recommender:
    """Recommendation service over the store and the search engine.  Thread-safe."""

    def __init__(self, store: Store, searcher: Searcher) -> None:
        self.store = store
        self.taxonomy = Taxonomy(store)
        self.searcher = searcher
        self._index: Prepared | None = None
        self._sectors: list[sector_rules.Sector] | None = None
        self._editions: dict[tuple[Any, ...], tuple[Standard | None, Standard]] = {}
        self._editions_seq = -1
        self._dated: tuple[int, str | None] | None = None
        self._lock = threading.Lock()

    def index(self) -> Prepared:
        with self._lock:
            if self._index is None or self._index.version != self.taxonomy.version:
                self._index = Prepared(self.taxonomy, self.store)
                self._editions = {}
            if self._sectors is None:
                self._sectors = sector_rules.load()
            return self._index

    # -- resolving editions --------------------------------------------------------
    def current_edition(
        self, number: str, include_withdrawn: bool, related: frozenset[str] = frozenset()
    ) -> tuple[Standard | None, Standard]:
        """(current edition or None when excluded, the record the link names); see :mod:`catalogue.editions`."""
        return editions.current_edition(self.store, number, include_withdrawn, related)

    def _edition(self, number: str, include_withdrawn: bool, related: frozenset[str] = frozenset()) -> Any:
        """:meth:`current_edition`, remembered until the store changes (then forgotten all at once)."""
        seq = self.store.seq
        if self._editions_seq != seq:
            self._editions, self._editions_seq = {}, seq
        cache_key = (number, include_withdrawn, related)
        if cache_key not in self._editions:
            self._editions[cache_key] = self.current_edition(number, include_withdrawn, related)
        return self._editions[cache_key]

    # -- the recommendation ------------------------------------------------------
    def recommend(self, product: str = "", hs: str | None = None, include_withdrawn: bool = False) -> RecommendResult:
        text, _ = clean(product or "")
        digits = hs_digits(hs) if hs and hs.strip() else None
        if not text and digits is None:
            raise InvalidInput("Nhập mô tả sản phẩm hoặc mã HS / Describe the product or give an HS code")
        ix = self.index()
        reading = understand(text, ix.vocabulary)
        ev = gather(ix, reading, digits)
        result = RecommendResult(product=text, hs=format_hs(digits) if digits else None)
        result.reading = {"phrase": reading.phrase, "role": reading.role, "english": reading.english}
        result.coverage = {"qcvn": ix.qcvn_count, "qcvn_estimate": QCVN_ESTIMATE, "catalogue_date": self._date()}
        result.groups = [self._group_match(ix, g) for g in ev.groups]
        if digits and not ev.code_lines and not ev.groups:
            dotted = format_hs(digits)
            return self._outcome(
                result,
                "not_understood",
                f"Mã HS {dotted} không có trong biểu thuế.",
                f"HS code {dotted} is not in the Vietnamese tariff nomenclature.",
            )
        if ev.ambiguous and not digits:
            return self._ask(ix, result, reading.phrase, ev.ambiguous)
        found = from_groups(ix, ev)
        found += from_titles(ix, ev, {f.number for f in found})
        words = {fold(t.folded) for t in reading.tokens if t.content}
        result.recommendations = self._merge(found, reading.role, words, include_withdrawn)
        listed = {r.number for r in result.recommendations}
        result.sector_rules = self._sector_rules(ev, listed, include_withdrawn)
        result.recommendations += self._standards(ix, ev, reading.phrase, include_withdrawn)
        result.hs_lines = self._hs_rows(ev, found)
        if any(r.mandatory for r in result.recommendations):
            result.outcome = "ok"
            return result
        if ev.understood:
            may = any(r.kind == "QCVN" for r in result.recommendations)
            extra_vi = " Những quy chuẩn dưới đây có thể áp dụng." if may else ""
            extra_en = " The regulations below may also apply." if may else ""
            return self._outcome(
                result,
                "none_known",
                "Chưa biết QCVN bắt buộc nào cho sản phẩm này: không có văn bản pháp lý hay dòng HS nhóm 2 nào nêu"
                f" nó. Danh mục hiện có {ix.qcvn_count} trong khoảng {QCVN_ESTIMATE} QCVN.{extra_vi}",
                "No mandatory QCVN is known for this product: no legal text or group-2 HS line names it. The"
                f" catalogue holds {ix.qcvn_count} of about {QCVN_ESTIMATE} QCVN.{extra_en}",
            )
        result.closest = self._closest(ix, reading.tokens)
        return self._outcome(
            result,
            "not_understood",
            "Chúng tôi chưa hiểu sản phẩm này. Hãy nhập tên thường gọi của sản phẩm hoặc mã HS; xem các nhóm sản"
            " phẩm gần nhất bên dưới.",
            "We did not understand the product. Try its common name or its HS code; see the closest product"
            " groups below.",
        )

    @staticmethod
    def _outcome(result: RecommendResult, outcome: str, vi: str, en: str) -> RecommendResult:
        result.outcome, result.message, result.message_en = outcome, f"{vi} / {en}", en
        return result

    def _date(self) -> str | None:
        """The date of the catalogue's newest change (remembered until the store changes)."""
        seq = self.store.seq
        if self._dated is None or self._dated[0] != seq:
            newest = self.store.recently_changed(1)
            self._dated = (seq, (newest[0].updated_at or "")[:10] or None if newest else None)
        return self._dated[1]

    def _ask(self, ix: Prepared, result: RecommendResult, phrase: str, slugs: list[str]) -> RecommendResult:
        groups = [ix.by_slug[s] for s in slugs]
        names_vi = " hay ".join(f"«{g.name_vi}»" for g in groups)
        names_en = " or ".join(f"“{g.name_en}”" for g in groups)
        result.question = {
            "text": f"«{phrase}»: {names_vi}?",
            "text_en": f"“{phrase}”: {names_en}?",
            "options": [
                {"slug": g.slug, "name_vi": g.name_vi, "name_en": g.name_en, "product": g.name_vi} for g in groups
            ],
        }
        result.groups = []
        return self._outcome(
            result,
            "question",
            f"«{phrase}» có thể là {names_vi}. Bạn muốn nói sản phẩm nào?",
            f"“{phrase}” can mean {names_en}. Which product do you mean?",
        )

    @staticmethod
    def _group_match(ix: Prepared, g: GroupEvidence) -> GroupMatch:
        group = ix.by_slug[g.slug]
        score = round(10.0 - g.rank + g.size / 10, 2)
        measures = ix.group_measures(g.slug)
        return GroupMatch(g.slug, group.name_vi, group.name_en, score, list(g.why_vi), list(g.why_en), measures)

    def _merge(
        self, found: list[Found], role: str | None, words: set[str], include_withdrawn: bool
    ) -> list[Recommendation]:
        """One recommendation per current edition, ranked."""
        by_key: dict[str, tuple[Standard, list[Standard], list[Found]]] = {}
        for f in found:
            try:
                current, named = self._edition(f.number, include_withdrawn, f.related)
            except NotFound:
                continue
            if current is None:
                continue
            entry = by_key.setdefault(current.key, (current, [], []))
            entry[1].append(named)
            entry[2].append(f)
        candidates = []
        for order, (key, (current, named, fs)) in enumerate(by_key.items()):
            best = max(fs, key=lambda f: (f.mandatory, _strength(f.basis), -f.group_rank, f.specificity))
            title = fold((current.title_vi or "").lower())
            candidates.append(
                Candidate(
                    number=key,
                    mandatory=any(f.mandatory for f in fs),
                    basis=best.basis,
                    group_rank=min(f.group_rank for f in fs),
                    specificity=max(f.specificity for f in fs),
                    overlap=len(words & set(title.split())),
                    title_score=max(f.title_score for f in fs),
                    facility=any(w in (current.title_vi or "").lower() for w in FACILITY_WORDS),
                    role=role,
                    status=current.status,
                    order=order,
                    extra={"current": current, "named": named, "best": best, "found": fs, "title": title},
                )
            )
        out = []
        for i, c in enumerate(rank(candidates)):
            current, named, best = c.extra["current"], c.extra["named"], c.extra["best"]
            hs = list(dict.fromkeys(line.dotted for f in c.extra["found"] for line in f.lines if f is best))[:10]
            groups = list(dict.fromkeys(f.group for f in c.extra["found"] if f.group))
            rec = Recommendation.of(
                current,
                named,
                mandatory=c.mandatory,
                legal_basis=best.legal
                or (f"{current.number} ban hành kèm theo {current.decision}" if current.decision else None),
                legal_basis_en=best.legal_en
                if best.legal
                else (f"{current.number} issued with {current.decision}" if current.decision else None),
                reason="; ".join(best.reason),
                reason_en="; ".join(best.reason_en),
                score=round(100.0 - i, 2),
                basis=best.basis,
                hs=hs,
                groups=groups,
            )
            out.append(rec)
        return out

    # -- sector rules, TCVN, HS lines -------------------------------------------------------
    def _sector_rules(self, ev: Evidence, listed: set[str], include_withdrawn: bool) -> list[SectorMatch]:
        slugs = [g.slug for g in ev.groups]
        codes = [line.code for line in ev.product_lines[:MAX_HS_ROWS]]
        out = []
        for sector in self._sectors or []:
            why = sector.applies(slugs, codes)
            if why is None:
                continue
            match = SectorMatch(sector.id, sector.name_vi, sector.name_en, why[0], why[1])
            for rule in sector.rules:
                try:
                    current, named = self._edition(rule.number, include_withdrawn)
                except NotFound:
                    continue
                if current is None or current.number in listed:
                    continue
                listed.add(current.number)
                match.items.append(
                    Recommendation.of(
                        current,
                        [named],
                        mandatory=False,
                        legal_basis=f"{current.number} ban hành kèm theo {current.decision}"
                        if current.decision
                        else None,
                        legal_basis_en=f"{current.number} issued with {current.decision}" if current.decision else None,
                        reason=f"Áp dụng cho mọi {sector.name_vi}: {rule.topic_vi}; tên quy chuẩn nêu «{rule.quote}»",
                        reason_en=f"Applies to all {sector.name_en}: {rule.topic_en}; its title says “{rule.quote}”",
                        score=0.0,
                        basis="sector",
                    )
                )
            if match.items:
                out.append(match)
        return out

    def _standards(self, ix: Prepared, ev: Evidence, phrase: str, include_withdrawn: bool) -> list[Recommendation]:
        out: dict[str, Recommendation] = {}

        def add(number: str, score: float, reason: str, reason_en: str, group: str | None) -> None:
            try:
                current, named = self._edition(number, include_withdrawn)
            except NotFound:
                return
            if current is None or current.kind != "TCVN" or current.number in out:
                return
            if current.equivalents:
                eq = current.equivalents[0]
                reason += f"; tương đương {eq.number}" + (f" ({eq.degree})" if eq.degree else "")
                reason_en += f"; adopts {eq.number}" + (f" ({eq.degree})" if eq.degree else "")
            out[current.number] = Recommendation.of(
                current,
                [named],
                mandatory=False,
                legal_basis=None,
                reason=reason,
                reason_en=reason_en,
                score=round(score, 2),
                basis="voluntary",
                groups=[group] if group else [],
            )

        for g in ev.groups:
            group = ix.by_slug[g.slug]
            for number in group.standards:
                add(
                    number,
                    60 - g.rank * 10,
                    f"Tiêu chuẩn chính của nhóm «{group.name_vi}»",
                    f"Key standard of the group “{group.name_en}”",
                    group.slug,
                )
        if ev.reading.tokens:
            group_ics = {p for g in ev.groups for p in ix.by_slug[g.slug].ics}
            for i, hit in enumerate(ix.tcvn_titles.match(ev.reading, limit=20)):
                same_field = any(c.startswith(p) for c in ix.tcvn_titles.ics.get(hit.number, []) for p in group_ics)
                if hit.names or same_field:
                    add(
                        hit.number,
                        40 - i + (5 if same_field else 0),
                        f"Tên tiêu chuẩn nêu «{ix.tcvn_titles.subjects.get(hit.number, '')[:90]}»",
                        "Its title names the product",
                        None,
                    )
        return sorted(out.values(), key=lambda r: -r.score)[:MAX_TCVN]

    @staticmethod
    def _hs_rows(ev: Evidence, found: list[Found]) -> list[dict[str, Any]]:
        lines: dict[str, HsLine] = {}
        for f in found:
            if f.mandatory:
                for line in f.lines:
                    lines.setdefault(line.code, line)
        for line in ev.product_lines:
            lines.setdefault(line.code, line)
        if not lines:
            for m in ev.lines[:5]:
                lines.setdefault(m.code, m.line)
        rows = []
        for line in list(lines.values())[:MAX_HS_ROWS]:
            measures = HsIndex.measures(line)
            rows.append(
                {
                    "code": line.dotted,
                    "description_vi": line.vi,
                    "description_en": line.en,
                    "heading_vi": line.heading_vi,
                    "heading_en": line.heading_en,
                    "parent_vi": line.parent_vi,
                    "parent_en": line.parent_en,
                    "measures": list(line.measures),
                    "measures_vi": [m.vi for m in measures],
                    "measures_en": [m.en for m in measures],
                    "group2": any(m.kind == "group2" for m in measures),
                }
            )
        return rows

    def _closest(self, ix: Prepared, tokens: list[Any]) -> list[GroupMatch]:
        words = {t.folded for t in tokens if t.content}
        scored = []
        for g, vocab in ix.group_words:
            overlap = len(words & vocab)
            if overlap:
                scored.append((overlap / (len(words) or 1), g))
        scored.sort(key=lambda x: -x[0])
        return [GroupMatch(g.slug, g.name_vi, g.name_en, round(s, 2)) for s, g in scored[:3]]


def _strength(basis: str) -> int:
    return BASIS_STRENGTH.get(basis, 0)
