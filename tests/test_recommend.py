"""The recommender on the bundled data: precision of "mandatory", outcomes, editions, parts, API and pages."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from catalogue.recommend import ranking
from catalogue.recommend.hs import classify, ministry
from catalogue.recommend.products import translate, understand
from catalogue.recommend.textindex import PhraseBook
from tests.eval.recommend_eval import evaluate, load_cases


@pytest.fixture(scope="module")
def rec(engine: Engine):
    return engine.recommender


def mandatory(result) -> list[str]:
    return [r.number for r in result.recommendations if r.mandatory]


def qcvn(result) -> list[str]:
    return [r.number for r in result.recommendations if r.kind == "QCVN"]


# -- the evaluation set ---------------------------------------------------------------------------
def test_evaluation_meets_the_issue_targets(rec) -> None:
    """success@k ≥ 0.95 overall and held out, ≥ 0.85 per category, wrong mandatory ≤ 3 %, none-cases clear."""
    cases = load_cases()
    assert len(cases) >= 150 and {c["split"] for c in cases} == {"dev", "heldout"}
    tables = evaluate(rec, cases)
    for split in ("overall", "heldout"):
        everything = tables[split]["all"].row()
        assert everything["success@k"] >= 0.95, (split, everything)
        assert everything["wrong_mandatory"] <= 0.03, (split, everything)
        for category, table in tables[split].items():
            assert table.row()["success@k"] >= 0.85, (split, category, table.row())
        t = tables[split]["all"]
        assert t.none_clear == t.none_n and t.none_with_mandatory == 0


# -- precision of "mandatory" -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "product",
    ["mũ bảo hiểm", "ổ cắm điện", "máy sấy tóc", "xăng E5", "thép cốt bê tông", "bình gas", "tủ lạnh", "pháo hoa"],
)
def test_every_mandatory_qcvn_states_a_basis_covering_the_product(rec, product: str) -> None:
    result = rec.recommend(product)
    assert result.outcome == "ok" and mandatory(result)
    for r in result.recommendations:
        if r.mandatory:
            assert r.basis in ("legal", "hs_group2") and r.legal_basis, (product, r)


def test_a_modifier_does_not_pull_its_own_group(rec) -> None:
    """A helmet for motorcyclists is a helmet: no vehicle regulation is mandatory for it."""
    result = rec.recommend("mũ bảo hiểm xe máy")
    assert mandatory(result) == ["QCVN 2:2021/BKHCN"]
    assert [g.slug for g in result.groups] == ["mu-bao-hiem"]


def test_the_longest_phrase_decides(rec) -> None:
    """ "nồi cơm điện" is an appliance, not the "nồi" of food-contact kitchenware."""
    result = rec.recommend("nồi cơm điện")
    assert "QCVN 4:2009/BKHCN" in mandatory(result)
    assert not any(n.startswith("QCVN 12-") for n in qcvn(result))


def test_accents_typed_are_respected(rec) -> None:
    """ "gà" (chicken) is not "ga" (gas)."""
    result = rec.recommend("thức ăn chăn nuôi cho lợn và gà")
    assert "lpg-binh-gas" not in [g.slug for g in result.groups]
    assert "QCVN 08:2019/BKHCN" not in qcvn(result)


def test_reasons_cite_only_this_products_legal_row(rec) -> None:
    socket = next(r for r in rec.recommend("ổ cắm điện").recommendations if r.number == "QCVN 25:2025/BKHCN")
    assert "Socket-outlets" in socket.reason and "Circuit-breakers" not in socket.reason
    dryer = next(r for r in rec.recommend("máy sấy tóc").recommendations if r.number == "QCVN 4:2009/BKHCN")
    assert "Nồi cơm điện" not in dryer.reason
    assert dryer.basis == "hs_group2" and "8516.31.00" in dryer.reason


def test_an_unknown_head_is_not_its_modifier(rec) -> None:
    """A phone charger is not a phone; a gas stove is not LPG."""
    assert mandatory(rec.recommend("sạc điện thoại")) == []
    assert mandatory(rec.recommend("bếp gas")) == []
    assert mandatory(rec.recommend("thiết bị X-quang răng")) == ["QCVN 17:2018/BKHCN"]  # "thiết bị" is generic


def test_an_english_compound_of_two_groups_is_asked(rec) -> None:
    """ "car toys": a toy or a car?  A phrase of one group covering both words settles it."""
    result = rec.recommend("car toys")
    assert result.outcome == "question" and {o["slug"] for o in result.question["options"]} == {"do-choi", "xe-co-gioi"}
    assert mandatory(rec.recommend("toy cars")) == ["QCVN 03:2019/BKHCN"]
    assert mandatory(rec.recommend("motorcycle helmet")) == ["QCVN 2:2021/BKHCN"]


def test_questions_about_regulations_read_as_the_product(rec) -> None:
    for text in ("quy chuẩn nào áp dụng cho mũ bảo hiểm", "nhà nhập khẩu mũ bảo hiểm", "QCVN cho mũ bảo hiểm"):
        result = rec.recommend(text)
        assert result.reading["phrase"] == "mũ bảo hiểm", text
        assert mandatory(result) == ["QCVN 2:2021/BKHCN"]


def test_title_only_regulations_may_also_apply(rec) -> None:
    result = rec.recommend("phân bón NPK")
    assert "QCVN 01-189:2019/BNNPTNT" in qcvn(result)
    assert mandatory(result) == []
    assert result.outcome == "none_known"


def test_hs_description_of_another_group_does_not_pull_its_qcvn(rec) -> None:
    """ "xe máy" matches the helmet line "Mũ bảo hiểm cho người đi xe máy"; the helmet QCVN stays out."""
    assert "QCVN 2:2021/BKHCN" not in mandatory(rec.recommend("xe may"))


# -- outcomes ---------------------------------------------------------------------------------------
def test_no_mandatory_qcvn_known_is_said_with_the_coverage(rec) -> None:
    result = rec.recommend("áo sơ mi cotton")
    assert result.outcome == "none_known" and mandatory(result) == []
    assert "No mandatory QCVN is known for this product" in result.message
    assert f"holds {result.coverage['qcvn']} of about 800 QCVN" in result.message


def test_not_understood_is_a_different_message_with_the_closest_groups(rec) -> None:
    result = rec.recommend("xe tăng bay chạy bằng năng lượng mặt trời")
    assert result.outcome == "not_understood" and result.recommendations == []
    assert "did not understand the product" in result.message
    assert rec.recommend("xin chào").outcome == "not_understood"


def test_two_readings_become_a_question(rec) -> None:
    result = rec.recommend("thép")
    assert result.outcome == "question"
    assert result.recommendations == [] and len(result.question["options"]) >= 2
    assert "thep-cot-be-tong" in [o["slug"] for o in result.question["options"]]


def test_sector_rules_for_a_food_without_a_group(rec) -> None:
    result = rec.recommend("mì ăn liền")
    food = next(s for s in result.sector_rules if s.id == "food")
    assert {"QCVN 8-1:2011/BYT", "QCVN 8-2:2011/BYT", "QCVN 8-3:2012/BYT"} <= {r.number for r in food.items}
    assert "1902" in food.why and all(not r.mandatory for r in food.items)
    assert result.outcome == "none_known"


def test_sector_rules_for_appliances(rec) -> None:
    result = rec.recommend("ổ cắm điện")
    sector = next(s for s in result.sector_rules if s.id == "electrical")
    assert {r.number for r in sector.items} == {"QCVN 4:2009/BKHCN", "QCVN 9:2012/BKHCN"}


# -- editions -------------------------------------------------------------------------------------------
def test_the_edition_the_legal_text_names_is_shown_with_the_current_one(rec) -> None:
    first = rec.recommend("mũ bảo hiểm").recommendations[0]
    assert first.number == "QCVN 2:2021/BKHCN" and first.named == ["QCVN 2:2008/BKHCN"]
    assert first.edition_note_en == "The text names QCVN 2:2008/BKHCN; current: QCVN 2:2021/BKHCN"
    assert "Thông tư 23/2009/TT-BKHCN" in first.legal_basis
    assert first.decision


def test_withdrawn_editions_only_when_asked(rec) -> None:
    default = rec.recommend("thang máy")
    assert "QCVN 02:2011/BLĐTBXH" not in qcvn(default)
    assert all(r.status != "withdrawn" for r in default.recommendations)
    # the 2026-12-01 bundle holds QCVN 02:2019/BLĐTBXH, which the withdrawn 02:2011 edition leads to
    assert "QCVN 02:2019/BLĐTBXH" in qcvn(default)


def test_numbers_reused_for_other_subjects_are_not_taken_for_editions(rec) -> None:
    """QCVN 04:2015/BCT (detonating cord) does not replace QCVN 04:2013/BCT (LPG cylinders)."""
    numbers = mandatory(rec.recommend("bình gas"))
    assert "QCVN 04:2015/BCT" not in numbers and "QCVN 04:2013/BCT" in numbers


# -- inputs ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hs", ["6506.10", "650610", "6506.10.10", "65061010", " 6506 10 ", "6506"])
def test_hs_code_of_any_length_with_or_without_dots(rec, hs: str) -> None:
    assert mandatory(rec.recommend("", hs))[0] == "QCVN 2:2021/BKHCN"


def test_hs_code_alone_without_a_group_reads_the_lines(rec) -> None:
    """Fireworks have no product group: the line's description and the BCA group-2 list name QCVN 04:2021/BCA."""
    assert mandatory(rec.recommend("", "3604.10")) == ["QCVN 04:2021/BCA"]


