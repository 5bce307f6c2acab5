"""Parse, normalise and format TCVN / QCVN numbers and international equivalents.

Canonical display forms::

    TCVN 5699-1:2010            TCVN ISO 9001:2015        TCVN ISO/IEC 17025:2017
    QCVN 01-190:2020/BNNPTNT    QCVN 08-MT:2015/BTNMT     Sửa đổi 1:2017 QCVN 1:2015/BKHCN

Contracts:

* ``parse(format(x)) == x`` for every :class:`Identifier` (the display spelling,
  zero padding included, survives a round trip).
* :attr:`Identifier.key` is the comparison form: case, accents and zero padding
  are not significant, so ``QCVN 03:2019/BKHCN`` and ``QCVN 3:2019/BKHCN`` share it.
* :func:`parse_loose` accepts what people paste (``tcvn5107``, ``TCVN 7745-2007``,
  ``TCVN-5107``, ``9386:2012``, ``9386.2012``, ``qcvn 16 2023 bxd``, ``QCVN BXD 16:2023``,
  ``QCVN 16:2023/XD`` (a ministry code without its leading B), ``QC 01:2009/BYT``,
  full-width colons, NBSP) and may return an identifier without kind, year or
  ministry; :meth:`Identifier.lookup_keys` of a record contains
  :attr:`Identifier.key` of every loose identifier that names it.
* :func:`international_keys` forgives ``ISO IEC 17025`` (no slash), inner spaces
  (``ASTM D 445``, ``IEC 60335 2 9``) and ASTM edition suffixes (``D445-94``,
  ``D86-00a``, ``D130-04e1``), on stored equivalents and queries alike.
* Numbers never go through word segmentation; the index stores these keys verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from catalogue.errors import InvalidIdentifier
from catalogue.text import fold

__all__ = [
    "INTERNATIONAL_ORGS",
    "Identifier",
    "find_all",
    "international_keys",
    "parse",
    "parse_loose",
    "slug",
]

KINDS = ("TCVN", "QCVN")
_YEAR_MIN, _YEAR_MAX = 1950, 2099
# Issuing ministries of QCVN (the suffix after "/"); people drop the leading "B" (Bộ).
MINISTRIES = frozenset(
    "BNNPTNT BNNMT BGTVT BYT BTTTT BTNMT BKHCN BCT BXD BCA BLĐTBXH BQP BTC BVHTTDL BGDĐT BNV BKHĐT NHNN".split()
)
# the full names of :data:`MINISTRIES` (Vietnamese, English), shown beside the abbreviation
MINISTRY_NAMES: dict[str, tuple[str, str]] = {
    "BNNPTNT": ("Bộ Nông nghiệp và Phát triển nông thôn", "Ministry of Agriculture and Rural Development"),
    "BNNMT": ("Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment"),
    "BGTVT": ("Bộ Giao thông vận tải", "Ministry of Transport"),
    "BYT": ("Bộ Y tế", "Ministry of Health"),
    "BTTTT": ("Bộ Thông tin và Truyền thông", "Ministry of Information and Communications"),
    "BTNMT": ("Bộ Tài nguyên và Môi trường", "Ministry of Natural Resources and Environment"),
    "BKHCN": ("Bộ Khoa học và Công nghệ", "Ministry of Science and Technology"),
    "BCT": ("Bộ Công Thương", "Ministry of Industry and Trade"),
    "BXD": ("Bộ Xây dựng", "Ministry of Construction"),
    "BCA": ("Bộ Công an", "Ministry of Public Security"),
    "BLĐTBXH": ("Bộ Lao động – Thương binh và Xã hội", "Ministry of Labour, Invalids and Social Affairs"),
    "BQP": ("Bộ Quốc phòng", "Ministry of National Defence"),
    "BTC": ("Bộ Tài chính", "Ministry of Finance"),
    "BVHTTDL": ("Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism"),
    "BGDĐT": ("Bộ Giáo dục và Đào tạo", "Ministry of Education and Training"),
    "BNV": ("Bộ Nội vụ", "Ministry of Home Affairs"),
    "BKHĐT": ("Bộ Kế hoạch và Đầu tư", "Ministry of Planning and Investment"),
    "NHNN": ("Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam"),
}
_MINISTRY_BY_FOLD = {fold(m).upper(): m for m in MINISTRIES} | {"BNN": "BNNPTNT", "NN": "BNNPTNT", "BTT": "BTTTT"}
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d]")
_PREFIX = r"(?:ISO|IEC)(?:/(?:IEC|IEEE|ASTM|TR|TS|PAS|GUIDE))*"
_BODY = r"\d+[A-Za-z]?(?:-[0-9A-Za-z]+)*"
_MINISTRY = r"[A-Za-zĐđ]+"
_AMEND = r"(?:sửa\s*đổi|sua\s*doi|sđ|sd)"

_STRICT = re.compile(
    rf"^(?:(?P<amend>{_AMEND})\s*(?P<anum>\d+):(?P<ayear>\d{{4}})\s+)?"
    rf"(?P<kind>TCVN|QCVN)\s+(?:(?P<prefix>{_PREFIX})\s+)?(?P<body>{_BODY})"
    rf"(?::(?P<year>\d{{4}}))?(?:/(?P<ministry>{_MINISTRY}))?$",
    re.IGNORECASE,
)
_LOOSE = re.compile(
    rf"^(?:(?P<amend>{_AMEND})\s*(?P<anum>\d+)\s*[:\s]\s*(?P<ayear>\d{{4}})\s+)?"
    rf"(?:(?P<kind>TCVN|QCVN)\s*)?(?:(?P<prefix>{_PREFIX})\s*)?(?P<body>{_BODY})"
    rf"(?:\s*[:\s]\s*(?P<year>\d{{4}}))?(?:\s*[/\s]\s*(?P<ministry>{_MINISTRY}))?$",
    re.IGNORECASE,
)
# Numbers inside free text must carry their kind, so "2015" alone is not a standard.
_EMBEDDED = re.compile(
    rf"(?:{_AMEND}\s*\d+\s*:\s*\d{{4}}\s+)?\b(?:TCVN|QCVN|QC(?=[\s-]*\d))(?:[\s-]*(?:BYT|BXD|BCT|BKHCN|BGTVT|BTTTT"
    rf"|BTNMT|BNNPTNT|BCA|BQP|BTC)(?=\s+\d))?[\s-]*(?:{_PREFIX}\s*)?{_BODY}"
    rf"(?:\s*[:.]\s*\d{{4}})?(?:\s*/\s*{_MINISTRY})?",
    re.IGNORECASE,
)
# The bodies whose numbers TCVN adopt, as written before the number (shared with the query parser).
INTERNATIONAL_ORGS = (
    r"ISO(?:/(?:IEC|IEEE|ASTM|TR|TS|PAS))*(?:\s+Guide)?|IEC(?:/(?:TR|TS|PAS))*|CODEX\s+STAN|CX[CSG]|"
    r"CAC/(?:RCP|GL|MISC|RM)|ASTM|EN|JIS(?:\s+[A-Z])?|BS|AOAC|ITU-T|ETSI\s+(?:EN|TS|ES)|UN\s+ECE|ECE|ASME|API|DIN|"
    r"ANSI|AS|CIE(?:\s+S)?|CISPR|ST\s+SEV|IEEE|NFPA|UL"
)
_INTERNATIONAL = re.compile(
    rf"\b(?P<org>{INTERNATIONAL_ORGS})"
    r"\s*(?P<num>[A-Z]?\d+(?:[-.]\d+)*[A-Z]?)(?:\s*:\s*(?P<year>\d{4})|-(?P<year2>\d{2}(?:\d{2})?)\b)?",
    re.IGNORECASE,
)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)  # full-width colon, NBSP, full-width digits
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"\s+", " ", text).strip()


def _respell(text: str) -> str:
    """Loose spellings of user input rewritten to the form :data:`_LOOSE` reads."""
    text = re.sub(r"(?<![\w-])QC(?=\s*\d)", "QCVN ", text, flags=re.IGNORECASE)  # "QC 01:2009/BYT"
    text = re.sub(r"(?<![\w-])(TCVN|QCVN)-(?=\d|ISO|IEC)", r"\1 ", text, flags=re.IGNORECASE)  # "TCVN-5107"
    # "QCVN BYT 01:2009" / "QCVN/BYT 01:2009": the ministry written before the number
    m = re.match(r"^(QCVN)[\s/]*([A-Za-zĐđ]{2,8})\s+(\d[\w\-:\s]*)$", text, flags=re.IGNORECASE)
    if m and _ministry(m.group(2)):
        text = f"{m.group(1)} {m.group(3).strip()}/{m.group(2)}"
    return re.sub(r"(?<=[0-9A-Za-z])\.(?=(?:19|20)\d\d(?:\b|/))", ":", text)  # "TCVN 5107.2003"


def _ministry(code: str) -> str | None:
    """The canonical ministry code for ``code`` (accents and a missing leading B forgiven)."""
    folded = fold(code).upper()
    return _MINISTRY_BY_FOLD.get(folded) or _MINISTRY_BY_FOLD.get("B" + folded)


def _depad(component: str) -> str:
    return str(int(component)) if component.isdigit() else component.lower()


@dataclass(frozen=True)
class Identifier:
    """One TCVN or QCVN number, or an amendment of one.

    ``base`` keeps the source spelling (``01-190``); ``part`` is only used for TCVN
    (``5699-1`` has base ``5699`` and part ``1``).  ``amendment`` is
    ``(number, year)`` for ``Sửa đổi N:YYYY``.  A loose identifier may have
    ``kind``, ``year`` or ``ministry`` set to ``None``.
    """

    kind: str | None
    base: str
    part: str | None = None
    year: int | None = None
    ministry: str | None = None
    prefix: str | None = None
    amendment: tuple[int, int] | None = None

    # -- display -----------------------------------------------------------------
    def format(self) -> str:
        """The canonical display form, keeping the source's zero padding."""
        text = self.kind or ""
        if self.prefix:
            text += f" {self.prefix}"
        text += f" {self.base}" if text else self.base
        if self.part:
            text += f"-{self.part}"
        if self.year is not None:
            text += f":{self.year}"
        if self.ministry:
            text += f"/{self.ministry}"
        if self.amendment:
            text = f"Sửa đổi {self.amendment[0]}:{self.amendment[1]} {text}"
        return text

    __str__ = format

    # -- comparison --------------------------------------------------------------
    def _key(self, *, kind: bool = True, year: bool = True, ministry: bool = True) -> str:
        base = "-".join(_depad(c) for c in self.base.split("-"))
        if self.part:
            base += "-" + "-".join(_depad(c) for c in self.part.split("-"))
        text = (self.kind.lower() if kind and self.kind else "*") + " "
        if self.prefix:
            text += self.prefix.lower() + " "
        text += base
        if year and self.year is not None:
            text += f":{self.year}"
        if ministry and self.ministry:
            text += "/" + fold(self.ministry).lower()
        if self.amendment:
            text = f"sd {self.amendment[0]}:{self.amendment[1]} {text}"
        return text

    @cached_property  # identifiers are frozen; a build asks each for its keys many times
    def key(self) -> str:
        """Comparison key: padding, case and accents are not significant."""
        return self._key()

    @cached_property
    def edition_key(self) -> str:
        """Key of the number without its year: every edition of one standard shares it."""
        return replace(self, year=None, amendment=None)._key()

    @cached_property
    def series_key(self) -> str | None:
        """``tcvn 5699`` for ``TCVN 5699-1:2010``; ``None`` when there is no part."""
        if not self.part:
            return None
        return "~" + replace(self, part=None, year=None, ministry=None, amendment=None)._key()

    def lookup_keys(self) -> set[str]:
        """Every key a loose spelling of this number can produce (kind, year or ministry left out)."""
        keys = set()
        for k in (True, False):
            for y in (True, False):
                for m in (True, False):
                    keys.add(self._key(kind=k, year=y, ministry=m))
        if self.series_key:
            keys.add(self.series_key)
            keys.add("~" + replace(self, kind=None, part=None, year=None, ministry=None, amendment=None)._key())
        if self.prefix:  # TCVN ISO 9001 is also found as "tcvn 9001"
            keys |= replace(self, prefix=None).lookup_keys()
        return keys

    def slug(self) -> str:
        """URL slug: ``tcvn-7570-2006``, ``qcvn-01-190-2020-bnnptnt``."""
        return slug(self.format())

    @property
    def is_complete(self) -> bool:
        """A record's identifier has a kind and a year (and a ministry for QCVN)."""
        return bool(self.kind and self.year and (self.kind == "TCVN" or self.ministry))


