"""FileLock: flock between processes, timeouts, and no stale lock after a SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from catalogue.locks import FileLock

ROOT = Path(__file__).resolve().parents[1]
HOLD = """
import sys, time
sys.path.insert(0, {root!r})
from catalogue.locks import FileLock
lock = FileLock({path!r})
assert lock.acquire(shared={shared}, timeout=10, note="test holder")
print("held", flush=True)
time.sleep(60)
"""


def _holder(path: Path, shared: bool = False) -> subprocess.Popen:
    code = HOLD.format(root=str(ROOT), path=str(path), shared=shared)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_an_exclusive_lock_keeps_another_process_out_until_released(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    proc = _holder(path)
    try:
        lock = FileLock(path)
        started = time.monotonic()
        assert lock.acquire(timeout=0.3) is False
        assert 0.25 <= time.monotonic() - started < 5
        assert lock.acquire(shared=True, timeout=0) is False
        assert FileLock(path).holder().endswith("test holder")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert lock.acquire(timeout=5) is True
    lock.release()


def test_shared_locks_coexist_and_keep_an_exclusive_one_out(tmp_path: Path) -> None:
    path = tmp_path / "s.lock"
    proc = _holder(path, shared=True)
    try:
        mine = FileLock(path)
        assert mine.acquire(shared=True, timeout=0)
        assert FileLock(path).acquire(timeout=0) is False
        mine.release()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_sigkilled_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "k.lock"
    proc = _holder(path)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    lock = FileLock(path)
    with lock.hold(timeout=5) as got:
        assert got and lock.held
    assert not lock.held


def test_taken_looks_without_taking_or_creating(tmp_path: Path) -> None:
    path = tmp_path / "t.lock"
    assert not FileLock(path).taken() and not path.exists()  # a missing file is not taken, and stays missing
    holder = FileLock(path)
    assert holder.acquire(timeout=0)
    try:
        assert FileLock(path).taken()  # another open file description holds it
        assert FileLock(path).taken()  # and looking took nothing
    finally:
        holder.release()
    assert not FileLock(path).taken()
    assert FileLock(path).acquire(timeout=0)  # looking left nothing behind either
