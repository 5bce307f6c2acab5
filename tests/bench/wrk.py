"""The load bench's generator when `wrk` is installed: the same scenarios, a client in C.

Why: on a 2-core machine the Python generator of :mod:`tests.bench.load` spends
most of one core on its own work, so it measures itself as much as the server.
`wrk` (Debian package ``wrk``) drives the same keep-alive connections at a
fraction of that cost.

Contract of :func:`load`: the same arguments and the same keys as
``tests.bench.load.load`` (``requests``, ``seconds``, ``rps``, ``p50_ms``,
``p99_ms``, ``max_ms``, ``errors``, ``status``), plus ``generator: "wrk"``.
``paths`` are cycled in order, each wrk thread starting at its own offset.  With
``until``, wrk runs until the event is set (or ``seconds`` pass) and is then
stopped with SIGINT, on which it prints its summary as usual.  Loopback only;
bounded by ``seconds``.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

__all__ = ["available", "load"]

THREADS = 2
CONNECTIONS = 16
TIMEOUT_S = 10

_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("TIEUCHUAN_WRK_PATHS")) do paths[#paths + 1] = line end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end
local i = 0
function init(args)
  i = (offset or 0) % #paths
end
function request()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write("TIEUCHUAN ", string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "timeouts": %d, "status_errors": %d,'
    .. ' "p50_us": %d, "p99_us": %d, "max_us": %d}',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max), "\n")
end
"""


def available() -> bool:
    """Whether the `wrk` command is installed."""
    return shutil.which("wrk") is not None


def load(port: int, paths: list[str], seconds: float = 10.0, until: threading.Event | None = None) -> dict:
    """Drive ``paths`` on 127.0.0.1:``port`` with wrk (see the module contract)."""
    with tempfile.TemporaryDirectory(prefix="tieuchuan-wrk-") as tmp:
        script = Path(tmp) / "mix.lua"
        script.write_text(_SCRIPT)
        listed = Path(tmp) / "paths.txt"
        listed.write_text("\n".join(paths) + "\n")
        cmd = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{max(1, round(seconds))}s"]
        cmd += ["--timeout", f"{TIMEOUT_S}s", "-s", str(script), f"http://127.0.0.1:{port}"]
        env = {"TIEUCHUAN_WRK_PATHS": str(listed), "PATH": "/usr/bin:/bin:/usr/local/bin"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if until is not None:
            while proc.poll() is None and not until.wait(0.1):
                pass
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # wrk stops and prints its summary
        out, _ = proc.communicate(timeout=seconds + 60)
    line = next((ln for ln in out.splitlines() if ln.startswith("TIEUCHUAN ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary (exit {proc.returncode}): {out[-500:]}")
    r = json.loads(line.split(" ", 1)[1])
    elapsed = r["duration_us"] / 1e6
    return {
        "requests": r["requests"],
        "seconds": round(elapsed, 1),
        "rps": round(r["requests"] / elapsed) if elapsed else 0,
        "p50_ms": round(r["p50_us"] / 1000, 1),
        "p99_ms": round(r["p99_us"] / 1000, 1),
        "max_ms": round(r["max_us"] / 1000, 1),
        "errors": r["socket_errors"] + r["timeouts"],
        "status": {"non-2xx/3xx": r["status_errors"]} if r["status_errors"] else {"2xx/3xx": r["requests"]},
        "generator": "wrk",
    }