def _build(m: re.Match[str], text: str) -> Identifier:
    kind = m.group("kind").upper() if m.group("kind") else None
    body = m.group("body")
    year = int(m.group("year")) if m.group("year") else None
    ministry = m.group("ministry")
    if year is None:
        # "TCVN 7745-2007": a trailing four-digit component is a year, not a part.
        head, _, tail = body.rpartition("-")
        if head and tail.isdigit() and len(tail) == 4 and _YEAR_MIN <= int(tail) <= _YEAR_MAX:
            body, year = head, int(tail)
    if year is not None and not _YEAR_MIN <= year <= _YEAR_MAX:
        raise InvalidIdentifier(f"năm không hợp lệ / implausible year {year} in {text!r}")
    if ministry:
        if kind == "TCVN" or not ministry.isalpha():
            raise InvalidIdentifier(f"TCVN has no ministry suffix: {text!r}")
        kind = "QCVN"
        ministry = ministry.upper()
        known = _ministry(ministry)
        if known and known != ministry and fold(known).upper() != fold(ministry).upper():
            ministry = known  # "XD" -> "BXD"; a stored spelling (BLĐTBXH) is kept as it is
    prefix = m.group("prefix").upper() if m.group("prefix") else None
    part = None
    if kind != "QCVN" and "-" in body:
        body, part = body.split("-", 1)
    amendment = None
    if m.group("amend"):
        amendment = (int(m.group("anum")), int(m.group("ayear")))
    if kind == "QCVN" and prefix:
        raise InvalidIdentifier(f"QCVN numbers have no ISO prefix: {text!r}")
    return Identifier(kind, body, part, year, ministry, prefix, amendment)


