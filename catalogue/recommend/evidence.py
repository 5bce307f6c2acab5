"""Gathering the evidence for a recommendation: which groups, products and tariff lines a reading names.

Four kinds of evidence, combined here and shown to the user:

1. group names, synonyms and the names of the products a QCVN link covers
   (:class:`~catalogue.recommend.textindex.PhraseBook`);
2. the HS nomenclature's descriptions → tariff lines (:meth:`HsIndex.match`);
3. QCVN titles (:class:`~catalogue.recommend.titles.TitleIndex`);
4. an HS code of any length.

Contracts of :func:`gather`:

* The group whose phrase holds the reading's head word is the product's group;
  groups named after it are modifiers ("mũ bảo hiểm xe máy" is a helmet) unless
  joined by "và"/"hoặc"/"and"/"or" ("xăng và dầu nhớt").
* Two groups matching the same head words equally well are two readings of the
  input: ``ambiguous`` lists them, and the recommender asks rather than merges.
* Tariff lines found by description count for a group only when the group's HS
  headings hold them; without a group phrase, the best lines choose the groups.
* Within a group, a covered product whose matched words are a strict subset of
  another's is dropped ("máy X-quang" gives way to "máy X-quang răng").
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from catalogue import lexicon
from catalogue.identifiers import parse_loose
from catalogue.lexicon import phrase
from catalogue.recommend.hs import HsIndex, LineMatch
from catalogue.recommend.products import Reading, Token, Vocabulary, translate
from catalogue.recommend.taxonomy import HsLine, ProductGroup, Taxonomy
from catalogue.recommend.textindex import PhraseBook, PhraseHit
from catalogue.recommend.titles import TitleHit, TitleIndex
from catalogue.store.database import Store
from catalogue.text import fold

__all__ = ["Evidence", "Prepared", "gather"]

CONJUNCTIONS = frozenset({"va", "hoac", "and", "or", "cung", "kem"})
MIN_LINE_SCORE = 0.8  # a tariff line found by description names the product at this score
MAX_LINES = 40
MAX_OPTIONS = 3  # groups offered when the words read several ways
MAX_HEADINGS = 3  # lines found by description under more headings than this: the words name no one product


@dataclass(frozen=True)
class Target:
    slug: str
    link: int = -1  # index of the QCVN link in the group, -1 for the group's own names
    cover: int = -1


def lexicon_equivalents() -> dict[tuple[str, ...], list[str]]:
    """Two-way synonyms of the shared lexicon (folded phrase → other spellings), two syllables or more.

    One-way entries ("xe máy" → "xe cơ giới") broaden a term and are left out:
    a broader word must not reach a narrower product's QCVN.
    """
    data = json.loads((lexicon.DATA / "lexicon.json").read_text(encoding="utf-8"))
    out: dict[tuple[str, ...], list[str]] = {}
    for group in data["synonyms"]["groups"]:
        if group.get("one_way"):
            continue
        terms = [t for t in group["terms"] if len(phrase(t)) >= 2]
        for term in terms:
            out.setdefault(phrase(term), []).extend(t for t in terms if phrase(t) != phrase(term))
    return out


class Prepared:
    """Groups, tariff lines, legal rows and titles ready for matching; rebuilt when the taxonomy changes."""

    def __init__(self, taxonomy: Taxonomy, store: Store) -> None:
        self.version = taxonomy.version
        self.groups = taxonomy.groups()
        self.by_slug = {g.slug: g for g in self.groups}
        self.hs = HsIndex(taxonomy.hs_lines())
        self.rows = taxonomy.product_regulations()
        self.rows_by_edition: dict[str, list[dict]] = {}
        for row in self.rows:
            keys = {ident.edition_key for q in row.get("qcvn") or [] if (ident := parse_loose(q)) is not None}
            for k in keys:
                self.rows_by_edition.setdefault(k, []).append(row)
        self.book = PhraseBook()
        equivalents = lexicon_equivalents()
        for g in self.groups:
            for name in [g.name_vi, g.name_en, *g.synonyms]:
                for text in [name, *equivalents.get(phrase(name), ())]:
                    self.book.add(text, Target(g.slug))
            for li, link in enumerate(g.regulations):
                for ci, cover in enumerate(link.get("covers") or []):
                    for name in cover.get("names") or []:
                        # a covered product is named exactly: the lexicon's broader usage reaches the group only
                        self.book.add(name, Target(g.slug, li, ci))
        self.group_prefixes = [(p, g.slug) for g in self.groups for p in self._prefixes(g)]
        #: each group's folded name words (names and synonyms): the "closest groups" of a text not understood
        self.group_words = [
            (g, frozenset(w for name in [g.name_vi, g.name_en, *g.synonyms] for w in fold(name.lower()).split()))
            for g in self.groups
        ]
        self._measures: dict[str, dict[str, int]] = {}
        self._code_groups: dict[str, list[str]] = {}
        records = list(store.all())
        self.titles = TitleIndex(records)
        self.tcvn_titles = TitleIndex(records, kind="TCVN")
        self.qcvn_count = sum(1 for r in records if r.kind == "QCVN")
        vi, en = set(), set()
        for line in self.hs.lines.values():
            for text, bucket in ((line.vi, vi), (line.heading_vi, vi), (line.en, en), (line.heading_en, en)):
                bucket.update(w.lower() for w in text.split())
        from catalogue.recommend.products import phrase_tokens, stem

        vi_folded = {t.folded for w in vi for t in phrase_tokens(w, False)}
        en_stems = {stem(t.folded) for w in en for t in phrase_tokens(w, False)}
        self.vocabulary = Vocabulary(frozenset(vi_folded), frozenset(en_stems))

    def group_measures(self, slug: str) -> dict[str, int]:
        """How many of the group's tariff lines carry each quality measure, most first (cached)."""
        if slug not in self._measures:
            counts: dict[str, int] = {}
            seen: set[str] = set()
            for prefix in self.by_slug[slug].hs:
                for line in self.hs.under(prefix):
                    if line.code in seen:
                        continue
                    seen.add(line.code)
                    for label in line.measures:
                        counts[label] = counts.get(label, 0) + 1
            self._measures[slug] = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
        return self._measures[slug]

    def groups_for_code(self, digits: str) -> list[str]:
        """Groups whose HS headings (or covered products' HS lines) hold the code or lie under it."""
        if digits not in self._code_groups:
            seen: list[str] = []
            for prefix, slug in self.group_prefixes:
                if (digits.startswith(prefix) or prefix.startswith(digits)) and slug not in seen:
                    seen.append(slug)
            if len(self._code_groups) > 20000:
                return seen
            self._code_groups[digits] = seen
        return self._code_groups[digits]

    def group_lines(self, group: ProductGroup, lines: list[HsLine]) -> list[HsLine]:
        return [line for line in lines if any(line.code.startswith(p) for p in self._prefixes(group))]

    @staticmethod
    def _prefixes(group: ProductGroup) -> list[str]:
        out = list(group.hs)
        for link in group.regulations:
            for cover in link.get("covers") or []:
                out += cover.get("hs") or []
        return out


