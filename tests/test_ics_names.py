"""The ICS table: read once per index generation, names in the page's language."""

from __future__ import annotations

from catalogue.engine import Engine
from catalogue.search.ics_names import IcsTable

ROWS = {
    "67": {"code": "67", "title_vi": "Công nghệ thực phẩm", "title_en": "Food technology"},
    "91": {"code": "91", "title_vi": None, "title_en": "Construction materials"},
}


def test_the_table_is_read_once_per_generation() -> None:
    loads, generation = [], ["gen-1"]

    def load() -> dict:
        loads.append(1)
        return dict(ROWS)

    table = IcsTable(load, lambda: generation[0])
    assert table.table() is table.table() and len(loads) == 1
    generation[0] = "gen-2"  # a rebuild (after a seed or a restore) may bring a new table
    assert table.table()["67"]["title_en"] == "Food technology" and len(loads) == 2


def test_names_fall_back_to_english_and_skip_unknown_codes() -> None:
    table = IcsTable(lambda: ROWS, lambda: 1)
    assert table.names(["67", "91", "99"], "vi") == {"67": "Công nghệ thực phẩm", "91": "Construction materials"}
    assert table.names(["67"], "en") == {"67": "Food technology"}


def test_the_engine_serves_the_stores_table(engine: Engine) -> None:
    assert engine.ics.table() == engine.store.ics()
    assert len(engine.ics.table()) > 1000
