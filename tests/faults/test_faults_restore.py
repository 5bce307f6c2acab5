"""Faults around restores and edits: a restore under a live server, SIGKILLed restores and edits.

Issue 13, item 2.  Restore refuses while a server (or any command) holds the
data folder, so a server never keeps writing into a replaced database; a killed
restore leaves the old store or the restored one, and the next start brings the
index in line with whichever it is.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import httpx

from catalogue.backup import backup
from catalogue.editing import Editor
from catalogue.engine import Engine
from catalogue.model import Standard
from catalogue.settings import Settings
from tests.faults.support import (
    Server,
    assert_agree,
    audit,
    cli,
    copy_data,
    csrf_of,
    index_numbers,
    kill,
    login,
    spawn,
    store_numbers,
    store_titles,
    wait_for,
)

MARKER = "TCVN 8430:2010"
LATE = "TCVN 93000:2024"  # synthetic, written after the backup


def _settings(data_dir: Path) -> Settings:
    return Settings.load({"data_dir": str(data_dir)}, environ={})


def _set_title(engine: Engine, number: str, title: str) -> None:
    record = engine.store.get(number)
    record.title_en = title
    Editor(engine).save(record, "alice", expected_version=record.version)


def _create(engine: Engine, number: str) -> None:
    record = Standard(
        number=number,
        title_vi="Bản ghi thử nghiệm (synthetic)",
        title_en=f"Synthetic record {number}",
        status="active",
        sources=[{"ref": "synthetic fixture", "kind": "test"}],
    )
    Editor(engine).save(record, "alice", expected_version=None)


def test_restore_refuses_while_a_server_holds_the_data_dir_and_nothing_is_lost(data_dir: Path, tmp_path: Path) -> None:
    assert cli("backup", str(tmp_path / "bk"), data_dir=data_dir).returncode == 0
    with Server(data_dir) as server, httpx.Client(base_url=server.url, timeout=60) as c:
        assert login(c).status_code == 303
        token = csrf_of(c)

        def edit(title: str) -> httpx.Response:
            version = c.get(f"/admin/api/standards/{MARKER}").json()["version"]
            return c.post(
                f"/admin/api/standards/{MARKER}",
                json={"title_en": title, "version": version},
                headers={"x-csrf-token": token},
            )

        assert edit("before the restore attempt").status_code == 200
        proc = cli("restore", str(tmp_path / "bk"), data_dir=data_dir)
        assert proc.returncode != 0, "restore ran under a live server"
        assert "stop it" in proc.stderr and "Traceback" not in proc.stderr
        assert edit("after the restore attempt").status_code == 200
        assert c.get("/healthz").json()["indexed"] == c.get("/healthz").json()["standards"]
    # after a restart the server's last edit is there, in the store and in the index
    assert store_titles(data_dir)[MARKER] == "after the restore attempt"
    assert_agree(data_dir)
    # with the server stopped the restore runs, and records written after it are indexed
    proc = cli("restore", str(tmp_path / "bk"), data_dir=data_dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert store_titles(data_dir)[MARKER] != "after the restore attempt"
    engine = Engine.open(_settings(data_dir))
    try:
        _create(engine, LATE)
    finally:
        engine.close()
    assert LATE in index_numbers(data_dir)
    assert_agree(data_dir)


def test_killed_restores_leave_one_whole_store_and_an_index_that_agrees(base_dir: Path, tmp_path: Path) -> None:
    template = copy_data(base_dir, tmp_path / "template")
    engine = Engine.open(_settings(template))
    _set_title(engine, MARKER, "in the backup")
    backup(_settings(template), tmp_path / "bk")
    _set_title(engine, MARKER, "after the backup")
    _create(engine, LATE)
    engine.close()
    scratch = copy_data(template, tmp_path / "scratch")
    started = time.monotonic()
    assert cli("restore", str(tmp_path / "bk"), data_dir=scratch).returncode == 0
    duration = time.monotonic() - started
    rng = random.Random(1302)
    disagreements, states = [], []
    for attempt in range(5):
        data_dir = copy_data(template, tmp_path / f"try{attempt}")
        proc = spawn("restore", str(tmp_path / "bk"), data_dir=data_dir)
        if attempt < 2:  # during the swap of the database: right after its staging copy appears
            wait_for(lambda d=data_dir: (d / "catalogue.sqlite3.restoring").exists(), 60, 0.002)
            time.sleep(rng.uniform(0, 0.05))
        else:  # anywhere, the index rebuild included
            time.sleep(rng.uniform(0.3, duration))
        kill(proc)
        engine = Engine.open(_settings(data_dir))  # a restart after the crash
        engine.close()
        title = store_titles(data_dir)[MARKER]
        states.append(title)
        assert title in ("in the backup", "after the backup")
        assert (LATE in store_numbers(data_dir)) == (title == "after the backup"), "a mix of two stores"
        try:
            assert_agree(data_dir)
        except AssertionError as exc:
            disagreements.append((attempt, str(exc)[:200]))
            continue
        engine = Engine.open(_settings(data_dir))
        try:
            _create(engine, f"TCVN {93100 + attempt}:2024")  # a record written after the restore is indexed
        finally:
            engine.close()
        if f"TCVN {93100 + attempt}:2024" not in index_numbers(data_dir):
            disagreements.append((attempt, "a record written after the restore was not indexed"))
    print("restore states after kills:", states)
    assert disagreements == [], (disagreements, states)


def test_killed_edits_leave_store_index_and_audit_in_agreement(data_dir: Path) -> None:
    from catalogue.store.database import Store

    rng = random.Random(1303)
    store = Store(data_dir / "catalogue.sqlite3")
    start_version = store.get(MARKER).version
    store.close()
    for _ in range(5):
        proc = spawn("worker", "edit", str(data_dir), MARKER, "500")
        assert proc.stdout.readline().strip() == "ready", proc.communicate()[1][-2000:]
        time.sleep(rng.uniform(0, 1.5))
        kill(proc)
    Engine.open(_settings(data_dir)).close()  # the restart repairs the index from the watermark
    assert_agree(data_dir)
    store = Store(data_dir / "catalogue.sqlite3")
    version = store.get(MARKER).version
    store.close()
    edits = [e for e in audit(data_dir) if e["target"] == MARKER and e["user"] == "worker"]
    assert version - start_version == len(edits) > 0
