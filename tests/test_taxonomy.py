"""Product groups and HS codes: validation, storage, optimistic locking."""

import pytest

from catalogue.errors import InvalidInput, ValidationError
from catalogue.recommend.taxonomy import ProductGroup, Taxonomy, TaxonomyCurations, format_hs, hs_digits
from catalogue.search.curations import name_words
from catalogue.seed import seed
from catalogue.store.database import Store


@pytest.fixture
def taxonomy(tmp_path) -> Taxonomy:
    store = Store(tmp_path / "s.sqlite3")
    seed(store)
    return Taxonomy(store)


@pytest.mark.parametrize(
    ("text", "digits"),
    [("6506.10", "650610"), ("65061010", "65061010"), ("2710.12.21", "27101221"), ("95 03", "9503"), ("85-36", "8536")],
)
def test_hs_digits(text: str, digits: str) -> None:
    assert hs_digits(text) == digits


@pytest.mark.parametrize("text", ["", "abc", "1", "123", "6506.1", "1234567890", "65O6"])
def test_bad_hs_codes(text: str) -> None:
    with pytest.raises(InvalidInput):
        hs_digits(text)


def test_format_hs() -> None:
    assert format_hs("65061010") == "6506.10.10"
    assert format_hs("650610") == "6506.10"
    assert format_hs("6506") == "6506"


def test_bundled_groups_are_all_valid(taxonomy: Taxonomy) -> None:
    from catalogue.recommend.taxonomy import validate_group

    groups = taxonomy.groups()
    assert 40 <= len(groups) <= 60
    for g in groups:
        assert validate_group(g, taxonomy.store, taxonomy) == [], g.slug
        assert all(link["basis"] in ("legal", "title") for link in g.regulations)


def test_every_legal_link_has_a_legal_text(taxonomy: Taxonomy) -> None:
    for g in taxonomy.groups():
        for link in g.regulations:
            if link["basis"] == "legal":
                assert taxonomy.legal_basis(link["number"]), (g.slug, link["number"])


def test_covered_products_name_the_legal_row_they_rest_on(taxonomy: Taxonomy) -> None:
    """A cover's ``row`` is the product of a legal row that names this QCVN (or an edition of it)."""
    rows = taxonomy.product_regulations()
    covers = 0
    for g in taxonomy.groups():
        for link in g.regulations:
            for cover in link.get("covers") or []:
                covers += 1
                assert cover["names"], (g.slug, link["number"])
                if cover.get("row"):
                    assert any(cover["row"] in (r.get("product_vi"), r.get("product_en")) for r in rows), cover
    assert covers >= 60


def test_the_infant_cereal_qcvn_is_not_linked_to_rice(taxonomy: Taxonomy) -> None:
    """QCVN 11-4:2012/BYT is for cereal foods for children of 6 to 36 months, not for rice and flour."""
    assert not any(link["number"] == "QCVN 11-4:2012/BYT" for link in taxonomy.group("gao-ngu-coc").regulations)
    assert any(link["number"] == "QCVN 11-4:2012/BYT" for link in taxonomy.group("dinh-duong-tre-em").regulations)


def _group(**kw) -> ProductGroup:
    data = {"slug": "test-group", "name_vi": "Nhóm thử", "name_en": "Test group", "sector": "other"}
    data.update(kw)
    return ProductGroup(**data)


@pytest.mark.parametrize(
    "bad",
    [
        {"regulations": [{"number": "QCVN 2:2021/BKHCN"}]},  # no basis
        {"regulations": [{"number": "QCVN 999:2021/BKHCN", "basis": "title"}]},  # not in the catalogue
        {"regulations": [{"number": "TCVN 5107:2003", "basis": "title"}]},  # not a QCVN
        {"regulations": [{"number": "QCVN 2:2021/BKHCN", "basis": "title", "covers": []}]},  # empty covers
        {"regulations": [{"number": "QCVN 2:2021/BKHCN", "basis": "title", "covers": [{"names": []}]}]},
        {
            "regulations": [
                {"number": "QCVN 2:2021/BKHCN", "basis": "title", "covers": [{"names": ["x"], "hs": ["9999"]}]}
            ]
        },
        # a row that names another QCVN
        {
            "regulations": [
                {"number": "QCVN 2:2021/BKHCN", "basis": "legal", "covers": [{"names": ["x"], "row": "Muối tinh"}]}
            ]
        },
        {"hs": ["9999"]},  # not in the nomenclature
        {"hs": ["65.0"]},
        {"ics": ["99.999"]},
        {"standards": ["TCVN 1:1800"]},
        {"slug": "Bad Slug"},
        {"name_vi": ""},
        {"sector": "space"},
    ],
)
def test_invalid_groups_are_refused_and_nothing_written(taxonomy: Taxonomy, bad: dict) -> None:
    before = taxonomy.version
    with pytest.raises(ValidationError):
        taxonomy.save(_group(**bad))
    assert taxonomy.version == before


def test_save_bumps_version_and_detects_stale_copies(taxonomy: Taxonomy) -> None:
    group = _group(synonyms=["thử"], hs=["6506"], regulations=[{"number": "QCVN 2:2021/BKHCN", "basis": "title"}])
    assert taxonomy.save(group) == "new"
    stored = taxonomy.group("test-group")
    assert taxonomy.save(stored) == "unchanged"
    stored.synonyms.append("khác")
    assert taxonomy.save(stored, expected_version=stored.version) == "changed"
    with pytest.raises(ValidationError):
        taxonomy.save(stored, expected_version=stored.version)  # someone saved in between


def test_a_cover_resting_on_a_row_of_an_older_edition_is_valid(taxonomy: Taxonomy) -> None:
    link = {
        "number": "QCVN 2:2021/BKHCN",
        "basis": "legal",
        "covers": [{"names": ["mũ"], "hs": ["650610"], "row": "Mũ bảo hiểm (sản xuất trong nước, nhập khẩu) – dấu CR"}],
    }
    assert taxonomy.save(_group(regulations=[link])) == "new"


def test_sql_injection_in_a_synonym_is_stored_literally(taxonomy: Taxonomy) -> None:
    payload = "'); DROP TABLE product_groups; --"
    taxonomy.save(_group(synonyms=[payload]))
    assert taxonomy.group("test-group").synonyms == [payload]
    assert len(taxonomy.groups()) >= 41


def test_curations_name_covered_products_whole_groups_and_legal_rows(taxonomy: Taxonomy) -> None:
    source = TaxonomyCurations(taxonomy)
    curations = source.current()
    assert ("QCVN 25:2025/BKHCN",) in [n for _, _, n in curations.spans(name_words("phích cắm"))]
    legal = {row["product_vi"] for row in taxonomy.product_regulations() if row.get("product_vi")}
    assert any(curations.spans(name_words(name)) for name in legal)
    # a group edit shows at the next check: a link without covers is named by the group's synonyms
    group = _group(
        synonyms=["mũ thử nghiệm"], hs=["6506"], regulations=[{"number": "QCVN 2:2021/BKHCN", "basis": "title"}]
    )
    taxonomy.save(group)
    source._checked = 0.0
    assert [n for _, _, n in source.current().spans(name_words("mũ thử nghiệm"))] == [("QCVN 2:2021/BKHCN",)]
    assert source.current().version != curations.version