def parse(text: str) -> Identifier:
    """Parse a number written in canonical form (spacing and case are forgiven).

    Raises :class:`InvalidIdentifier` when the text is not a TCVN/QCVN number with
    a kind.  Use :func:`parse_loose` for user input.
    """
    if not isinstance(text, str):
        raise InvalidIdentifier("số hiệu phải là chuỗi / number must be a string")
    return _parse(text)


@lru_cache(maxsize=65536)  # a pure function of the text, and identifiers are frozen
def _parse(text: str) -> Identifier:
    cleaned = _clean(text)
    m = _STRICT.match(cleaned)
    if not m:
        raise InvalidIdentifier(f"không phải số hiệu TCVN/QCVN / not a TCVN/QCVN number: {text[:80]!r}")
    return _build(m, text)


def parse_loose(text: str) -> Identifier | None:
    """Parse what a user typed; ``None`` when it does not look like a number at all."""
    return _parse_loose(text) if isinstance(text, str) else _parse_loose.__wrapped__(text)


@lru_cache(maxsize=65536)
def _parse_loose(text: str) -> Identifier | None:
    cleaned = _clean(text)
    if not cleaned or len(cleaned) > 80 or not any(c.isdigit() for c in cleaned):
        return None
    cleaned = _respell(cleaned)
    m = _LOOSE.match(cleaned)
    if not m:
        return None
    try:
        ident = _build(m, text)
    except InvalidIdentifier:
        return None
    if ident.kind is None and ident.prefix:
        return None  # "ISO 9001" alone is an international number, not a TCVN
    if ident.kind is None and not (ident.year or ident.part or len(ident.base) >= 3):
        return None  # "12" alone is not a standard number
    return ident


