"""A full disk: the data dir on a small tmpfs, filled to the last byte while a server runs.

Issue 13, item 12.  Needs root and a kernel that lets us mount a tmpfs; skipped
with the reason otherwise.  Reads keep working, writes get a clear "disk full"
(507), a rebuild says so and leaves no ``.building`` folder, and once space is
back everything works and the store and the index agree.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.support import Server, assert_agree, building, cli, copy_data, csrf_of, login

DISK_FULL = "disk is full"  # the CLI says both languages
DISK_FULL_PAGE = "Hết dung lượng đĩa"  # a page says its own language (Vietnamese by default)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "mnt"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    for size in (1 << 20, 1 << 12, 1):  # big blocks, then the last few bytes
        with contextlib.suppress(OSError), filler.open("ab", buffering=0) as fh:
            while True:
                fh.write(b"\0" * size)
    return filler


def _no_5xx_but_disk_full(r: httpx.Response) -> None:
    assert r.status_code < 500 or (r.status_code == 507 and DISK_FULL_PAGE in r.text), (r.status_code, r.text[:300])


def test_a_full_disk_keeps_reads_working_and_says_so_for_writes(base_dir: Path, small_disk: Path) -> None:
    data_dir = copy_data(base_dir, small_disk / "data")
    with Server(data_dir) as server, httpx.Client(base_url=server.url, timeout=60) as c:
        assert login(c).status_code == 303
        token = csrf_of(c)
        filler = _fill(small_disk)
        try:
            for path in ("/", "/search?q=nuoc+mam", "/api/search?q=an+toan", "/standards/tcvn-8430-2010", "/admin"):
                assert c.get(path).status_code == 200, path
            upload = c.post(
                "/admin/import",
                data={"csrf": token},
                files={"file": ("rows.csv", b"number,title_vi\n" + b"TCVN 94000:2024,Synthetic\n" * 40_000)},
            )
            assert upload.status_code == 507 and DISK_FULL_PAGE in upload.text, (upload.status_code, upload.text[:300])
            version = c.get("/admin/api/standards/TCVN 8430:2010").json()["version"]
            statuses: list[int] = []
            for i in range(20):  # enough to outgrow the space SQLite's WAL already holds
                r = c.post(
                    "/admin/api/standards/TCVN 8430:2010",
                    json={"title_en": f"disk full edit {i} " + "x" * 4000, "version": version},
                    headers={"x-csrf-token": token},
                )
                _no_5xx_but_disk_full(r)
                statuses.append(r.status_code)
                if r.status_code == 200:
                    version = r.json()["version"]
            assert 507 in statuses  # the disk really was full for SQLite too
            with httpx.Client(base_url=server.url, timeout=60) as other:
                _no_5xx_but_disk_full(login(other))
            proc = cli("index", "--rebuild", data_dir=data_dir)
            assert proc.returncode == 1 and DISK_FULL in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
            assert not building(data_dir)
            assert c.get("/search?q=nuoc+mam").status_code == 200
        finally:
            filler.unlink()
        assert not list((data_dir / "uploads").glob("*")) if (data_dir / "uploads").exists() else True
        assert cli("index", "--rebuild", data_dir=data_dir).returncode == 0
        version = c.get("/admin/api/standards/TCVN 8430:2010").json()["version"]
        r = c.post(
            "/admin/api/standards/TCVN 8430:2010",
            json={"title_en": "space is back", "version": version},
            headers={"x-csrf-token": token},
        )
        assert r.status_code == 200
    assert_agree(data_dir)