def test_sentences_english_and_variants(rec) -> None:
    sentence = rec.recommend("công ty tôi nhập khẩu máy sấy tóc từ Trung Quốc về bán")
    assert sentence.reading["phrase"] == "máy sấy tóc" and sentence.reading["role"] == "import"
    assert "QCVN 4:2009/BKHCN" in mandatory(sentence)
    assert "QCVN 68:2013/BGTVT" in qcvn(rec.recommend("electric bicycle"))
    assert mandatory(rec.recommend("cầu dao chống giật RCBO 40A")) == ["QCVN 25:2025/BKHCN"]


@pytest.mark.parametrize("hs", ["abc", "123", "6506.1", "650610101"])
def test_bad_hs_codes_are_refused_clearly(rec, hs: str) -> None:
    with pytest.raises(InvalidInput):
        rec.recommend("", hs)


def test_empty_input_is_refused(rec) -> None:
    with pytest.raises(InvalidInput):
        rec.recommend("   ", None)


def test_hs_code_not_in_the_nomenclature(rec) -> None:
    result = rec.recommend("", "9999.99")
    assert result.outcome == "not_understood" and "not in the Vietnamese tariff" in result.message


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_gives_an_outcome(rec, text: str) -> None:
    try:
        result = rec.recommend(text)
    except InvalidInput:
        return
    assert result.outcome in ("ok", "none_known", "not_understood", "question")
    assert result.outcome == "ok" or result.message


