"""Which standards apply to my product?  Product text and/or an HS code → groups → QCVN, then TCVN.

Contracts of :meth:`Recommender.recommend`:

* Groups are matched by HS prefix (with or without dots), by the text against
  group names and synonyms (accent-insensitive for unaccented input, exact for
  accented input, so "gà" is not "ga"), by the text against HS descriptions, and
  by the ICS codes of the standards whose titles match the text.
* Mandatory QCVN come first, each with ``mandatory: true``, its legal basis and a
  readable reason in Vietnamese (``reason``) and English (``reason_en``); then
  voluntary TCVN by relevance.
* Only current editions are recommended.  An old edition is replaced by its
  current one (newest non-withdrawn edition of the number, or its recorded
  replacement); when the catalogue holds no current edition, the old one is shown
  with what replaced it.  Withdrawn editions appear only with
  ``include_withdrawn=True``.
* An unknown product returns no recommendation, a message saying so, and the
  closest groups.  Bad HS codes raise :class:`InvalidInput` with a message.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from catalogue.errors import InvalidInput, NotFound
from catalogue.identifiers import parse
from catalogue.model import Standard, same_subject
from catalogue.recommend.taxonomy import HsLine, ProductGroup, Taxonomy, format_hs, hs_digits
from catalogue.search.query import OPTIONAL_WORDS, clean
from catalogue.search.searcher import Searcher, SearchRequest
from catalogue.search.snapshot import Lru
from catalogue.store.database import Store
from catalogue.text import fold, has_diacritics, normalize, syllables

__all__ = ["GroupMatch", "RecommendResult", "Recommendation", "Recommender"]

MAX_GROUPS = 3
MAX_TCVN = 10
MAX_HS_LINES = 60  # a text matching more tariff lines than this says nothing about the product
MINISTRY_NAMES = {
    "BKHCN": ("Bộ KHCN", "the Ministry of Science and Technology"),
    "BCT": ("Bộ Công Thương", "the Ministry of Industry and Trade"),
    "BLĐTBXH": ("Bộ LĐTBXH", "the Ministry of Labour"),
    "BCA": ("Bộ Công an", "the Ministry of Public Security"),
    "BTTTT": ("Bộ TTTT", "the Ministry of Information and Communications"),
}


@dataclass
class GroupMatch:
    slug: str
    name_vi: str
    name_en: str
    score: float
    why: list[str] = field(default_factory=list)
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
    replaces: str | None = None
    replaced_by: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, current: Standard, named: Standard, **fields: Any) -> Recommendation:
        """A recommendation of ``current``, found through ``named`` (an older edition, or itself)."""
        return cls(
            number=current.number,
            slug=current.slug,
            title_vi=current.title_vi,
            title_en=current.title_en,
            kind=current.kind,
            status=current.status,
            replaces=named.number if named.key != current.key else None,
            replaced_by=list(current.replaced_by),
            **fields,
        )


@dataclass
class RecommendResult:
    product: str
    hs: str | None
    groups: list[GroupMatch] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    hs_lines: list[dict[str, Any]] = field(default_factory=list)
    closest: list[GroupMatch] = field(default_factory=list)
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe_measure(label: str) -> tuple[str, str]:
    """A tariff measure label in words: "Hàng hóa nhóm 2 (2711/QĐ-BKHCN 2022)" names its ministry."""
    basis = re.search(r"\(([^()]*)\)\s*\*?$", label)
    ministry = next((m for m in MINISTRY_NAMES if m in label), None)
    if "nhóm 2" in label and ministry:
        vi_name, en_name = MINISTRY_NAMES[ministry]
        ref = f" ({basis.group(1)})" if basis else ""
        return f"Hàng hóa nhóm 2 thuộc {vi_name}{ref}", f"Group-2 goods under {en_name}{ref}"
    return label, label


def _tokens(text: str, exact: bool) -> list[str]:
    norm = normalize(text).lower()
    return [w if exact else fold(w) for w, _, _ in syllables(norm)]


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == needle for i in range(len(haystack) - n + 1))


class _Index:
    """Groups and HS lines prepared for matching; rebuilt when the taxonomy changes."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.version = taxonomy.version
        self.groups = taxonomy.groups()
        self.by_slug = {g.slug: g for g in self.groups}
        self.phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], bool]]] = {}
        for g in self.groups:
            entries = []
            for i, phrase in enumerate([g.name_vi, g.name_en, *g.synonyms]):
                exact, folded = tuple(_tokens(phrase, True)), tuple(_tokens(phrase, False))
                if folded:
                    entries.append((exact, folded, i < 2))
            self.phrases[g.slug] = entries
        self.lines = {line.code: line for line in taxonomy.hs_lines()}
        self.group_lines = {
            g.slug: [line for code, line in self.lines.items() if any(code.startswith(p) for p in g.hs)]
            for g in self.groups
        }
        self.words: dict[str, set[str]] = {}
        for line in self.lines.values():
            # the line and its sub-heading: a heading names every product of its chapter
            text = f"{line.parent_vi or ''} {line.vi} {line.parent_en or ''} {line.en}"
            for w in set(_tokens(text, False)):
                self.words.setdefault(w, set()).add(line.code)

    def groups_for_code(self, digits: str) -> list[tuple[ProductGroup, str]]:
        found = []
        for g in self.groups:
            for prefix in g.hs:
                if digits.startswith(prefix) or prefix.startswith(digits):
                    found.append((g, prefix))
                    break
        return found