@dataclass
class GroupEvidence:
    slug: str
    rank: int
    why_vi: list[str] = field(default_factory=list)
    why_en: list[str] = field(default_factory=list)
    hits: list[PhraseHit] = field(default_factory=list)
    covers: dict[tuple[int, int], PhraseHit] = field(default_factory=dict)  # (link, cover) matched by words
    lines: list[HsLine] = field(default_factory=list)  # the product's own tariff lines within the group

    @property
    def named(self) -> bool:
        """The reading named this group (or one of its products) in words."""
        return bool(self.hits)

    @property
    def size(self) -> int:
        return max((h.size for h in self.hits), default=0)


@dataclass
class Evidence:
    reading: Reading
    digits: str | None
    groups: list[GroupEvidence] = field(default_factory=list)
    lines: list[LineMatch] = field(default_factory=list)  # tariff lines found by description
    code_lines: list[HsLine] = field(default_factory=list)  # tariff lines under the HS code typed
    titles: list[TitleHit] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)  # slugs, when the words read two ways
    translated: Reading | None = None  # the Vietnamese reading of an English phrase, when used

    @property
    def product_lines(self) -> list[HsLine]:
        """The product's own tariff lines: under the code typed, or found by a specific description."""
        if self.digits:
            return self.code_lines
        strong = [m.line for m in self.lines if m.score >= MIN_LINE_SCORE]
        if len({line.code[:4] for line in strong}) > MAX_HEADINGS:
            return []  # "thép", "dầu": many products, none in particular
        return strong

    @property
    def understood(self) -> bool:
        return bool(self.groups or self.product_lines or self.titles or self.code_lines)


