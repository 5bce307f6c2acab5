"""The recommender on the bundled data, its evaluation set, API and pages."""

import httpx
import pytest

from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from tests.recommend_eval import CASES, evaluate


@pytest.fixture(scope="module")
def rec(engine: Engine):
    return engine.recommender


def mandatory(result) -> list[str]:
    return [r.number for r in result.recommendations if r.mandatory]


def test_evaluation_set_meets_recall_target(rec) -> None:
    assert len(CASES) >= 50
    styles = {c.style for c in CASES}
    assert {"hs", "unaccented", "colloquial"} <= styles
    report = evaluate(rec)
    assert report["recall@3"] >= 0.9, report["misses"]
    assert report["group@3"] >= 0.9


@pytest.mark.parametrize("hs", ["6506.10", "650610", "6506.10.10", "65061010", " 6506 10 "])
def test_hs_with_and_without_dots(rec, hs: str) -> None:
    result = rec.recommend("", hs)
    assert result.groups[0].slug == "mu-bao-hiem"
    assert mandatory(result)[0] == "QCVN 2:2021/BKHCN"


def test_reason_names_group_2_list_and_hs_code(rec) -> None:
    first = rec.recommend("", "6506.10").recommendations[0]
    assert first.mandatory and first.legal_basis
    assert "Hàng hóa nhóm 2 thuộc Bộ KHCN (2711/QĐ-BKHCN 2022)" in first.reason
    assert "6506.10" in first.reason
    assert "Group-2 goods" in first.reason_en


def test_accentless_input_matches_like_accented(rec) -> None:
    assert mandatory(rec.recommend("nuoc uong dong chai")) == mandatory(rec.recommend("nước uống đóng chai"))
    assert mandatory(rec.recommend("phan bon")) == ["QCVN 01-189:2019/BNNPTNT"]


def test_accented_input_does_not_confuse_ga_and_gas(rec) -> None:
    slugs = [g.slug for g in rec.recommend("thịt gà").groups]
    assert slugs[0] == "thit"
    assert "lpg-binh-gas" not in slugs


def test_unaccented_ambiguity_is_resolved_by_the_groups_accented_words(rec) -> None:
    """ "bia" (beer) must not recommend "Bìa hồ sơ lưu trữ" (archive folders)."""
    titles = [r.title_vi or "" for r in rec.recommend("bia").recommendations]
    assert not any(t.startswith("Bìa") for t in titles)


def test_unknown_product_says_so_and_offers_closest_groups(rec) -> None:
    result = rec.recommend("xe tăng bay chạy bằng năng lượng mặt trời")
    assert result.groups == []
    assert result.recommendations == []
    assert "No product group found" in result.message
    assert result.closest


def test_a_group_without_linked_standards_explains_itself(rec) -> None:
    result = rec.recommend("inox")
    assert result.groups[0].slug == "thep-khong-gi"
    assert result.recommendations == []
    assert result.message and "HS" in result.message
    assert result.groups[0].measures


def test_old_edition_named_by_a_legal_text_maps_to_the_current_edition(rec) -> None:
    first = rec.recommend("mũ bảo hiểm").recommendations[0]
    assert first.number == "QCVN 2:2021/BKHCN"
    assert first.replaces == "QCVN 2:2008/BKHCN"
    assert "thay thế cho QCVN 2:2008/BKHCN" in first.reason
    assert "Thông tư 23/2009/TT-BKHCN" in first.legal_basis


def test_withdrawn_editions_only_when_asked(rec) -> None:
    default = rec.recommend("thang máy")
    assert default.groups[0].slug == "thang-may"
    assert mandatory(default) == []
    withdrawn = rec.recommend("thang máy", include_withdrawn=True)
    assert "QCVN 02:2011/BLĐTBXH" in mandatory(withdrawn)
    assert all(r.status == "withdrawn" for r in withdrawn.recommendations if r.mandatory)


def test_numbers_reused_for_other_subjects_are_not_taken_for_editions(rec) -> None:
    """QCVN 04:2015/BCT (detonating cord) does not replace QCVN 04:2013/BCT (LPG cylinders)."""
    numbers = mandatory(rec.recommend("bình gas"))
    assert "QCVN 04:2015/BCT" not in numbers
    assert "QCVN 04:2013/BCT" in numbers


