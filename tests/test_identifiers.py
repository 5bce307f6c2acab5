import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.errors import InvalidIdentifier
from catalogue.identifiers import Identifier, find_all, international_keys, parse, parse_loose, slug

CANONICAL = [
    "TCVN 5699-1:2010",
    "TCVN ISO 9001:2015",
    "TCVN ISO/IEC 17025:2017",
    "QCVN 01-190:2020/BNNPTNT",
    "QCVN 08-MT:2015/BTNMT",
    "Sửa đổi 1:2017 QCVN 1:2015/BKHCN",
    "QCVN 02:2011/BLĐTBXH",
    "TCVN 6238-4A:2011",
    "QCVN 02-31-1:2019/BNNPTNT",
]


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_forms_round_trip(text: str) -> None:
    ident = parse(text)
    assert ident.format() == text
    assert parse(ident.format()) == ident


def test_fields_of_a_parsed_number() -> None:
    ident = parse("QCVN 01-190:2020/BNNPTNT")
    assert (ident.kind, ident.base, ident.year, ident.ministry) == ("QCVN", "01-190", 2020, "BNNPTNT")
    tcvn = parse("TCVN 5699-1:2010")
    assert (tcvn.kind, tcvn.base, tcvn.part, tcvn.year, tcvn.ministry) == ("TCVN", "5699", "1", 2010, None)
    amend = parse("Sửa đổi 1:2017 QCVN 1:2015/BKHCN")
    assert amend.amendment == (1, 2017)
    assert parse("TCVN ISO/IEC 17025:2017").prefix == "ISO/IEC"


def test_zero_padding_is_not_significant_but_kept_for_display() -> None:
    padded, plain = parse("QCVN 03:2019/BKHCN"), parse("QCVN 3:2019/BKHCN")
    assert padded.key == plain.key
    assert padded.format() == "QCVN 03:2019/BKHCN"
    assert plain.format() == "QCVN 3:2019/BKHCN"


@pytest.mark.parametrize(
    ("loose", "key"),
    [
        ("tcvn5107", "tcvn 5107"),
        ("TCVN 7745-2007", "tcvn 7745:2007"),
        ("9386:2012", "* 9386:2012"),
        ("qcvn 16 2023 bxd", "qcvn 16:2023/bxd"),
        ("qcvn 01-190:2020", "qcvn 1-190:2020"),
        ("tcvn 5699-1", "tcvn 5699-1"),
        ("TCVN 5699‐1：2010", "tcvn 5699-1:2010"),  # Unicode hyphen, full-width colon
        ("\u00a0TCVN\u00a08430:2010", "tcvn 8430:2010"),  # NBSP
        ("TCVN 6096 : 2004", "tcvn 6096:2004"),
        ("sua doi 1:2017 qcvn 1:2015/bkhcn", "sd 1:2017 qcvn 1:2015/bkhcn"),
        ("qcvn 3:2019/bkhcn", "qcvn 3:2019/bkhcn"),
        ("tcvn iso 9001", "tcvn iso 9001"),
    ],
)
def test_loose_input_resolves(loose: str, key: str) -> None:
    ident = parse_loose(loose)
    assert ident is not None
    assert ident.key == key


@pytest.mark.parametrize(
    ("loose", "record"),
    [
        ("tcvn5107", "TCVN 5107:2003"),
        ("9386:2012", "TCVN 9386:2012"),
        ("qcvn 16 2023 bxd", "QCVN 16:2023/BXD"),
        ("qcvn 01-190:2020", "QCVN 01-190:2020/BNNPTNT"),
        ("tcvn 5699-1", "TCVN 5699-1:2010"),
        ("QCVN 3:2019/BKHCN", "QCVN 03:2019/BKHCN"),
        ("tcvn iso 9001", "TCVN ISO 9001:2015"),
        ("tcvn 9001:2015", "TCVN ISO 9001:2015"),
    ],
)
def test_loose_key_is_among_the_records_lookup_keys(loose: str, record: str) -> None:
    assert parse_loose(loose).key in parse(record).lookup_keys()


def test_a_different_year_or_ministry_does_not_match() -> None:
    keys = parse("QCVN 16:2023/BXD").lookup_keys()
    assert parse_loose("qcvn 16:2019/bxd").key not in keys
    assert parse_loose("qcvn 16:2023/bct").key not in keys


@pytest.mark.parametrize("text", ["", "hello", "12", "ISO 9001", "nước mắm", "TCVN", "ＴＣＶＮ"])
def test_non_numbers_are_not_parsed(text: str) -> None:
    assert parse_loose(text) is None


@pytest.mark.parametrize("text", ["TCVN", "TCVN 5107:3000", "TCVN 5107:2003/BKHCN", "QCVN ISO 9001:2015/BXD", "x"])
def test_strict_parse_rejects_with_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse(text)


def test_series_and_edition_keys() -> None:
    ident = parse("TCVN 5699-2-3:2010")
    assert ident.edition_key == "tcvn 5699-2-3"
    assert ident.series_key == "~tcvn 5699"
    assert parse("TCVN 5107:2003").series_key is None


def test_find_all_in_free_text() -> None:
    found = [i.format() for i, _, _ in find_all("thay thế TCVN 7571-15:2006 (ISO 657-15:1980) và QCVN 16:2023/BXD")]
    assert found == ["TCVN 7571-15:2006", "QCVN 16:2023/BXD"]


def test_international_keys() -> None:
    keys = international_keys("CODEX STAN 221:2001, Amd.1:2008; ISO/IEC 15459-2:2006; ASTM D445-11; IEC 60335-1")
    assert ("codex stan 221", "codex stan 221") in keys
    assert ("iso/iec 15459-2", "iso/iec 15459") in keys
    assert ("astm d445", "astm d445") in keys
    assert ("iec 60335-1", "iec 60335") in keys


