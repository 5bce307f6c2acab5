"""The recommender tables' repository: HS lines with their headings, product regulations and groups."""

import json

from catalogue.store.database import Store
from catalogue.store.groups import GROUP_COLUMNS

NOW = "2026-01-01T00:00:00+00:00"


def test_hs_lines_carry_their_heading_and_measures(store: Store) -> None:
    assert not store.groups.has_hs()
    with store.transaction() as tx:
        store.groups.insert_heading(tx, "6506", "Mũ và các vật đội đầu khác", "Other headgear")
        store.groups.insert_line(tx, "65061010", "Mũ bảo hiểm", "Safety helmets", "- Mũ an toàn", None, ["QCVN 2"])
        store.groups.insert_line(tx, "01011000", "Ngựa", "Horses", None, None, [])
    lines = list(store.groups.hs_lines())
    assert [line["code"] for line in lines] == ["01011000", "65061010"]
    assert lines[1]["heading_vi"] == "Mũ và các vật đội đầu khác" and lines[1]["measures"] == ["QCVN 2"]
    assert lines[0]["heading_vi"] is None
    assert sorted(store.groups.hs_codes()) == ["01011000", "65061010"]
    with store.transaction() as tx:
        store.groups.clear_hs(tx)
    assert not store.groups.has_hs()


def test_product_regulations_round_trip_in_order(store: Store) -> None:
    rows = [{"product": "Mũ bảo hiểm", "qcvn": ["QCVN 2:2021/BKHCN"]}, {"product": "Đồ chơi", "qcvn": []}]
    with store.transaction() as tx:
        for row in rows:
            store.groups.insert_product_regulation(tx, row)
    assert store.groups.product_regulations() == rows
    with store.transaction() as tx:
        store.groups.clear_product_regulations(tx)
    assert store.groups.product_regulations() == []


def test_groups_insert_update_and_version(store: Store) -> None:
    values = {c: json.dumps([]) for c in GROUP_COLUMNS} | {"name_vi": "Mũ", "name_en": "Helmets", "sector": "other"}
    with store.transaction() as tx:
        store.groups.insert_group(tx, "mu", values, NOW)
        store.groups.bump_version(tx)
    assert store.groups.group("mu")["version"] == 1
    assert store.get_meta("groups_version") == "1"
    with store.transaction() as tx:
        store.groups.update_group(tx, "mu", values | {"name_en": "Helmets and hats"}, NOW)
        assert store.groups.group("mu", tx)["name_en"] == "Helmets and hats"
    assert store.groups.group("mu")["version"] == 2
    assert [g["slug"] for g in store.groups.groups()] == ["mu"]
    assert store.groups.group("nothing") is None