def test_mandatory_first_then_voluntary(rec) -> None:
    kinds = [r.mandatory for r in rec.recommend("nước uống đóng chai").recommendations]
    assert kinds == sorted(kinds, reverse=True)
    assert kinds[0] is True and kinds[-1] is False


@pytest.mark.parametrize("hs", ["abc", "123", "6506.1", "650610101"])
def test_bad_hs_codes_are_refused_clearly(rec, hs: str) -> None:
    with pytest.raises(InvalidInput):
        rec.recommend("", hs)


def test_empty_input_is_refused(rec) -> None:
    with pytest.raises(InvalidInput):
        rec.recommend("   ", None)


def test_hs_code_not_in_the_nomenclature(rec) -> None:
    result = rec.recommend("", "9999.99")
    assert "not in the Vietnamese tariff" in result.message


def test_api_shape(http: httpx.Client) -> None:
    data = http.get("/api/recommend", params={"product": "mũ bảo hiểm cho trẻ em"}).json()
    assert {"slug", "name_vi", "score"} <= set(data["groups"][0])
    first = data["recommendations"][0]
    assert {"number", "title_vi", "kind", "mandatory", "legal_basis", "reason", "score"} <= set(first)
    assert first["mandatory"] is True and first["kind"] == "QCVN"


def test_api_bad_input(http: httpx.Client) -> None:
    r = http.get("/api/recommend", params={"hs": "abc"})
    assert r.status_code == 400
    assert r.json()["error"]["message"]
    assert http.get("/api/recommend").status_code == 400


def test_pages(http: httpx.Client) -> None:
    home = http.get("/").text
    assert "Tìm tiêu chuẩn cho sản phẩm của tôi" in home and 'action="/recommend"' in home
    page = http.get("/recommend", params={"product": "phân bón NPK"}).text
    assert "QCVN 01-189:2019/BNNPTNT" in page and "Quy chuẩn bắt buộc" in page
    unknown = http.get("/recommend", params={"product": "xe tăng bay"}).text
    assert "Không tìm thấy nhóm sản phẩm" in unknown and 'href="/groups/' in unknown
    bad = http.get("/recommend", params={"hs": "abc"})
    assert bad.status_code == 400 and 'value="abc"' in bad.text
    groups = http.get("/groups").text
    assert groups.count('href="/groups/') >= 40
    group = http.get("/groups/mu-bao-hiem").text
    assert "QCVN 2:2021/BKHCN" in group and "6506.10" in group
    assert http.get("/groups/no-such-group").status_code == 404


def test_stored_xss_in_a_synonym_is_escaped(tmp_path) -> None:
    from catalogue.recommend.taxonomy import Taxonomy
    from catalogue.settings import Settings
    from catalogue.web.app import create_app
    from tests.conftest import LiveServer

    settings = Settings.load({"data_dir": str(tmp_path)}, environ={})
    engine = Engine.open(settings)
    taxonomy = Taxonomy(engine.store)
    group = taxonomy.group("mu-bao-hiem")
    group.synonyms.append("<script>alert(1)</script>")
    taxonomy.save(group)
    with LiveServer(create_app(settings, engine)) as server:
        page = httpx.get(f"{server.url}/groups/mu-bao-hiem").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_a_repeated_recommendation_is_kept_until_the_store_changes(settings) -> None:
    from dataclasses import asdict

    from tests.conftest import make_standard

    eng = Engine.open(settings)
    try:
        first = eng.recommender.recommend("mũ bảo hiểm xe máy")
        assert eng.recommender.recommend("mũ bảo hiểm xe máy") is first
        assert asdict(first) == asdict(eng.recommender._recommend("mũ bảo hiểm xe máy", None, False))
        eng.save([make_standard("TCVN 99872:2024", title_vi="Mũ bảo hiểm cho trẻ em đi xe đạp")])
        again = eng.recommender.recommend("mũ bảo hiểm xe máy")
        assert again is not first  # a write: computed afresh
    finally:
        eng.close()