def _synonym_readings(reading: Reading) -> list[Reading]:
    """Readings of the whole phrase by the shared lexicon's synonyms (folded, best first)."""
    words = tuple(t.folded for t in reading.tokens)
    out = []
    for alt, _weight in lexicon.load().synonyms(words)[:3]:
        tokens = [Token(w, w, w, True) for w in alt]
        out.append(Reading(text=" ".join(alt), tokens=tokens, role=reading.role))
    return out


def _conjoined(reading: Reading, start: int, ends: set[int]) -> bool:
    """The phrase at ``start`` follows a conjunction that directly follows an accepted phrase."""
    return start > 1 and reading.tokens[start - 1].folded in CONJUNCTIONS and (start - 2) in ends


def _head_order(reading: Reading, hits: list[PhraseHit]) -> list[PhraseHit]:
    """Hits ordered from the head word outwards (left to right in Vietnamese, right to left in English)."""
    head = reading.head or 0
    if reading.english:
        return sorted(hits, key=lambda h: (head not in h.positions, -max(h.positions), -h.size))
    return sorted(hits, key=lambda h: (head not in h.positions, min(h.positions), -h.size))


def gather(ix: Prepared, reading: Reading, digits: str | None) -> Evidence:
    """The evidence for ``reading`` (and, for English, for its Vietnamese translation when needed)."""
    ev = _gather(ix, reading, digits)
    if reading.english and not (ev.groups and any(g.named for g in ev.groups)):
        vi = translate(reading, ix.vocabulary)
        if vi is not None:
            alt = _gather(ix, vi, digits)
            if alt.groups and any(g.named for g in alt.groups):
                alt.lines = alt.lines or ev.lines
                return alt
            ev.titles = ev.titles or alt.titles
            if not ev.lines and alt.lines:
                ev.lines = alt.lines
                for g in ev.groups:
                    g.lines = ix.group_lines(ix.by_slug[g.slug], ev.product_lines)
            ev.translated = vi
    return ev


def _gather(ix: Prepared, reading: Reading, digits: str | None) -> Evidence:
    ev = Evidence(reading, digits)
    if digits:
        ev.code_lines = ix.hs.under(digits)[:400]
    found: dict[str, GroupEvidence] = {}
    if reading.tokens:
        hits = ix.book.find(reading)
        ev.ambiguous = _ties(reading, hits)
        kept = PhraseBook.resolve(hits, lambda t: t.slug)
        if _unknown_head(reading, hits, kept):
            kept = []  # "sạc điện thoại" is a charger: the phone only qualifies an unknown product
        ev.ambiguous = ev.ambiguous or _english_compound(reading, kept)
        order: list[str] = []
        ends: set[int] = set()
        for hit in _head_order(reading, kept):
            slug = hit.target.slug
            if slug not in order:
                if order and not _conjoined(reading, hit.start, ends):
                    continue  # a modifier of the head product ("mũ bảo hiểm xe máy")
                order.append(slug)
                found[slug] = GroupEvidence(slug, len(order) - 1)
            ends.add(max(hit.positions))
            g = found[slug]
            g.hits.append(hit)
            if hit.target.link >= 0:
                g.covers.setdefault((hit.target.link, hit.target.cover), hit)
        for g in found.values():
            best = max(g.hits, key=lambda h: h.size)
            g.why_vi.append(f"khớp «{best.text}»")
            g.why_en.append(f"matches “{best.text}”")
            _drop_generic_covers(g, reading)
        ev.lines = ix.hs.match(reading, limit=MAX_LINES)
        ev.titles = ix.titles.match(reading)
        if not ev.lines and not found:
            for alt in _synonym_readings(reading):  # "tivi" is "máy thu hình" in the nomenclature
                ev.lines = ix.hs.match(alt, limit=MAX_LINES)
                ev.titles = ev.titles or ix.titles.match(alt)
                if ev.lines:
                    break
    if digits:
        for slug in ix.groups_for_code(digits):
            g = found.setdefault(slug, GroupEvidence(slug, len(found)))
            g.why_vi.append(f"mã HS {digits}")
            g.why_en.append(f"HS {digits}")
    elif not found and ev.lines:
        strong = [m for m in ev.lines if m.score >= MIN_LINE_SCORE]
        counts: dict[str, int] = {}
        for m in strong:
            for s in ix.groups_for_code(m.code):
                counts[s] = counts.get(s, 0) + 1
        slugs = sorted(counts, key=lambda s: -counts[s])[:MAX_OPTIONS]
        outside = any(not ix.groups_for_code(m.code) for m in strong)
        if not ev.product_lines:
            ev.ambiguous = slugs if len(slugs) > 1 else []  # "thép": many products, some in groups
        elif outside:
            pass  # some of the lines belong to no group: the product is understood, with no group
        elif len(slugs) > 1 and len({m.code[:4] for m in strong}) > 1:
            ev.ambiguous = slugs  # the description fits products of several groups: ask
        else:
            for m in strong:
                for slug in ix.groups_for_code(m.code):
                    if slug not in found:
                        g = found[slug] = GroupEvidence(slug, len(found))
                        g.why_vi.append(f"mô tả dòng HS {m.line.dotted}")
                        g.why_en.append(f"description of HS {m.line.dotted}")
    for g in found.values():
        g.lines = ix.group_lines(ix.by_slug[g.slug], ev.product_lines)
    ev.groups = sorted(found.values(), key=lambda g: g.rank)
    return ev