# -- parts --------------------------------------------------------------------------------------------------
def test_product_understanding() -> None:
    r = understand("chúng tôi nhập khẩu aptomat và cầu dao chống rò điện cho nhà ở")
    assert r.role == "import" and r.phrase.startswith("aptomat và cầu dao")
    assert understand("we manufacture rice cookers and want to sell them in Vietnam").phrase == "rice cookers"
    assert understand("bàn ghế gỗ").role is None  # "bàn" is a table, not "bán" (to sell)
    assert understand("sữa bột cho trẻ dưới 6 tháng").phrase == "sữa bột cho trẻ dưới 6 tháng"
    bike = translate(understand("electric bicycle"))
    assert bike is not None and bike.phrase == "xe dap dien"


def test_phrase_book_longest_match_and_accents() -> None:
    book = PhraseBook()
    book.add("nồi", "kitchen")
    book.add("nồi cơm điện", "appliance")
    book.add("ga", "gas")
    hits = PhraseBook.resolve(book.find(understand("nồi cơm điện")), lambda t: t)
    assert [h.target for h in hits] == ["appliance"]
    assert book.find(understand("thịt gà")) == []
    assert [h.target for h in book.find(understand("binh ga"))] == ["gas"]


@pytest.mark.parametrize(
    ("label", "kind", "covers", "not_covers"),
    [
        ("Hàng hóa nhóm 2 (2711/QĐ-BKHCN 2022)", "group2", "BKHCN", "BCT"),
        ("Hàng hóa KTCN về chất lượng SP HH nhóm 2 (1182/QĐ-BCT-PL1-2021)", "group2", "BCT", "BKHCN"),
        ("SPHH lĩnh vực CNTT và VT bắt buộc phải công bố hợp quy (29/2025/TT-BKHCN-PL2)", "group2", "BTTTT", "BCA"),
        ("HH KTCN về an toàn thực phẩm (1182/QĐ-BCT-PL2-2021)", "food_safety", None, "BCT"),
        ("KTCN về hiệu suất năng lượng và dán nhãn năng lượng (1725/QĐ-BCT 2024)", "other", None, "BCT"),
        (
            "Phương tiện đo phải kiểm tra nhà nước về đo lường khi NK (2284/QĐ-BKHCN ngày 15/08/2018)",
            "other",
            None,
            "BKHCN",
        ),
    ],
)
def test_measure_rules(label: str, kind: str, covers: str | None, not_covers: str) -> None:
    m = classify(label)
    assert m.kind == kind
    assert covers is None or m.covers(covers)
    assert not m.covers(not_covers)
    assert ministry("QCVN 2:2021/BKHCN") == "BKHCN" and ministry("QCVN 18:2013/BLĐTBXH") == "BLĐTBXH"


