"""The engine: store and index opened together, repaired at start-up, writes through the unit of work."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalogue.engine import Engine
from catalogue.errors import IndexUnavailable, ValidationError
from catalogue.search.searcher import SearchRequest
from catalogue.settings import Settings
from tests.conftest import BUNDLED, make_standard


def _settings(engine: Engine, **overrides: object) -> Settings:
    return Settings.load({"data_dir": str(engine.settings.data_path), **overrides}, environ={})


def test_a_missing_index_is_rebuilt_from_the_store_and_said(writable_engine: Engine) -> None:
    settings = writable_engine.settings
    writable_engine.close()
    shutil.rmtree(settings.index_path)
    again = Engine.open(settings)
    assert any("rebuilding from the store" in e for e in again.events)
    assert again.index.meta()["count"] == again.store.count() == BUNDLED
    again.close()


def test_without_rebuild_on_start_a_missing_index_is_an_error(writable_engine: Engine) -> None:
    settings = _settings(writable_engine, rebuild_on_start=False)
    writable_engine.close()
    shutil.rmtree(settings.index_path)
    with pytest.raises(IndexUnavailable):
        Engine.open(settings)


def test_writes_after_the_watermark_are_reindexed_at_start_up(writable_engine: Engine) -> None:
    writable_engine.store.upsert(make_standard("TCVN 99601:2024", title_vi="Bánh cốm"))  # index not told
    settings = writable_engine.settings
    writable_engine.close()
    again = Engine.open(settings)
    assert any("re-indexed 1 records" in e for e in again.events)
    assert again.search(SearchRequest(q="banh com")).hits[0].number == "TCVN 99601:2024"
    again.close()


def test_save_is_all_or_nothing_audited_and_searchable(writable_engine: Engine) -> None:
    engine = writable_engine
    counts = engine.save([make_standard("TCVN 99602:2024", title_vi="Bánh đậu xanh")], user="lan")
    assert counts == {"new": 1, "changed": 0, "unchanged": 0}
    assert engine.search(SearchRequest(q="banh dau xanh")).hits[0].number == "TCVN 99602:2024"
    assert engine.store.audit.entries("TCVN 99602:2024")[0]["user"] == "lan"
    with pytest.raises(ValidationError):  # the invalid second record stops the whole batch
        engine.save(
            [make_standard("TCVN 99603:2024", title_vi="Bánh gai"), make_standard("TCVN 99604:2024", title_vi="")]
        )
    assert engine.search(SearchRequest(q="TCVN 99603:2024")).total == 0
    assert "TCVN 99603:2024" not in [h.number for h in engine.search(SearchRequest(q="banh gai", limit=100)).hits]
    assert engine.store.audit.entries("TCVN 99603:2024") == []


def test_ics_names_are_read_once_per_index_generation(writable_engine: Engine, monkeypatch) -> None:
    engine = writable_engine
    reads = []
    real = engine.store.ics
    monkeypatch.setattr(engine.store, "ics", lambda: reads.append(1) or real())
    first = engine.ics()
    assert engine.ics() is first and len(first) == 1381
    assert len(reads) == 1
    engine.rebuild()  # a new generation
    assert engine.ics() is not first
    assert len(reads) == 2


def test_open_on_an_empty_folder_seeds_the_bundle(tmp_path: Path) -> None:
    engine = Engine.open(Settings.load({"data_dir": str(tmp_path)}, environ={}))
    assert engine.store.count() == BUNDLED
    assert any("seeded the bundled catalogue" in e for e in engine.events)
    engine.close()