class Recommender:
    """Recommendation service over the store and the search engine.  Thread-safe."""

    def __init__(self, store: Store, searcher: Searcher) -> None:
        self.store = store
        self.taxonomy = Taxonomy(store)
        self.searcher = searcher
        self._index: _Index | None = None
        self._lock = threading.Lock()
        self._results = Lru(1024)

    def index(self) -> _Index:
        with self._lock:
            if self._index is None or self._index.version != self.taxonomy.version:
                self._index = _Index(self.taxonomy)
            return self._index

    # -- matching ----------------------------------------------------------------
    def _match_text(
        self, ix: _Index, text: str, scores: dict[str, float], why: dict[str, list[str]]
    ) -> dict[str, list[tuple[str, ...]]]:
        """Group names and synonyms found in the text; longer phrases weigh more.

        Returns, per group, the accented forms of the phrases that matched: they
        tell "bia" (beer) from "bìa" (cover) when the text has no accents.
        """
        exact_input = has_diacritics(text)
        tokens = _tokens(text, exact_input)
        matched: dict[str, list[tuple[str, ...]]] = {}
        for g in ix.groups:
            found = sorted(
                (
                    (len(phrase) + (0.5 if is_name else 0), " ".join(phrase), exact)
                    for exact, folded, is_name in ix.phrases[g.slug]
                    for phrase in [exact if exact_input else folded]
                    if phrase and _contains(tokens, phrase)
                ),
                reverse=True,
            )
            if found:
                scores[g.slug] = scores.get(g.slug, 0) + found[0][0] + 0.25 * (len(found) - 1)
                why.setdefault(g.slug, []).append(f"khớp «{found[0][1]}»")
                matched[g.slug] = [exact for _, _, exact in found]
        return matched

    def _match_hs_text(self, ix: _Index, text: str) -> list[HsLine]:
        words = [w for w in _tokens(text, False) if w not in OPTIONAL_WORDS and not w.isdigit()]
        if not words:
            return []
        codes: set[str] | None = None
        for w in words:
            found = ix.words.get(w, set())
            codes = set(found) if codes is None else codes & found
            if not codes:
                return []
        if codes is None or len(codes) > MAX_HS_LINES:
            return []
        return [ix.lines[c] for c in sorted(codes)]

    def _match_ics(self, ix: _Index, text: str, scores: dict[str, float], why: dict[str, list[str]]) -> list[Any]:
        result = self.searcher.search(SearchRequest(q=text, limit=10))
        hits = [h for h in result.hits if h.match in ("title", "number", "equivalent")]
        codes = {c for h in hits for c in h.ics}
        for g in ix.groups:
            if any(code.startswith(prefix) for code in codes for prefix in g.ics):
                scores[g.slug] = scores.get(g.slug, 0) + 0.5
                why.setdefault(g.slug, []).append("cùng mã ICS với tiêu chuẩn khớp tên")
        return hits

    # -- resolving editions --------------------------------------------------------
    def current_edition(
        self, number: str, include_withdrawn: bool, related: frozenset[str] = frozenset()
    ) -> tuple[Standard | None, Standard]:
        """(current edition or None when excluded, the record the link names).

        ``related`` holds keys the caller knows to be editions of the same subject
        (the links of one product group), for records whose titles are unknown.
        """
        record = self.store.get(number)
        seen = {record.key}
        current = record
        for _ in range(5):  # follow recorded replacements, newest first
            nxt = None
            for newer in sorted(current.replaced_by, key=lambda n: -(self._year(n))):
                try:
                    candidate = self.store.get(newer)
                except NotFound:
                    continue
                if candidate.key not in seen:
                    nxt = candidate
                    break
            if nxt is None:
                break
            seen.add(nxt.key)
            current = nxt
        editions = [
            e
            for e in self.store.editions(current.ident.edition_key)
            if e.status != "withdrawn"
            and (
                e.key == current.key
                or same_subject(e, current)
                or (not (e.title_vi and current.title_vi) and {e.key, current.key} <= related)
            )
        ]
        if editions and (editions[0].year or 0) >= (current.year or 0):
            current = editions[0]  # the newest edition of the same subject is presumed current
        if current.status == "withdrawn" and not include_withdrawn:
            return None, record
        return current, record

    @staticmethod
    def _year(number: str) -> int:
        match = re.search(r":(\d{4})", number)
        return int(match.group(1)) if match else 0

    # -- the recommendation ------------------------------------------------------
    def recommend(self, product: str = "", hs: str | None = None, include_withdrawn: bool = False) -> RecommendResult:
        """The recommendation for a product; kept while the store, the groups and the search snapshot stay
        the same (a shared result: callers must not modify it)."""
        snapshot = self.searcher.snapshot()
        key = (product, hs, include_withdrawn, self.store.seq, self.taxonomy.version)
        hit = self._results.get(key)
        if hit is not None and hit[0] is snapshot:
            return hit[1]
        result = self._recommend(product, hs, include_withdrawn)
        self._results.put(key, (snapshot, result))
        return result

    def _recommend(self, product: str, hs: str | None, include_withdrawn: bool) -> RecommendResult:
        text, _ = clean(product or "")
        digits = hs_digits(hs) if hs and hs.strip() else None
        if not text and digits is None:
            raise InvalidInput("Nhập mô tả sản phẩm hoặc mã HS / Describe the product or give an HS code")
        ix = self.index()
        result = RecommendResult(product=text, hs=format_hs(digits) if digits else None)
        scores: dict[str, float] = {}
        why: dict[str, list[str]] = {}
        lines: list[HsLine] = []
        if digits:
            lines = [line for code, line in ix.lines.items() if code.startswith(digits)][:MAX_HS_LINES]
            if not lines and not any(digits.startswith(p) or p.startswith(digits) for g in ix.groups for p in g.hs):
                result.message = (
                    f"Mã HS {format_hs(digits)} không có trong biểu thuế / HS code {format_hs(digits)} is not in the"
                    " Vietnamese tariff nomenclature."
                )
            for g, prefix in ix.groups_for_code(digits):
                scores[g.slug] = scores.get(g.slug, 0) + 3 + len(prefix) / 8
                why.setdefault(g.slug, []).append(f"mã HS {format_hs(prefix)}")
        hits: list[Any] = []
        phrases: dict[str, list[tuple[str, ...]]] = {}
        if text:
            phrases = self._match_text(ix, text, scores, why)
            text_lines = self._match_hs_text(ix, text)
            described = {}
            for line in text_lines:
                for g, _ in ix.groups_for_code(line.code):
                    described.setdefault(g.slug, line.dotted)
            for group_slug, code in described.items():
                scores[group_slug] = scores.get(group_slug, 0) + 1.5
                why.setdefault(group_slug, []).append(f"mô tả HS {code}")
            if not digits:
                lines = text_lines
            hits = self._match_ics(ix, text, scores, why)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if ranked:
            best = ranked[0][1]
            chosen = [(s, v) for s, v in ranked if v >= max(1.0, best * 0.5)][:MAX_GROUPS]
        else:
            chosen = []
        result.groups = [
            GroupMatch(s, ix.by_slug[s].name_vi, ix.by_slug[s].name_en, round(v, 2), why.get(s, [])) for s, v in chosen
        ]
        result.hs_lines = [
            {
                "code": line.dotted,
                "description_vi": line.vi,
                "description_en": line.en,
                "heading_vi": line.heading_vi,
                "measures": list(line.measures),
            }
            for line in lines[:20]
        ]
        if not result.groups:
            result.closest = self._closest(ix, text)
            result.message = result.message or (
                "Không tìm thấy nhóm sản phẩm phù hợp. Xem các nhóm gần nhất bên dưới hoặc nhập mã HS. / "
                "No product group found. See the closest groups below, or give an HS code."
            )
            return result
        for match in result.groups:
            match.measures = self._group_measures(ix, ix.by_slug[match.slug])
        result.recommendations = self._regulations(ix, result.groups, lines, include_withdrawn, text)
        result.recommendations += self._standards(ix, result.groups, hits, phrases, include_withdrawn)
        if not result.recommendations:
            result.message = (
                "Nhóm sản phẩm này chưa có quy chuẩn hay tiêu chuẩn nào trong danh mục; xem biện pháp quản lý theo"
                " mã HS bên dưới. / No regulation or standard in the catalogue is linked to this group yet; see the"
                " HS measures below."
            )
        return result

    @staticmethod
    def _group_measures(ix: _Index, group: ProductGroup) -> dict[str, int]:
        """How many of the group's tariff lines carry each quality measure (e.g. group-2 lists)."""
        counts: dict[str, int] = {}
        for line in ix.group_lines[group.slug]:
            for label in line.measures:
                counts[label] = counts.get(label, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    def _closest(self, ix: _Index, text: str) -> list[GroupMatch]:
        words = set(_tokens(text, False)) - OPTIONAL_WORDS
        scored = []
        for g in ix.groups:
            vocab = {w for _, folded, _ in ix.phrases[g.slug] for w in folded}
            overlap = len(words & vocab)
            if overlap:
                scored.append((overlap / (len(words) or 1), g))
        scored.sort(key=lambda x: -x[0])
        return [GroupMatch(g.slug, g.name_vi, g.name_en, round(s, 2)) for s, g in scored[:3]]

    @staticmethod
    def _measures(ix: _Index, group: ProductGroup, lines: list[HsLine]) -> list[tuple[str, str]]:
        """(measure label, HS code) for the group: from the matched lines, else from its headings."""
        found: dict[str, str] = {}
        for line in lines:
            if any(line.code.startswith(p) for p in group.hs):
                for label in line.measures:
                    found.setdefault(label, line.dotted)
        if not found:
            for line in ix.group_lines[group.slug]:
                prefix = next(p for p in group.hs if line.code.startswith(p))
                for label in line.measures:
                    found.setdefault(label, format_hs(prefix))
        return sorted(found.items(), key=lambda kv: ("nhóm 2" not in kv[0], kv[0]))

    def _regulations(
        self, ix: _Index, groups: list[GroupMatch], lines: list[HsLine], include_withdrawn: bool, text: str = ""
    ) -> list[Recommendation]:
        out: dict[str, Recommendation] = {}
        words = set(_tokens(text, False)) - OPTIONAL_WORDS
        for rank, match in enumerate(groups):
            group = ix.by_slug[match.slug]
            measures = self._measures(ix, group, lines)
            related = frozenset(parse(link["number"]).key for link in group.regulations)
            for link in sorted(group.regulations, key=lambda link: link.get("basis") != "legal"):
                try:
                    current, named = self.current_edition(link["number"], include_withdrawn, related)
                except NotFound:
                    continue
                if current is None:
                    continue
                rows = self.taxonomy.legal_basis(link["number"]) if link.get("basis") == "legal" else []
                decision = f" ban hành kèm theo {current.decision}" if current.decision else ""
                legal = f"{current.number}{decision}"
                if rows and named.key == current.key:
                    legal = rows[0]["legal_basis"]
                elif rows:  # the legal text named an older edition
                    legal += f"; trước đó {named.number}: {rows[0]['legal_basis']}"
                reason = [f"Nhóm «{group.name_vi}»"]
                reason_en = [f"Group “{group.name_en}”"]
                if rows:
                    product = rows[0].get("product_vi") or rows[0].get("product_en") or ""
                    reason.append(f"văn bản pháp lý áp dụng QCVN này cho «{product}»")
                    reason_en.append(f"a legal text applies this QCVN to “{rows[0].get('product_en') or product}”")
                else:
                    reason.append("tên quy chuẩn nêu sản phẩm")
                    reason_en.append("the regulation's title names the product")
                for label, code in [m for m in measures if "nhóm 2" in m[0]][:1] or measures[:1]:
                    vi, en = describe_measure(label)
                    reason.append(f"{vi}; mã HS {code}")
                    reason_en.append(f"{en}; HS {code}")
                if named.key != current.key:
                    reason.append(f"thay thế cho {named.number}")
                    reason_en.append(f"replaces {named.number}")
                # within a group, the QCVN whose title or legal product shares most words ranks first
                described = " ".join([current.title_vi or "", *(r.get("product_vi") or "" for r in rows)])
                overlap = len(words & set(_tokens(described, False)))
                score = round(100 - rank * 10 + 2 * overlap + (2 if rows else 0) + (1 if measures else 0), 2)
                existing = out.get(current.key)
                if existing is not None:
                    existing.groups.append(group.slug)
                    existing.score = max(existing.score, score)
                    continue
                out[current.key] = Recommendation.of(
                    current,
                    named,
                    mandatory=True,
                    legal_basis=legal,
                    reason="; ".join(reason),
                    reason_en="; ".join(reason_en),
                    score=score,
                    groups=[group.slug],
                )
        return sorted(out.values(), key=lambda r: -r.score)

    def _standards(
        self,
        ix: _Index,
        groups: list[GroupMatch],
        hits: list[Any],
        phrases: dict[str, list[tuple[str, ...]]],
        include_withdrawn: bool,
    ) -> list[Recommendation]:
        out: dict[str, Recommendation] = {}
        group_ics = {p for m in groups for p in ix.by_slug[m.slug].ics}
        pivots = [p for m in groups for p in phrases.get(m.slug, [])]

        def relevant(hit: Any) -> bool:
            """Same ICS field as a chosen group, or the accented group phrase in the title."""
            if any(code.startswith(p) for code in hit.ics for p in group_ics):
                return True
            title = _tokens(hit.title_vi or "", True)
            return any(_contains(title, p) for p in pivots)

        def add(number: str, score: float, reason: str, reason_en: str, group: str | None) -> None:
            try:
                current, named = self.current_edition(number, include_withdrawn)
            except NotFound:
                return
            if current is None or current.kind != "TCVN":
                return
            if any(code.startswith(p) for code in current.ics for p in group_ics):
                score += 5
                reason += "; cùng lĩnh vực ICS"
                reason_en += "; same ICS field"
            if current.equivalents:
                eq = current.equivalents[0]
                reason += f"; tương đương {eq.number}" + (f" ({eq.degree})" if eq.degree else "")
                reason_en += f"; adopts {eq.number}" + (f" ({eq.degree})" if eq.degree else "")
            if named.key != current.key:
                reason += f"; thay thế cho {named.number}"
                reason_en += f"; replaces {named.number}"
            existing = out.get(current.key)
            if existing is not None:
                existing.score = max(existing.score, score)
                return
            out[current.key] = Recommendation.of(
                current,
                named,
                mandatory=False,
                legal_basis=None,
                reason=reason,
                reason_en=reason_en,
                score=round(score, 2),
                groups=[group] if group else [],
            )

        for rank, match in enumerate(groups):
            group = ix.by_slug[match.slug]
            for number in group.standards:
                add(
                    number,
                    60 - rank * 10,
                    f"Tiêu chuẩn chính của nhóm «{group.name_vi}»",
                    f"Key standard of the group “{group.name_en}”",
                    group.slug,
                )
        for i, hit in enumerate(hits):
            if hit.kind == "TCVN" and relevant(hit):
                add(
                    hit.number,
                    40 - i,
                    f"Tên tiêu chuẩn khớp mô tả «{hit.title_vi or hit.title_en}»",
                    "Its title matches the description",
                    None,
                )
        return sorted(out.values(), key=lambda r: -r.score)[:MAX_TCVN]
