"""`tieuchuan serve --workers N`: uvicorn's supervisor, one searcher per worker, writes seen by all."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from catalogue.settings import Settings
from catalogue.web.workers import export
from tests.conftest import free_port, make_standard

ROOT = Path(__file__).resolve().parents[1]
BOUND = 90.0  # seconds: spawning workers imports pyvi and numpy on a shared machine


def test_exported_settings_reach_the_workers_unchanged(tmp_path: Path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path), "port": 8123, "workers": 3}, environ={})
    environ: dict[str, str] = {}
    export(settings, environ)
    assert Settings.load(environ=environ).values == settings.values
    assert settings.worker_count == 3


def test_zero_workers_means_one_per_core_and_negative_is_refused() -> None:
    assert Settings.load({"workers": 0}, environ={}).worker_count == (os.cpu_count() or 1)
    assert Settings.load(environ={"TIEUCHUAN_WORKERS": "2"}).worker_count == 2
    with pytest.raises(InvalidInput):
        _ = Settings.load({"workers": -1}, environ={}).worker_count


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _workers(pid: int) -> list[int]:
    out = []
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            out.append(child)
    return out


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {BOUND} s: {what}")
        time.sleep(0.1)  # polling an outside process, not timing our own code


def test_two_workers_serve_and_each_sees_another_process_write(bundle_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(bundle_dir, data)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "catalogue.cli", "serve", "--data-dir", str(data), "--port", str(port)]
        + ["--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def answers(path: str) -> httpx.Response | None:
        try:
            return httpx.get(url + path, timeout=10)  # a new connection each time: any worker may answer
        except httpx.HTTPError:
            return None

    try:
        _until(lambda: (r := answers("/healthz")) is not None and r.status_code == 200, "the server answers")
        _until(lambda: len(_workers(server.pid)) == 2, "two worker processes")
        assert answers("/api/search?q=n%C6%B0%E1%BB%9Bc+m%E1%BA%AFm").json()["total"] > 0  # type: ignore[union-attr]

        editor = Engine.open(Settings.load({"data_dir": str(data)}, environ={}))  # another process's write
        editor.save([make_standard("TCVN 99871:2024", title_vi="Kẹo dừa Bến Tre")])
        editor.close()

        def seen() -> bool:
            r = answers("/api/search?q=keo+dua+ben+tre")
            return r is not None and any(h["number"] == "TCVN 99871:2024" for h in r.json()["hits"])

        # twenty fresh connections in a row, spread over the workers by the kernel: every worker sees it
        _until(lambda: all(seen() for _ in range(20)), "the write visible to every worker")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
