"""Product understanding: what an enterprise typed → the product phrase(s), the language and its role.

Contracts of :func:`understand`:

* Never raises on text.  Any string becomes a :class:`Reading`; one with no
  product words at all has ``tokens == []``.
* The actor and the action are taken off: "công ty tôi nhập khẩu máy sấy tóc từ
  Trung Quốc về bán" reads as the product phrase "máy sấy tóc" with the role
  ``import`` (``make``, ``import``, ``sell`` or ``export``; ``None`` when not said).
  Origins ("từ Hàn Quốc", "from Korea"), destinations and purposes ("để bán ở
  siêu thị", "to sell them in Vietnam") are taken off too.  Words that describe
  the product itself ("cho trẻ sơ sinh", "cán nóng D10") stay.
* Each token keeps its accented form (normalised, lower case), its folded form
  (accents removed, đ → d) and, for English, a singular stem ("cookers" →
  "cooker").  ``content`` marks the words that carry meaning; function words
  never make a match fail, they only join phrases.
* ``english`` is true when the phrase reads as English (more of its words are
  English than Vietnamese).  Vietnamese noun phrases put the head first, English
  ones last: :attr:`Reading.head` gives the position of the head word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from catalogue import lexicon
from catalogue.text import fold, has_diacritics, normalize, syllables

__all__ = [
    "ENGLISH_WORDS",
    "FUNCTION_WORDS",
    "Reading",
    "Token",
    "Vocabulary",
    "phrase_tokens",
    "stem",
    "translate",
    "understand",
]

# Function words (accented as written) and English stop words: they join phrases but never carry the product.
FUNCTION_WORDS = frozenset(
    (
        "và của cho các những nhiều nhé cũng với là thì mà hoặc hay bằng theo tại ở từ đến trên dưới trong ngoài "
        "một hai số mọi loại kiểu này đó kia rất quá làm được bị sẽ đã đang cần muốn mong xin vui lòng "
        "tôi chúng mình bạn họ để về nhé ạ ơi cái chiếc đối qcvn tcvn "
        "the a an of and or for to in on at by with from into as is are be this that these those them it its "
        "our my we i you your their they us me please some any new"
    ).split()
)
# Folded forms that are function words whatever the accents were: safe to skip in unaccented input.
_FOLDED_FUNCTION = frozenset("va cac nhung voi cho bang hoac hay nhe duoc trong ve de cung thi ma".split())
# Words that say who acts and what they do with the product; taken off the product phrase.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "make": (
        "sản xuất",
        "chế biến",
        "đóng gói",
        "gia công",
        "lắp ráp",
        "manufacture",
        "manufacturing",
        "manufactures",
        "produce",
        "produces",
        "producing",
        "make",
        "makes",
        "making",
        "assemble",
    ),
    "import": ("nhập khẩu", "nhập", "import", "imports", "importing", "imported"),
    "export": ("xuất khẩu", "export", "exports", "exporting"),
    "sell": (
        "kinh doanh",
        "phân phối",
        "bán lẻ",
        "bán buôn",
        "mở đại lý bán",
        "đại lý",
        "bán",
        "sell",
        "sells",
        "selling",
        "distribute",
        "distributes",
        "distributing",
        "retail",
    ),
}
_ACTORS = (
    "nhà",
    "bên",
    "shop",
    "đơn vị",
    "tiệm",
    "hãng",
    "tập đoàn",
    "siêu thị",
    "người",
    "hộ",
    "chúng em",
    "chúng mình",
    "bọn mình",
    "tụi mình",
    "anh",
    "chị",
    "công ty",
    "doanh nghiệp",
    "cơ sở",
    "xưởng",
    "nhà máy",
    "cửa hàng",
    "đại lý",
    "phòng khám",
    "hợp tác xã",
    "hộ kinh doanh",
    "chúng tôi",
    "tôi",
    "mình",
    "em",
    "my company",
    "our company",
    "we",
    "i",
)
_ORIGINS = (
    "trung quốc",
    "nhật bản",
    "nhật",
    "hàn quốc",
    "thái lan",
    "châu âu",
    "châu á",
    "mỹ",
    "đức",
    "pháp",
    "đài loan",
    "ấn độ",
    "nước ngoài",
    "singapore",
    "malaysia",
    "indonesia",
    "việt nam",
    "china",
    "japan",
    "korea",
    "thailand",
    "europe",
    "usa",
    "germany",
    "taiwan",
    "india",
    "abroad",
    "vietnam",
)
_ORIGIN_LEADS = ("từ", "from", "ở", "tại", "in", "to", "của")
# After one of these the sentence speaks of purpose or market, not of the product.
_TAIL_CUTS = (
    "để bán",
    "về bán",
    "để phân phối",
    "để kinh doanh",
    "để xuất khẩu",
    "bán ở",
    "bán tại",
    "and want",
    "and sell",
    "to sell",
    "for sale",
    "for the vietnamese market",
    "in vietnam",
    "to vietnam",
    "into vietnam",
    "tại việt nam",
    "ở việt nam",
    "vào việt nam",
)
ENGLISH_WORDS = frozenset(
    (
        "we my our company imports import importing export manufacture sell want them and for of the with from "
        "household children kids baby infant electric electrical portable wireless lithium battery fuel oil engine "
        "motorcycle helmet water bottled drinking mineral toy toys rice cooker kettle hair dryer beer wine milk "
        "powder formula salt cement steel glass fan lamp bulb cable wire plug socket outlet switch breaker circuit "
        "phone mobile camera petrol gasoline diesel gas cylinder fertilizer pesticide feed animal fish shrimp "
        "seafood meat sauce tea coffee honey tobacco cigarette dental unit machine equipment device apparatus "
        "product products goods pack packs notebook notebooks laptop unleaded iodized iodised bicycle scooter"
    ).split()
)
_STEM_KEEP = frozenset("gas glass lens bus plus this his is was us status species series news apparatus".split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """English singular: "cookers" → "cooker", "batteries" → "battery"; other words unchanged."""
    if len(word) <= 3 or word in _STEM_KEEP or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Token:
    exact: str  # normalised, lower case, accents kept
    folded: str
    stem: str  # English singular of the folded form (the folded form for Vietnamese)
    content: bool

    @property
    def accented(self) -> bool:
        return self.exact != self.folded


@dataclass
class Reading:
    text: str  # the input, cleaned
    tokens: list[Token] = field(default_factory=list)  # the product phrase
    role: str | None = None
    english: bool = False
    dropped: list[str] = field(default_factory=list)  # what was taken off, for the explanation

    @property
    def accented(self) -> bool:
        return any(t.accented for t in self.tokens)

    @property
    def phrase(self) -> str:
        return " ".join(t.exact for t in self.tokens)

    @property
    def content(self) -> list[int]:
        """Positions of the content words."""
        return [i for i, t in enumerate(self.tokens) if t.content]

    @property
    def head(self) -> int | None:
        """Position of the head word: the first content word (Vietnamese), the last before a preposition (English)."""
        positions = self.content
        if not positions:
            return None
        if not self.english:
            return positions[0]
        cut = next((i for i, t in enumerate(self.tokens) if t.folded in _EN_PREPOSITIONS and i > positions[0]), None)
        before = [p for p in positions if cut is None or p < cut]
        return before[-1] if before else positions[-1]


_EN_PREPOSITIONS = frozenset("for of with from in on to by".split())


def _is_function(word: str, folded: str, unaccented_text: bool) -> bool:
    """Function words of the shared lexicon and of this module; folded ones only when no accents were typed."""
    lex = lexicon.load()
    if word in FUNCTION_WORDS or word in lex.function_vi or word in lex.function_en:
        return True
    return unaccented_text and folded in _FOLDED_FUNCTION


def _tokens(text: str) -> list[Token]:
    words = [w for w, _, _ in syllables(normalize(text).lower())]
    plain = not has_diacritics(text)
    out = []
    for word in words:
        folded = fold(word)
        out.append(Token(word, folded, folded, not _is_function(word, folded, plain) and not folded.isdigit()))
    return out


Word = tuple[str, str]  # (as written, folded)


def _same(token: Token, word: Word) -> bool:
    """``token`` is ``word``: exactly when typed with accents, by its folded form when typed without."""
    return token.exact == word[0] if token.accented else token.folded == word[1]


def _find(tokens: list[Token], phrase: tuple[Word, ...], start: int = 0) -> int | None:
    n, first = len(phrase), phrase[0][1]
    for i in range(start, len(tokens) - n + 1):
        if tokens[i].folded == first and all(_same(t, w) for t, w in zip(tokens[i : i + n], phrase, strict=True)):
            return i
    return None


def _split(phrases: tuple[str, ...]) -> list[tuple[Word, ...]]:
    split = (tuple((w, fold(w)) for w in normalize(p).lower().split()) for p in phrases)
    return sorted(split, key=len, reverse=True)


_ROLES = [(role, phrase) for role, words in ROLE_WORDS.items() for phrase in _split(words)]
_ROLES.sort(key=lambda rp: -len(rp[1]))
_ACTOR_PHRASES = _split(_ACTORS)
_ORIGIN_PHRASES = _split(_ORIGINS)
_TAIL_PHRASES = _split(_TAIL_CUTS)


def _mark_phrases(tokens: list[Token]) -> tuple[list[Token], set[int]]:
    """Tokens inside the lexicon's intent and function phrases become non-content; returns their positions.

    A phrase typed with accents counts only as written: "công ty" goes, "công tắc" stays.
    """
    lex = lexicon.load()
    words = [t.folded for t in tokens]
    marked: set[int] = set()
    for table in ("intents", "function"):
        for start, end, _ in lex.find_phrases(words, table):
            if any(t.accented for t in tokens[start:end]) or not any(t.accented for t in tokens):
                marked.update(range(start, end))
    out = [Token(t.exact, t.folded, t.stem, t.content and i not in marked) for i, t in enumerate(tokens)]
    if not any(t.content for t in out):
        return tokens, set()  # a phrase made only of these words ("sản xuất") is still what was typed
    return out, marked


def understand(text: str, vocabulary: Vocabulary | None = None) -> Reading:
    """The product phrase of ``text``, its role and language.

    ``vocabulary`` (the words of the HS descriptions in each language) tells an
    unaccented Vietnamese phrase from English; without it a short word list does.
    """
    reading = Reading(text=text)
    tokens = _tokens(text)
    if not tokens:
        return reading
    # 1. the role verb, first found (longest phrases first at each position)
    role_at: tuple[int, int] | None = None
    for i in range(len(tokens)):
        for role, phrase in _ROLES:
            if _find(tokens[i : i + len(phrase)], phrase) == 0:
                role_at, reading.role = (i, i + len(phrase)), role
                break
        if role_at:
            break
    # 2. an actor before the verb ("công ty tôi", "we") goes with it, and so does everything up to the verb
    if role_at is not None:
        before = tokens[: role_at[0]]
        starts_with_actor = any(_find(before, a) == 0 for a in _ACTOR_PHRASES) or all(
            not t.content or t.folded in ("want", "are") for t in before
        )
        if starts_with_actor:
            reading.dropped.append(" ".join(t.exact for t in tokens[: role_at[1]]))
            tokens = tokens[role_at[1] :]
        else:  # the verb follows the product ("máy X nhập khẩu"): keep the product, drop the verb
            reading.dropped.append(" ".join(t.exact for t in tokens[role_at[0] : role_at[1]]))
            tokens = tokens[: role_at[0]] + tokens[role_at[1] :]
    else:
        for actor in _ACTOR_PHRASES:
            if _find(tokens, actor) == 0 and len(tokens) > len(actor) + 1:
                reading.dropped.append(" ".join(t.exact for t in tokens[: len(actor)]))
                tokens = tokens[len(actor) :]
                break
    # 3. purpose and market tails, then origins ("từ Trung Quốc", "from Korea")
    cut = len(tokens)
    for tail in _TAIL_PHRASES:
        at = _find(tokens, tail)
        if at is not None and at > 0:
            cut = min(cut, at)
    for origin in _ORIGIN_PHRASES:
        at = _find(tokens, origin)
        if at is not None and at > 0 and any(_same(tokens[at - 1], (w, fold(w))) for w in _ORIGIN_LEADS):
            at -= 1
            if at > 0 and _same(tokens[at - 1], ("nhập", "nhap")):
                at -= 1
            cut = min(cut, at)
    if cut < len(tokens):
        reading.dropped.append(" ".join(t.exact for t in tokens[cut:]))
        tokens = tokens[:cut]
    # later role words ("bia và rượu nhập khẩu") say nothing of the product either
    for _, phrase in _ROLES:
        at = _find(tokens, phrase, 1)
        while at is not None:
            reading.dropped.append(" ".join(t.exact for t in tokens[at : at + len(phrase)]))
            tokens = tokens[:at] + tokens[at + len(phrase) :]
            at = _find(tokens, phrase, 1)
    # 4. the lexicon's intent and function phrases ("quy chuẩn nào", "áp dụng", "sản phẩm") carry no product
    tokens, marked = _mark_phrases(tokens)
    # 5. no leading or trailing function words (as written: "o cam dien" keeps its "o")
    weak = {i for i, t in enumerate(tokens) if t.exact in FUNCTION_WORDS or t.exact in lexicon.load().function_vi}
    weak |= marked
    while tokens and 0 in weak:
        tokens = tokens[1:]
        weak = {i - 1 for i in weak if i > 0}
    while tokens and len(tokens) - 1 in weak:
        tokens = tokens[:-1]
    reading.tokens = tokens
    reading.english = not has_diacritics(text) and _is_english(tokens, vocabulary)
    if reading.english:
        reading.tokens = [Token(t.exact, t.folded, stem(t.folded), t.content) for t in tokens]
    return reading


@dataclass(frozen=True)
class Vocabulary:
    """Folded words seen in Vietnamese text and (singular) words seen in English text."""

    vietnamese: frozenset[str]
    english: frozenset[str]


def _is_english(tokens: list[Token], vocabulary: Vocabulary | None) -> bool:
    words = [t.folded for t in tokens if t.content]
    if not words:
        return False
    if vocabulary is None:
        return sum(w in ENGLISH_WORDS for w in words) * 2 > len(words)
    en = sum(stem(w) in vocabulary.english and w not in vocabulary.vietnamese for w in words)
    vi = sum(w in vocabulary.vietnamese and stem(w) not in vocabulary.english for w in words)
    return en > vi or (en == vi == 0 and sum(w in ENGLISH_WORDS for w in words) * 2 > len(words))


MIN_LEARNT = 0.6  # a learnt English → Vietnamese association this strong is used to translate a word


def translate(reading: Reading, vocabulary: Vocabulary | None = None) -> Reading | None:
    """The Vietnamese reading of an English product phrase, by the shared lexicon.

    Curated glossary phrases first (longest), then learnt word associations of at
    least :data:`MIN_LEARNT`; words it cannot translate stay as typed ("lithium").
    English puts modifiers before the head and Vietnamese after it, so the
    translated pieces are read in reverse: "electric bicycle" → "xe đạp điện".
    A part after a preposition ("packs for notebooks") follows the head.
    """
    if not reading.english or not reading.tokens:
        return None
    lex = lexicon.load()
    words = [t.folded for t in reading.tokens]
    cut = next((i for i, w in enumerate(words) if w in _EN_PREPOSITIONS and i > 0), len(words))

    def pieces(part: list[str]) -> list[str]:
        out, i = [], 0
        while i < len(part):
            if part[i] in lex.function_en or part[i] in FUNCTION_WORDS:
                i += 1
                continue
            found = next(((e, vi) for s, e, vi in lex.glossary_phrases(part[i:]) if s == 0), None)
            if found:
                out.append(" ".join(found[1][0]))
                i += found[0]
                continue
            learnt = [ph for ph, w in lex.translate([part[i]]) if w >= MIN_LEARNT * lexicon.LEARNT_WEIGHT]
            out.append(" ".join(learnt[0]) if learnt else part[i])
            i += 1
        return out

    head = pieces(words[:cut])
    tail = pieces(words[cut + 1 :])
    text = " ".join([*reversed(head), *tail])
    tokens = [Token(t.folded, t.folded, t.folded, True) for t in phrase_tokens(text, False)]
    if not tokens:
        return None
    return Reading(text=text, tokens=tokens, role=reading.role, english=False, dropped=list(reading.dropped))


def phrase_tokens(text: str, english: bool | None = None) -> list[Token]:
    """Tokens of a curated phrase (a synonym, a description) in the same form as a reading's."""
    tokens = _tokens(text)
    if english is None:
        english = not has_diacritics(text) and all(t.folded.isascii() for t in tokens)
    if english:
        return [Token(t.exact, t.folded, stem(t.folded), t.content) for t in tokens]
    return tokens