def _candidate(**kw) -> ranking.Candidate:
    base = {"number": "QCVN 1:2020/BKHCN", "mandatory": False, "basis": "title", "group_rank": 0}
    base.update(kw)
    return ranking.Candidate(**base)


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({"mandatory": True}, {"mandatory": False, "basis": "legal"}),  # rule 1
        ({"group_rank": 0}, {"group_rank": 1, "basis": "legal"}),  # rule 2
        ({"specificity": 3}, {"specificity": 2, "basis": "legal"}),  # rule 3
        ({"basis": "legal"}, {"basis": "hs_group2", "overlap": 5}),  # rule 4
        ({"facility": True, "role": "make"}, {"facility": False, "role": "make", "overlap": 0}),  # rule 5
        ({"facility": False, "role": "import"}, {"facility": True, "role": "import"}),  # rule 5, the other way
        ({"overlap": 2}, {"overlap": 1, "status": "active"}),  # rule 6
        ({"status": "active"}, {"status": "unknown"}),  # rule 7
        ({"order": 0}, {"order": 1}),  # rule 8
    ],
)
def test_ranking_rules_in_order(better: dict, worse: dict) -> None:
    a, b = _candidate(**better), _candidate(**worse)
    assert ranking.rank([b, a]) == [a, b]
    assert len(ranking.RULES) == 8 and ranking.BASIS_STRENGTH["legal"] > ranking.BASIS_STRENGTH["hs_group2"]


# -- API and pages --------------------------------------------------------------------------------------------
def test_api_shape(http: httpx.Client) -> None:
    data = http.get("/api/recommend", params={"product": "mũ bảo hiểm cho trẻ em"}).json()
    assert data["outcome"] == "ok" and data["coverage"]["qcvn_estimate"] == 800
    assert {"slug", "name_vi", "score"} <= set(data["groups"][0])
    first = data["recommendations"][0]
    assert {"number", "title_vi", "kind", "mandatory", "legal_basis", "reason", "basis", "named", "score"} <= set(first)
    assert first["mandatory"] is True and first["kind"] == "QCVN"


