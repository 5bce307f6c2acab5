"""Fault-injection helpers: real subprocesses, a real server, raw views of the data dir on disk.

What every fault test checks afterwards, read straight from the files (no repair
on the way): the numbers in the store and in the served index generation, and
the audit log.  Randomness is seeded; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
PASSWORD = "correct horse battery"
WORKER = Path(__file__).with_name("worker.py")


def copy_data(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


# -- processes ---------------------------------------------------------------------------
def cli(*args: str, data_dir: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "catalogue.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**ENV, **(env or {})},
        cwd=ROOT,
    )


def spawn(*args: str, data_dir: Path | None = None, env: dict | None = None) -> subprocess.Popen:
    """``tieuchuan ARGS`` (or, with a first argument ``worker``, tests/faults/worker.py) in the background."""
    if args and args[0] == "worker":
        cmd = [sys.executable, str(WORKER), *args[1:]]
    else:
        cmd = [sys.executable, "-m", "catalogue.cli", *args, "--data-dir", str(data_dir)]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, **(env or {})},
        cwd=ROOT,
    )


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)


def wait_for(predicate, timeout: float, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def building(data_dir: Path) -> bool:
    index = data_dir / "index"
    return index.is_dir() and any(p.name.endswith(".building") for p in index.iterdir())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``tieuchuan serve`` in its own process, on 127.0.0.1.

    Its output goes to a file, never to a pipe nobody reads: a full pipe would
    block the server on its own access log.
    """

    def __init__(self, data_dir: Path, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by stop)
        cmd = [sys.executable, "-m", "catalogue.cli", "serve", "--port", str(self.port), "--data-dir", str(data_dir)]
        self.proc = subprocess.Popen(
            cmd, stdout=self.log, stderr=subprocess.STDOUT, text=True, env={**ENV, **(env or {})}, cwd=ROOT
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def __enter__(self) -> Server:
        def up() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server died: {self.output()[-2000:]}")
            try:
                return httpx.get(self.url + "/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        if not wait_for(up, 90, 0.1):
            raise RuntimeError("server did not start")
        return self

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(self.proc)
        out = self.output()
        self.log.close()
        return out

    def __exit__(self, *exc: object) -> None:
        self.stop()


def login(c: httpx.Client, name: str = "alice", password: str = PASSWORD) -> httpx.Response:
    page = c.get("/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return c.post("/admin/login", data={"csrf": token, "name": name, "password": password})


def csrf_of(c: httpx.Client, path: str = "/admin") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)


# -- raw views of the data dir -----------------------------------------------------------
def _db(data_dir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{data_dir / 'catalogue.sqlite3'}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def store_numbers(data_dir: Path) -> set[str]:
    with _db(data_dir) as conn:
        return {r[0] for r in conn.execute("SELECT number FROM standards")}


def store_titles(data_dir: Path) -> dict[str, str | None]:
    with _db(data_dir) as conn:
        return {r[0]: r[1] for r in conn.execute("SELECT number, title_en FROM standards")}


def index_docs(data_dir: Path) -> dict[str, dict]:
    """Stored fields of every live document of the served generation, read from disk."""
    from whoosh import index as whoosh_index

    name = (data_dir / "index" / "CURRENT").read_text().strip()
    ix = whoosh_index.open_dir(str(data_dir / "index" / name))
    with ix.searcher() as s:
        return {f["number"]: f for f in s.all_stored_fields()}


def index_numbers(data_dir: Path) -> set[str]:
    return set(index_docs(data_dir))


def audit(data_dir: Path) -> list[dict]:
    with _db(data_dir) as conn:
        rows = conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()
    return [{**dict(r), "changes": json.loads(r["changes"])} for r in rows]


def assert_agree(data_dir: Path) -> None:
    """The store and the served index hold the same numbers, with the same English titles."""
    stored, indexed = store_titles(data_dir), index_docs(data_dir)
    assert set(stored) == set(indexed), (
        f"store-only {sorted(set(stored) - set(indexed))[:5]}, index-only {sorted(set(indexed) - set(stored))[:5]}"
    )
    stale = [n for n, t in stored.items() if indexed[n].get("title_en_text") != t]
    assert not stale, f"index holds stale titles for {stale[:5]}"


def synthetic_rows(n: int, start: int = 90000, tag: str = "synthetic") -> list[dict]:
    """Synthetic rows (labelled so), numbered outside the real catalogue's range."""
    return [
        {
            "number": f"TCVN {start + i}:2024",
            "title_vi": f"Bản ghi thử nghiệm {tag} {i}",
            "title_en": f"Synthetic test record {tag} {i}",
            "status": "active",
            "source": "synthetic fixture",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
