"""Backups: an online copy with a manifest; restore checks it, records itself in the audit log, rebuilds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogue.backup import backup, restore
from catalogue.editing import Editor
from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from catalogue.search.searcher import SearchRequest
from tests.conftest import BUNDLED


def _edit(engine: Engine, title: str) -> None:
    record = engine.store.get("TCVN 8430:2010")
    record.title_en = title
    Editor(engine).save(record, "lan", expected_version=record.version)


def test_backup_writes_a_copy_and_its_manifest(writable_engine: Engine, tmp_path: Path) -> None:
    manifest = backup(writable_engine.settings, tmp_path / "bk")
    assert manifest["standards"] == BUNDLED and manifest["seq"] == writable_engine.store.seq
    assert json.loads((tmp_path / "bk" / "manifest.json").read_text()) == manifest
    assert len(manifest["sha256"]) == 64
    with pytest.raises(InvalidInput):  # never into a folder holding something
        backup(writable_engine.settings, tmp_path / "bk")


def test_restore_brings_the_copy_back_with_an_audit_entry_and_a_rebuilt_index(
    writable_engine: Engine, tmp_path: Path
) -> None:
    settings = writable_engine.settings
    _edit(writable_engine, "Backed up title")
    backup(settings, tmp_path / "bk")
    _edit(writable_engine, "Changed after the backup")
    writable_engine.close()
    restore(settings, tmp_path / "bk", user="lan")
    again = Engine.open(settings)
    assert again.store.get("TCVN 8430:2010").title_en == "Backed up title"
    assert again.search(SearchRequest(q="backed up title")).hits[0].number == "TCVN 8430:2010"
    entry = again.store.audit.entries()[0]
    assert (entry["user"], entry["action"], entry["target"]) == ("lan", "restore", "bk")
    again.close()


def test_a_damaged_backup_is_refused_and_the_live_store_untouched(writable_engine: Engine, tmp_path: Path) -> None:
    settings = writable_engine.settings
    backup(settings, tmp_path / "bk")
    _edit(writable_engine, "Live title")
    (tmp_path / "bk" / "catalogue.sqlite3").write_bytes(b"damaged")
    with pytest.raises(InvalidInput):
        restore(settings, tmp_path / "bk")
    with pytest.raises(InvalidInput):
        restore(settings, tmp_path / "nothing-here")
    assert writable_engine.store.get("TCVN 8430:2010").title_en == "Live title"
