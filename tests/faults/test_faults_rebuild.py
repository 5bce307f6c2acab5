"""Faults around index rebuilds: writes from other processes, two rebuilds, SIGKILLs, damaged bytes.

Issue 13, items 1, 3, 4 and 5.  Each test is bounded (a fixed number of tries,
seeded randomness, timeouts on every wait) and ends by checking that the store
and the served index hold the same records.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx

from catalogue.editing import Editor
from catalogue.engine import Engine
from catalogue.importer import import_file
from catalogue.model import Standard
from catalogue.search.searcher import SearchRequest
from catalogue.settings import Settings
from tests.faults.support import (
    Server,
    assert_agree,
    audit,
    building,
    cli,
    csrf_of,
    index_numbers,
    kill,
    login,
    spawn,
    synthetic_rows,
    wait_for,
    write_jsonl,
)

TRIES = 3


def _settings(data_dir: Path) -> Settings:
    return Settings.load({"data_dir": str(data_dir)}, environ={})


def _record(number: str) -> Standard:
    return Standard(
        number=number,
        title_vi="Bản ghi thử nghiệm (synthetic)",
        title_en=f"Synthetic record {number}",
        status="active",
        sources=[{"ref": "synthetic fixture", "kind": "test"}],
    )


def _start_rebuild(data_dir: Path):
    proc = spawn("index", "--rebuild", data_dir=data_dir)
    assert wait_for(lambda: building(data_dir) or proc.poll() is not None, 90)
    return proc


def test_writes_made_during_a_rebuild_in_another_process_stay_searchable(data_dir: Path) -> None:
    engine = Engine.open(_settings(data_dir))
    editor = Editor(engine)
    failures, total, serial = [], 0, 0
    try:
        for attempt in range(TRIES):
            proc = _start_rebuild(data_dir)
            written = []
            while building(data_dir) and len(written) < 20:  # only while the new generation is being built
                number = f"TCVN {91000 + serial}:2024"
                serial += 1
                editor.save(_record(number), "alice", expected_version=None)
                written.append(number)
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-2000:]
            total += len(written)
            missing = set(written) - index_numbers(data_dir)
            unsearchable = [n for n in written if not engine.search(SearchRequest(q=n)).hits]
            if missing or unsearchable:
                failures.append((attempt, len(written), sorted(missing)[:3], unsearchable[:3]))
        assert total > 0, "no write landed during a rebuild: the test proved nothing"
        assert failures == [], f"{len(failures)} of {TRIES} tries lost writes"
        assert_agree(data_dir)
        created = {e["target"] for e in audit(data_dir) if e["action"] == "create"}
        assert {f"TCVN {91000 + i}:2024" for i in range(serial)} <= created
    finally:
        engine.close()


def test_an_import_during_a_rebuild_in_another_process_stays_searchable(data_dir: Path, tmp_path: Path) -> None:
    engine = Engine.open(_settings(data_dir))
    failures = []
    try:
        for attempt in range(3):
            rows = synthetic_rows(40, start=92000 + 100 * attempt, tag=f"import {attempt}")
            path = write_jsonl(tmp_path / f"rows{attempt}.jsonl", rows)
            proc = _start_rebuild(data_dir)
            summary = import_file(engine, path)
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-2000:]
            assert summary.new == 40
            missing = {r["number"] for r in rows} - index_numbers(data_dir)
            if missing:
                failures.append((attempt, len(missing)))
        assert failures == [], f"{len(failures)} of 3 imports lost rows"
        assert_agree(data_dir)
    finally:
        engine.close()


def test_saves_over_http_during_rebuilds_never_answer_5xx(data_dir: Path) -> None:
    statuses: list[int] = []
    errors: list[str] = []
    stop = threading.Event()
    with Server(data_dir) as server:
        client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
        assert login(client).status_code == 303
        token = csrf_of(client)
        number = "TCVN 8430:2010"

        def edits() -> None:
            version = client.get(f"/admin/api/standards/{number}").json()["version"]
            i = 0
            while not stop.is_set():
                try:
                    r = client.post(
                        f"/admin/api/standards/{number}",
                        json={"title_en": f"http edit {i}", "version": version},
                        headers={"x-csrf-token": token},
                    )
                except httpx.HTTPError as exc:  # a dropped keep-alive connection counts as a failure
                    errors.append(repr(exc))
                    continue
                statuses.append(r.status_code)
                if r.status_code == 200:
                    version = r.json()["version"]
                i += 1

        thread = threading.Thread(target=edits)
        thread.start()
        try:
            for _ in range(2):
                proc = cli("index", "--rebuild", data_dir=data_dir)
                assert proc.returncode == 0, proc.stderr[-2000:]
        finally:
            stop.set()
            thread.join(timeout=60)
            client.close()
    assert len(statuses) >= 20
    assert [s for s in statuses if s >= 500] == [] and errors == [], f"of {len(statuses)} saves"
    assert statuses.count(200) == len(statuses)
    assert_agree(data_dir)
    edits_logged = [e for e in audit(data_dir) if e["action"] == "edit" and e["target"] == number]
    assert len(edits_logged) == statuses.count(200)


def test_two_rebuilds_at_once_one_builds_the_other_says_so(data_dir: Path) -> None:
    for _ in range(2):
        procs = [spawn("index", "--rebuild", data_dir=data_dir) for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in procs]
        (ok, ok_err), (busy, busy_err) = sorted((p.returncode, err) for p, (_, err) in zip(procs, outputs, strict=True))
        assert (ok, busy) == (0, 1), ok_err[-2000:] + busy_err[-2000:]
        assert "Another index rebuild is running" in busy_err
        assert "Traceback" not in ok_err + busy_err
        assert not building(data_dir)
    assert_agree(data_dir)


def test_killed_rebuilds_leave_at_most_their_own_folder_and_the_old_index_serving(data_dir: Path) -> None:
    rng = random.Random(1301)
    started = time.monotonic()
    assert cli("index", "--rebuild", data_dir=data_dir).returncode == 0
    duration = time.monotonic() - started
    piled = []
    for _ in range(5):
        proc = spawn("index", "--rebuild", data_dir=data_dir)

        def own_building(p=proc) -> bool:  # this rebuild's folder: it has cleaned up before it
            index = data_dir / "index"
            return p.poll() is not None or any(x.name.endswith(f"-{p.pid}.building") for x in index.iterdir())

        assert wait_for(own_building, 90)
        time.sleep(rng.uniform(0, duration * 0.6))
        kill(proc)
        leftovers = [p.name for p in (data_dir / "index").iterdir() if p.name.endswith(".building")]
        if any(not name.endswith(f"-{proc.pid}.building") for name in leftovers):
            piled.append(leftovers)
        assert_agree(data_dir)  # whatever generation is served is complete and current
    assert piled == [], f"{len(piled)} of 5 rebuilds did not remove a killed rebuild's folder"
    assert cli("index", "--rebuild", data_dir=data_dir).returncode == 0
    names = [p.name for p in (data_dir / "index").iterdir() if p.is_dir()]
    assert not [n for n in names if n.endswith(".building")] and len(names) <= 2
    assert_agree(data_dir)


def _damage(data_dir: Path, rng: random.Random) -> tuple[str, str]:
    gen = (data_dir / "index" / "CURRENT").read_text().strip()
    files = sorted(p for p in (data_dir / "index" / gen).iterdir() if p.name not in ("META.json", "MAIN_WRITELOCK"))
    target = files[rng.randrange(len(files))]
    data = bytearray(target.read_bytes())
    start = rng.randrange(max(1, len(data) - 64))
    for i in range(start, min(len(data), start + 64)):
        data[i] = rng.randrange(256)
    target.write_bytes(bytes(data))
    return gen, target.name


def test_random_byte_damage_to_the_index_is_detected_and_rebuilt(base_dir: Path, tmp_path: Path) -> None:
    """Even seeds go through ``tieuchuan index`` (check and repair), odd ones through a server's start-up."""
    from tests.faults.support import copy_data

    undetected = []
    for seed in range(6):
        data_dir = copy_data(base_dir, tmp_path / f"seed{seed}")
        gen, name = _damage(data_dir, random.Random(seed))
        if seed % 2 == 0:
            proc = cli("index", data_dir=data_dir)
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
        else:
            engine = Engine.open(_settings(data_dir))  # what the server's lifespan does, then searches
            try:
                engine.searcher.warm_up()
                for q in ("nuoc mam", "TCVN 8430:2010", "an toàn điện", "mũ bảo hiểm", "thép"):
                    engine.search(SearchRequest(q=q))
            finally:
                engine.close()
        if (data_dir / "index" / "CURRENT").read_text().strip() == gen:
            undetected.append((seed, name))
        assert_agree(data_dir)
    assert undetected == [], f"{len(undetected)} of 6 seeds undetected"