def find_all(text: str) -> list[tuple[Identifier, int, int]]:
    """Every number with an explicit kind inside free text, with its offsets."""
    found = []
    for m in _EMBEDDED.finditer(text):
        ident = parse_loose(m.group(0))
        if ident is not None:
            found.append((ident, m.start(), m.end()))
    return found


def international_keys(text: str) -> list[tuple[str, str]]:
    """Keys for international numbers in ``text``: ``[("iso 8124-1", "iso 8124"), ...]``.

    The first key names the document (parts included, year excluded); the second
    its series, so ``ISO 8124`` finds every part.
    """
    keys = []
    text = _clean(text)
    text = re.sub(r"\bISO\s+IEC\b", "ISO/IEC", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(ASTM)\s+([A-Z])\s+(?=\d)", r"\1 \2", text, flags=re.IGNORECASE)  # ASTM D 445
    # IEC 60335 2 9 -> IEC 60335-2-9 (one- to three-digit groups only: a trailing four-digit group is a year)
    text = re.sub(
        r"\b((?:ISO|IEC|EN)(?:/IEC)?\s*\d{3,})((?:\s+\d{1,3}(?!\d))+)",
        lambda m: m.group(1) + "-".join([""] + m.group(2).split()),
        text,
        flags=re.IGNORECASE,
    )
    for m in _INTERNATIONAL.finditer(text):
        org = re.sub(r"\s+", " ", m.group("org")).lower()
        num = m.group("num").lower()
        if org == "astm":  # ASTM D445-11, D86-00a, D130-04e1: the suffix is the edition
            num = re.sub(r"-\d{2}(?:[a-z]|e\d)?$", "", num)
        elif org.startswith(("cac/", "cx", "st sev")):  # CAC/RCP 1-1969, ST SEV 6250-88: a year
            num = re.sub(r"-(?:19|20)?\d\d$", "", num)
        series = re.split(r"[-.]", num, maxsplit=1)[0]
        keys.append((f"{org} {num}", f"{org} {series}"))
    return keys


def slug(text: str) -> str:
    """Lower-case, accent-free, hyphen-separated form of a display number."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")
