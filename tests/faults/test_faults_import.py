"""Faults in imports: hostile lines, SIGKILLs mid-import, re-imports, oversized and abandoned uploads.

Issue 13, items 6, 7, 11 and 14.  A bad line is quarantined with its reason and
the import goes on; every change an import makes has its audit entry, committed
with it; re-importing a file quarantines nothing new; uploads are bounded and
never left behind.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalogue.editing import Editor
from catalogue.engine import Engine
from catalogue.settings import Settings
from indexer.crawl.frontier import Frontier
from tests.faults.support import (
    Server,
    assert_agree,
    audit,
    cli,
    copy_data,
    csrf_of,
    kill,
    login,
    spawn,
    store_numbers,
    synthetic_rows,
    wait_for,
    write_jsonl,
)

UPLOAD_MB = 2


def _hostile_jsonl(path: Path) -> Path:
    """Two good rows, one nested 100,000 deep, one with a 200,000-character title, two good rows (synthetic)."""
    good = synthetic_rows(4, start=95000, tag="hostile")
    deep = '{"number": "TCVN 95010:2024", "title_vi": ' + "[" * 100_000 + "]" * 100_000 + "}"
    huge = json.dumps({"number": "TCVN 95011:2024", "title_vi": "x" * 200_000})
    lines = [json.dumps(r, ensure_ascii=False) for r in good[:2]] + [deep, huge]
    lines += [json.dumps(r, ensure_ascii=False) for r in good[2:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _hostile_csv(path: Path) -> Path:
    rows = ["number,title_vi", "TCVN 95020:2024,Bản ghi thử nghiệm A (synthetic)"]
    rows += ["TCVN 95021:2024," + "y" * 200_000, "TCVN 95022:2024,Bản ghi thử nghiệm B (synthetic)"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = copy_data(base_dir, tmp_path_factory.mktemp("imports") / "data")
    with Server(data_dir, env={"TIEUCHUAN_MAX_UPLOAD_MB": str(UPLOAD_MB)}) as live:
        live.data_dir = data_dir
        yield live


def _upload(c: httpx.Client, token: str, name: str, body: bytes) -> httpx.Response:
    return c.post("/admin/import", data={"csrf": token}, files={"file": (name, body)})


def test_hostile_lines_are_quarantined_and_the_import_goes_on(data_dir: Path, tmp_path: Path) -> None:
    for path, good, bad in (
        (_hostile_jsonl(tmp_path / "hostile.jsonl"), 4, 2),
        (_hostile_csv(tmp_path / "hostile.csv"), 2, 1),
    ):
        proc = cli("crawl", "--source", "file", "--file", str(path), data_dir=data_dir)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-1500:]
        assert f"new {good}" in proc.stdout and f"quarantined {bad}" in proc.stdout, proc.stdout
    assert {"TCVN 95000:2024", "TCVN 95003:2024", "TCVN 95020:2024", "TCVN 95022:2024"} <= store_numbers(data_dir)
    assert not {"TCVN 95010:2024", "TCVN 95011:2024", "TCVN 95021:2024"} & store_numbers(data_dir)
    engine = Engine.open(Settings.load({"data_dir": str(data_dir)}, environ={}))
    try:
        reasons = " | ".join(q["reason"] for q in Frontier(engine.store, "file").quarantined())
        assert "nested too deeply" in reasons and "characters" in reasons, reasons
        assert max(len(json.dumps(q["raw"])) for q in Frontier(engine.store, "file").quarantined()) < 200_000
    finally:
        engine.close()
    assert_agree(data_dir)


def test_hostile_upload_is_previewed_and_applied_without_a_5xx(server: Server, tmp_path: Path) -> None:
    body = _hostile_jsonl(tmp_path / "hostile.jsonl").read_bytes()
    with httpx.Client(base_url=server.url, timeout=120) as c:
        assert login(c).status_code == 303
        token = csrf_of(c)
        preview = _upload(c, token, "hostile.jsonl", body)
        assert preview.status_code == 200, preview.text[:500]
        upload = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
        applied = c.post("/admin/import/apply", data={"csrf": token, "token": upload})
        assert applied.status_code == 200, applied.text[:500]
        assert "quarantined 2" in applied.text
        audit_csv = c.get("/admin/audit.csv")
        assert audit_csv.status_code == 200 and "TCVN 95000:2024" in audit_csv.text
    assert not list((server.data_dir / "uploads").iterdir())


def test_re_importing_a_file_quarantines_nothing_new(server: Server, tmp_path: Path) -> None:
    rows = synthetic_rows(3, start=95100, tag="again") + [{"number": "TCVN ABC"}, {"number": "TCVN 95199:2024"}]
    body = write_jsonl(tmp_path / "again.jsonl", rows).read_bytes()

    def open_entries() -> int:
        engine = Engine.open(Settings.load({"data_dir": str(server.data_dir)}, environ={}))
        try:
            return len(Frontier(engine.store, "file").quarantined(limit=10_000))
        finally:
            engine.close()

    before = open_entries()
    counts = []
    with httpx.Client(base_url=server.url, timeout=120) as c:
        assert login(c).status_code == 303
        token = csrf_of(c)
        for _ in range(3):  # three uploads of the same file: three upload tokens, one set of bad rows
            preview = _upload(c, token, "again.jsonl", body)
            upload = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
            assert c.post("/admin/import/apply", data={"csrf": token, "token": upload}).status_code == 200
            counts.append(open_entries() - before)
    assert counts == [2, 2, 2]


def test_killed_imports_leave_every_change_audited(base_dir: Path, tmp_path: Path) -> None:
    rows = synthetic_rows(2000, start=96000, tag="bulk")
    path = write_jsonl(tmp_path / "bulk.jsonl", rows)
    numbers = {r["number"] for r in rows}
    rng = random.Random(1307)
    unaudited, reached = [], []
    for attempt in range(4):
        data_dir = copy_data(base_dir, tmp_path / f"try{attempt}")
        target = rng.randrange(1, 1800)  # kill once this many records are in (a batch boundary or not)
        proc = spawn("crawl", "--source", "file", "--file", str(path), data_dir=data_dir)
        wait_for(lambda d=data_dir, t=target, p=proc: len(numbers & store_numbers(d)) >= t or p.poll() is not None, 120)
        kill(proc)
        imported = numbers & store_numbers(data_dir)
        reached.append(len(imported))
        Engine.open(Settings.load({"data_dir": str(data_dir)}, environ={})).close()  # restart: repair
        assert_agree(data_dir)
        audited = {e["target"] for e in audit(data_dir) if e["action"] == "import"}
        if imported - audited:
            unaudited.append((attempt, len(imported), len(imported - audited)))
    assert any(0 < n < len(numbers) for n in reached), reached  # some kills really were mid-import
    assert unaudited == [], reached
    proc = cli("crawl", "--source", "file", "--file", str(path), data_dir=data_dir)  # the last try, finished
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert numbers <= store_numbers(data_dir)
    assert numbers <= {e["target"] for e in audit(data_dir) if e["action"] == "import"}
    assert_agree(data_dir)
    engine = Engine.open(Settings.load({"data_dir": str(data_dir)}, environ={}))
    try:
        assert "TCVN 96000:2024" in Editor(engine).audit_csv()
    finally:
        engine.close()


def test_an_oversized_upload_or_body_gets_413_and_leaves_nothing(server: Server) -> None:
    big = b"number,title_vi\n" + b"TCVN 97000:2024,Synthetic oversized row\n" * (UPLOAD_MB * 2**20 // 20)
    uploads = server.data_dir / "uploads"
    uploads.mkdir(exist_ok=True)
    stale = uploads / ("0" * 32 + ".csv")  # previewed two days ago and never applied
    stale.write_text("number\n")
    os.utime(stale, (time.time() - 2 * 86400,) * 2)
    with httpx.Client(base_url=server.url, timeout=120) as c:
        assert login(c).status_code == 303
        token = csrf_of(c)
        r = _upload(c, token, "big.csv", big)
        assert r.status_code == 413 and "quá lớn" in r.text, (r.status_code, r.text[:300])  # in the page language

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold on the stream
            boundary = b"--b0undary"
            yield boundary + b'\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n' + token.encode() + b"\r\n"
            yield boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
            for start in range(0, len(big), 1 << 16):
                yield big[start : start + (1 << 16)]
            yield b"\r\n" + boundary + b"--\r\n"

        r = c.post(
            "/admin/import", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b0undary"}
        )
        assert r.status_code == 413, (r.status_code, r.text[:300])
        r = c.post(
            "/admin/api/standards/TCVN 8430:2010",
            content=json.dumps({"title_en": "z" * (3 << 20), "version": 1}),
            headers={"x-csrf-token": token, "content-type": "application/json"},
        )
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
        small = _upload(c, token, "small.csv", b"number,title_vi\nTCVN 97001:2024,Synthetic small row\n")
        assert small.status_code == 200
    assert not stale.exists()
    assert [p.name for p in uploads.iterdir()] == [re.search(r"[0-9a-f]{32}\.csv", small.text).group(0)]
