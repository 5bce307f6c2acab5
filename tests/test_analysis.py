import pickle

from whoosh.fields import Schema

from indexer.analysis import compound_analyzer, compounds, exact_analyzer, folded_analyzer, terms
from indexer.index import make_schema


def test_folded_analyser_matches_with_and_without_diacritics() -> None:
    analyzer = folded_analyzer()
    assert terms(analyzer, "nước mắm") == terms(analyzer, "nuoc mam") == terms(analyzer, "Nước Mắm") == ["nuoc", "mam"]


def test_folded_analyser_folds_d_bar() -> None:
    assert terms(folded_analyzer(), "Đường đô thị") == ["duong", "do", "thi"]


def test_exact_analyser_keeps_accents_and_normalises_tone_placement() -> None:
    analyzer = exact_analyzer()
    assert terms(analyzer, "Nước Mắm") == ["nước", "mắm"]
    assert terms(analyzer, "thuỵ hoà") == terms(analyzer, "thụy hòa")


def test_compound_analyser_emits_only_pyvi_compounds() -> None:
    found = terms(compound_analyzer(), "Thang máy điện - Yêu cầu an toàn")
    assert found
    assert all("_" in t for t in found)
    assert any(t.startswith("thang_máy") for t in found)


def test_compounds_of_an_empty_string() -> None:
    assert compounds("") == []
    assert compounds("   ") == []


def test_token_offsets_point_into_the_normalised_text() -> None:
    text = "Xi măng poóc lăng"
    for token in exact_analyzer()(text, chars=True):
        assert text[token.startchar : token.endchar].lower() == token.text


def test_schema_pickles_and_analyses_the_same_afterwards() -> None:
    schema = make_schema()
    clone: Schema = pickle.loads(pickle.dumps(schema))
    for field in ("title", "title_f", "title_c", "body_f"):
        text = "Nước uống đóng chai"
        assert terms(clone[field].analyzer, text) == terms(schema[field].analyzer, text)


def test_query_terms_equal_index_terms() -> None:
    """The searcher builds query terms with the very analysers the schema indexes with."""
    schema = make_schema()
    indexed = {t.text for t in schema["title_f"].analyzer("Mũ bảo hiểm cho trẻ em")}
    assert set(terms(schema["title_f"].analyzer, "mu bao hiem")) <= indexed