def test_api_bad_input(http: httpx.Client) -> None:
    r = http.get("/api/recommend", params={"hs": "abc"})
    assert r.status_code == 400 and r.json()["error"]["message"]
    assert http.get("/api/recommend").status_code == 400


def test_pages(http: httpx.Client) -> None:
    page = http.get("/recommend", params={"product": "mũ bảo hiểm"}).text
    assert "QCVN 2:2021/BKHCN" in page and "Quy chuẩn bắt buộc" in page
    assert "Văn bản nêu QCVN 2:2008/BKHCN; bản hiện hành: QCVN 2:2021/BKHCN" in page
    assert 'href="/recommend/checklist?product=' in page and "checklist.xlsx" in page
    may = http.get("/recommend", params={"product": "phân bón NPK"}).text
    assert "QCVN 01-189:2019/BNNPTNT" in may and "Có thể áp dụng" in may and "Chưa biết QCVN bắt buộc" in may
    food = http.get("/recommend", params={"product": "mì ăn liền"}).text
    assert "Áp dụng cho mọi sản phẩm" in food and "QCVN 8-2:2011/BYT" in food
    question = http.get("/recommend", params={"product": "thép"}).text
    assert 'href="/recommend?product=' in question and "Thép cốt bê tông" in question
    unknown = http.get("/recommend", params={"product": "xin chào bạn"}).text
    assert "Chúng tôi chưa hiểu sản phẩm" in unknown
    bad = http.get("/recommend", params={"hs": "abc"})
    assert bad.status_code == 400 and 'value="abc"' in bad.text
    assert http.get("/groups").text.count('href="/groups/') >= 40
    group = http.get("/groups/phu-kien-dien").text
    assert "QCVN 25:2025/BKHCN" in group and "Socket-outlets for household use" in group and "8536.69" in group
    assert http.get("/groups/no-such-group").status_code == 404


def test_edits_to_groups_and_records_reach_the_next_answer(tmp_path) -> None:
    """A new synonym rebuilds the prepared index; a record edit refreshes the remembered editions."""
    from dataclasses import replace

    from catalogue.recommend.taxonomy import Taxonomy
    from catalogue.settings import Settings

    engine = Engine.open(Settings.load({"data_dir": str(tmp_path)}, environ={}))
    try:
        rec = engine.recommender
        assert rec.recommend("nón kết bảo vệ đầu").outcome != "ok"
        taxonomy = Taxonomy(engine.store)
        group = taxonomy.group("mu-bao-hiem")
        group.regulations[0]["covers"][0]["names"].append("nón kết bảo vệ đầu")
        taxonomy.save(group)
        assert mandatory(rec.recommend("nón kết bảo vệ đầu")) == ["QCVN 2:2021/BKHCN"]
        record = engine.store.get("QCVN 2:2021/BKHCN")
        engine.save([replace(record, status="withdrawn", status_basis="official")], require_title=False)
        assert "QCVN 2:2021/BKHCN" not in qcvn(rec.recommend("mũ bảo hiểm"))
    finally:
        engine.close()


def test_stored_xss_in_a_synonym_is_escaped(tmp_path) -> None:
    from catalogue.recommend.taxonomy import Taxonomy
    from catalogue.settings import Settings
    from catalogue.web.app import create_app
    from tests.conftest import LiveServer

    settings_ = Settings.load({"data_dir": str(tmp_path)}, environ={})
    engine = Engine.open(settings_)
    taxonomy = Taxonomy(engine.store)
    group = taxonomy.group("mu-bao-hiem")
    group.synonyms.append("<script>alert(1)</script>")
    taxonomy.save(group)
    with LiveServer(create_app(settings_, engine)) as server:
        page = httpx.get(f"{server.url}/groups/mu-bao-hiem").text
        found = httpx.get(f"{server.url}/recommend", params={"product": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<script>alert(1)</script>" not in found