def test_slugs() -> None:
    assert parse("TCVN 7570:2006").slug() == "tcvn-7570-2006"
    assert parse("QCVN 01-190:2020/BNNPTNT").slug() == "qcvn-01-190-2020-bnnptnt"
    assert slug("QCVN 02:2011/BLĐTBXH") == "qcvn-02-2011-bldtbxh"


# -- property-based -------------------------------------------------------------
digits = st.integers(min_value=1, max_value=99999).map(str)
padded = st.builds(lambda n, w: n.zfill(w), digits, st.integers(min_value=1, max_value=3))
years = st.integers(min_value=1950, max_value=2099)
ministries = st.sampled_from(["BKHCN", "BNNPTNT", "BTNMT", "BXD", "BYT", "BLĐTBXH", "BGTVT", "BCT", "BTTTT"])
parts = st.lists(st.integers(min_value=1, max_value=60).map(str), min_size=1, max_size=3).map("-".join)

tcvn = st.builds(
    Identifier,
    kind=st.just("TCVN"),
    base=digits,
    part=st.none() | parts,
    year=years,
    prefix=st.none() | st.sampled_from(["ISO", "ISO/IEC", "ISO/TR", "IEC"]),
)
qcvn = st.builds(
    Identifier,
    kind=st.just("QCVN"),
    base=st.one_of(padded, st.builds(lambda a, b: f"{a}-{b}", padded, padded), st.builds(lambda a: f"{a}-MT", padded)),
    year=years,
    ministry=ministries,
    amendment=st.none() | st.tuples(st.integers(min_value=1, max_value=9), years),
)


@given(st.one_of(tcvn, qcvn))
def test_parse_format_round_trip(ident: Identifier) -> None:
    assert parse(ident.format()) == ident


@given(st.one_of(tcvn, qcvn))
def test_loose_spellings_resolve_to_the_same_key(ident: Identifier) -> None:
    text = ident.format()
    variants = [text.lower(), text.replace(":", "："), text.replace(" ", "\u00a0", 1), text.upper()]
    for variant in variants:
        loose = parse_loose(variant)
        assert loose is not None, variant
        assert loose.key == ident.key


@given(st.one_of(tcvn, qcvn))
def test_key_ignores_zero_padding(ident: Identifier) -> None:
    padded_base = "-".join(c.zfill(3) if c.isdigit() else c for c in ident.base.split("-"))
    other = Identifier(ident.kind, padded_base, ident.part, ident.year, ident.ministry, ident.prefix, ident.amendment)
    assert other.key == ident.key


@given(st.text(max_size=120))
def test_parse_loose_never_raises(text: str) -> None:
    parse_loose(text)


def _careless(ident: Identifier) -> list[str]:
    """How people type a number carelessly (the classes named in the search issue)."""
    text = ident.format()
    out = [text.replace(f"{ident.kind} ", f"{ident.kind}-", 1)]  # a hyphen after the prefix
    if ident.kind == "QCVN" and not ident.amendment:
        out.append(text.replace("QCVN ", "QC ", 1))  # "QC" for QCVN
        base = text.split("/")[0]
        out.append(f"QCVN {ident.ministry} {base.removeprefix('QCVN ')}")  # the ministry first
        out.append(text.replace(f"/{ident.ministry}", f"/{ident.ministry[1:]}"))  # no leading "B"
    if ident.year and not ident.amendment:
        out.append(text.replace(f":{ident.year}", f".{ident.year}"))  # a dot for the colon
    return out


@given(st.one_of(tcvn, qcvn))
def test_careless_spellings_resolve_to_the_same_key(ident: Identifier) -> None:
    for variant in _careless(ident):
        loose = parse_loose(variant)
        assert loose is not None, variant
        assert loose.key == ident.key, variant


international = st.builds(
    lambda org, num, part: (org, f"{num}-{part}" if part else str(num)),
    st.sampled_from(["ISO", "IEC", "ISO/IEC", "EN"]),
    st.integers(min_value=100, max_value=99999),
    st.none() | st.integers(min_value=1, max_value=60),
)


@given(international, st.integers(min_value=1990, max_value=2025))
def test_international_spellings_share_keys(ref: tuple[str, str], year: int) -> None:
    org, num = ref
    canonical = international_keys(f"{org} {num}")
    assert canonical
    spaced = num.replace("-", " ")
    for variant in (f"{org} {num}:{year}", f"{org.replace('/', ' ')} {num}", f"{org} {spaced}"):
        assert international_keys(variant)[:1] == canonical[:1], variant


@given(st.sampled_from("DCE"), st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=99))
def test_astm_edition_suffixes_and_inner_spaces_are_forgiven(letter: str, num: int, year: int) -> None:
    key = international_keys(f"ASTM {letter}{num}")[0][0]
    for variant in (
        f"ASTM {letter} {num}",
        f"ASTM {letter}{num}-{year:02d}",
        f"ASTM {letter}{num}-{year:02d}a",
        f"ASTM {letter} {num}-{year:02d}e1",
    ):
        assert international_keys(variant)[0][0] == key, variant


def test_every_ministry_has_its_full_name_in_both_languages() -> None:
    from catalogue.identifiers import MINISTRIES, MINISTRY_NAMES

    assert set(MINISTRY_NAMES) == set(MINISTRIES)
    assert all(vi.startswith(("Bộ ", "Ngân hàng")) and en for vi, en in MINISTRY_NAMES.values())
