"""Sector-wide rules: the bundled file is valid, every basis is checkable, membership is explained."""

from __future__ import annotations

import json

import pytest

from catalogue.engine import Engine
from catalogue.recommend.sectors import SECTOR_FILE, load, validate
from catalogue.recommend.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def taxonomy(engine: Engine) -> Taxonomy:
    return Taxonomy(engine.store)  # read only


def test_the_bundled_sector_rules_are_valid(taxonomy: Taxonomy) -> None:
    sectors = load()
    assert {"food", "electrical", "children", "construction"} <= {s.id for s in sectors}
    slugs = {g.slug for g in taxonomy.groups()}
    assert validate(sectors, taxonomy.store, slugs, taxonomy.hs_prefix_exists) == []


def test_a_basis_that_the_title_does_not_state_is_refused(taxonomy: Taxonomy, tmp_path) -> None:
    data = json.loads(SECTOR_FILE.read_text(encoding="utf-8"))
    data["sectors"][0]["rules"][0]["quote"] = "giới hạn mọi thứ trong thực phẩm"
    data["sectors"][0]["rules"].append({"number": "QCVN 999:2020/BYT", "topic_vi": "x", "topic_en": "x", "quote": "x"})
    data["sectors"][0]["groups"].append("no-such-group")
    data["sectors"][0]["hs"].append("9999")
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    problems = validate(load(path), taxonomy.store, {g.slug for g in taxonomy.groups()}, taxonomy.hs_prefix_exists)
    assert len(problems) == 4
    assert any("does not say" in p for p in problems) and any("not in the catalogue" in p for p in problems)


def test_membership_is_explained_by_group_or_hs_chapter() -> None:
    food = next(s for s in load() if s.id == "food")
    assert "nhóm «sua»" in food.applies(["sua"], [])[0]
    vi, en = food.applies([], ["19023040"])
    assert "1902.30.40" in vi and "19" in en
    assert food.applies(["xe-co-gioi"], ["87116094"]) is None
