"""The reader registry (``indexer/readers.py``): real files, real ``flock``s, a real process killed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from indexer.readers import Readers

BOUND = 20.0  # seconds; reached only when something blocks


def test_live_lists_the_others_never_itself_and_leave_unregisters(tmp_path: Path) -> None:
    me, other = Readers(tmp_path), Readers(tmp_path)
    assert me.live() == [] and not me.joined
    me.join()
    me.join()  # once
    other.join()
    assert me.live() == [other.name] and other.live() == [me.name]
    other.leave()
    other.leave()
    assert me.live() == [] and sorted(p.name for p in (tmp_path / "readers").iterdir()) == [f"{me.name}.lock"]


def test_a_killed_readers_registration_is_swept(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from indexer.readers import Readers
        r = Readers({str(tmp_path)!r}); r.join(); r.acknowledge("gen-1")
        print("joined", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "joined"
        me = Readers(tmp_path)
        (name,) = me.live()
        assert me.ready(name) == "gen-1"
    finally:
        proc.kill()
        proc.wait(BOUND)
    assert me.live() == []  # the kernel released its lock: swept
    assert list((tmp_path / "readers").iterdir()) == []


def test_wait_ready_returns_when_every_live_reader_acknowledged(tmp_path: Path) -> None:
    rebuild, server, idle = Readers(tmp_path), Readers(tmp_path), Readers(tmp_path)
    server.join()
    idle.join()
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(rebuild.wait_ready, "gen-2", 10 * BOUND)
        server.acknowledge("gen-1")  # another generation does not count
        idle.acknowledge("gen-2")
        assert rebuild.wait_ready("gen-2", 0) == [server.name]  # it still prepares: the wait goes on
        assert not waiting.done()
        server.acknowledge("gen-2")
        assert waiting.result(timeout=BOUND) == []


def test_wait_ready_names_the_laggards_at_the_deadline_and_waits_for_nobody_when_none_serves(tmp_path: Path) -> None:
    rebuild, server = Readers(tmp_path), Readers(tmp_path)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(rebuild.wait_ready, "gen-3", 10 * BOUND).result(timeout=BOUND) == []
    server.join()
    assert rebuild.wait_ready("gen-3", 0) == [server.name]
    server.leave()
    assert rebuild.wait_ready("gen-3", 0) == []


def test_acknowledging_without_joining_writes_nothing(tmp_path: Path) -> None:
    r = Readers(tmp_path)
    r.acknowledge("gen-4")
    assert not (tmp_path / "readers").exists()


def test_a_forked_child_starts_unregistered(tmp_path: Path) -> None:
    parent = Readers(tmp_path)
    parent.join()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the inherited registration is the parent's
        inherited = parent.name
        ok = not parent.joined and parent.live() == [inherited]
        parent.join()
        ok = ok and parent.name != inherited and parent.live() == [inherited]
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(pid, 0)
    assert parent.joined and parent.live() == []  # the child's registration went with it