GENERIC_HEADS = frozenset(
    "may thiet san hang bo dung cai chiec vat unit machine device equipment apparatus product set system kit".split()
)


def _unknown_head(reading: Reading, hits: list[PhraseHit], kept: list[PhraseHit]) -> bool:
    """The head word is no known product and the phrase right after it (before it, in English) qualifies it."""
    head = reading.head
    if head is None or not kept or any(head in h.positions for h in hits) or _generic_head(reading):
        return False
    nxt = head - 1 if reading.english else head + 1
    return any(nxt in h.positions for h in kept)


def _english_compound(reading: Reading, kept: list[PhraseHit]) -> list[str]:
    """Two groups' phrases side by side in English ("toy cars"): a toy, or a car?  Ask.

    English puts the head last, but its first noun often says what the product is
    ("toy cars", "baby food"); a phrase of one group covering both words
    ("motorcycle helmet") settles it before this is asked.
    """
    if not reading.english or reading.head is None:
        return []
    at_head = next((h for h in kept if reading.head in h.positions), None)
    if at_head is None:
        return []
    before = [h for h in kept if max(h.positions) == at_head.start - 1 and h.target.slug != at_head.target.slug]
    return sorted({at_head.target.slug, before[0].target.slug}) if before else []


def _generic_head(reading: Reading) -> bool:
    """The head word names no product by itself ("máy", "thiết bị", "unit"): the next words do."""
    head = reading.head
    return head is not None and reading.tokens[head].folded in GENERIC_HEADS


def _ties(reading: Reading, hits: list[PhraseHit]) -> list[str]:
    """Groups tied on the head: same words matched, same size, all exact."""
    head = reading.head
    if head is None:
        return []
    at_head = [h for h in hits if head in h.positions]
    if not at_head:
        return []
    best = max(h.size for h in at_head)
    top = [h for h in at_head if h.size == best and h.exact]
    spans = {h.positions for h in top}
    slugs = sorted({h.target.slug for h in top})
    if len(slugs) > 1 and len(spans) == 1 and best < len(reading.content) + 1:
        return slugs
    return []


def _drop_generic_covers(g: GroupEvidence, reading: Reading) -> None:
    """Drop covered products whose words (generic heads aside) are a strict subset of another's."""
    by_positions = defaultdict(list)
    for k, hit in g.covers.items():
        words = frozenset(p for p in hit.positions if reading.tokens[p].folded not in GENERIC_HEADS)
        by_positions[words].append(k)
    spans = list(by_positions)
    for span in spans:
        if any(span < other for other in spans):
            for k in by_positions[span]:
                del g.covers[k]
