"""`make bench`: HTTP throughput and latency of `tieuchuan serve` under load, over loopback only.

A bounded load generator: `wrk` when installed (:mod:`tests.bench.wrk`), else one
in Python (asyncio, raw keep-alive HTTP/1.1): 16 connections for 10 s per
scenario, against a real `tieuchuan serve --workers N` on 127.0.0.1.  Scenarios, run with 1 and with 2 workers:

* ``empty``       /livez, which touches nothing: the ceiling of the stack;
* ``api_search``  /api/search on a mix of the evaluation queries (tests/eval/search_cases.jsonl)
  and generated ones, whole questions included;
* ``html_search`` /search, the results page, on the same mix;
* ``recommend``   /api/recommend on the evaluation products (tests/eval/recommend_cases.jsonl);
* ``saving``      the search mix while another process saves a record every 100 ms (new
  SYNTHETIC records, then edits of them: words no query shares);
* ``saving_real`` the same, editing real records instead (their title gains a SYNTHETIC token):
  an edit now touches words the queries use, so fewer cached answers survive it;
* ``rebuild``     the search mix on a 50,000-record catalogue while `tieuchuan index --rebuild`
  rebuilds it, from its start until 5 s after the new generation is served.

During ``saving`` and ``rebuild`` the saving process measures edit-to-visible: from
the save returning to /api/search (on a fresh connection, any worker) finding it.

THE 50,000-RECORD CATALOGUE IS SYNTHETIC (tests/bench/search.py builds it from the
real titles' words; numbers TCVN 900000+ / QCVN 9000+ do not exist), and so are
the records saved during the run (numbers TCVN 990000+, "SYNTHETIC" in every
title) and the tokens ``saving_real`` appends to real titles.  Everything lives in a
temp dir, a copy of the catalogue.

The machine's core count and load average are printed with the figures: on a
shared machine the figures move with the neighbours' load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.search import mixed_queries, percentile, synthetic_catalogue  # noqa: E402

CONNECTIONS = 16
SECONDS = 10.0
TIMEOUT = 10.0  # a request slower than this counts as an error
REBUILD_CAP = 1200.0  # seconds: the rebuild scenario never runs longer
PROBERS = 32  # edits probed at once (each on its own connection); more wait for a slot
SAVED_NUMBERS = 400  # SYNTHETIC records the saving process creates, then edits in turn


# -- the load generator -----------------------------------------------------------
async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes) -> int:
    writer.write(head)
    response_head = (await reader.readuntil(b"\r\n\r\n")).lower()
    status = int(response_head[9:12])
    at = response_head.find(b"\r\ncontent-length:")
    if at >= 0:
        end = response_head.index(b"\r\n", at + 2)
        await reader.readexactly(int(response_head[at + 17 : end]))
    elif b"\r\ntransfer-encoding: chunked" in response_head:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _connection(port: int, paths: list[str], start: int, deadline: float, out: dict) -> None:
    heads = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode() for p in paths]
    i = start
    conn = None
    while time.perf_counter() < deadline:
        try:
            if conn is None:
                conn = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
            t = time.perf_counter()
            status = await asyncio.wait_for(_request(*conn, heads[i % len(heads)]), TIMEOUT)
            out["latencies"].append(time.perf_counter() - t)
            out["status"][status] = out["status"].get(status, 0) + 1
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            out["errors"] += 1
            if conn is not None:
                conn[1].close()
            conn = None
        i += CONNECTIONS
    if conn is not None:
        conn[1].close()


GENERATOR = "python"  # "wrk" when --generator says so (or auto finds it installed)


def load(port: int, paths: list[str], seconds: float = SECONDS, until: threading.Event | None = None) -> dict:
    """``CONNECTIONS`` keep-alive connections cycling through ``paths`` for ``seconds`` (or until ``until``),
    driven by :data:`GENERATOR`."""
    if GENERATOR == "wrk":
        from tests.bench import wrk

        return wrk.load(port, paths, seconds, until)
    return _python_load(port, paths, seconds, until)


def _python_load(port: int, paths: list[str], seconds: float, until: threading.Event | None) -> dict:
    out: dict = {"latencies": [], "status": {}, "errors": 0}

    async def run() -> float:
        start = time.perf_counter()
        deadline = start + seconds
        tasks = [asyncio.create_task(_connection(port, paths, k, deadline, out)) for k in range(CONNECTIONS)]
        if until is not None:  # stop early once the event is set (checked every 0.1 s)
            while not until.is_set() and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            for task in tasks:
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return time.perf_counter() - start

    elapsed = _run(run())
    lat = out["latencies"]
    return {
        "requests": len(lat),
        "seconds": round(elapsed, 1),
        "rps": round(len(lat) / elapsed),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p99_ms": round(percentile(lat, 99) * 1000, 1) if lat else None,
        "max_ms": round(max(lat) * 1000, 1) if lat else None,
        "errors": out["errors"],
        "status": dict(sorted(out["status"].items())),
        "generator": "python",
    }


def _run(coroutine: Any) -> Any:
    """uvloop when installed (the server's loop too): the generator must not be the bottleneck."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# -- the server -------------------------------------------------------------------
class Server:
    """`tieuchuan serve --workers N` on a free loopback port, in its own process group."""

    def __init__(self, data_dir: Path, workers: int, log: Path) -> None:
        from tests.conftest import free_port

        self.port = free_port()
        self.log = log.open("ab")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "catalogue.cli", "serve", "--data-dir", str(data_dir)]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 300
        while not self._answers():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"the server did not start; see {log}")
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", "/livez")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


# -- the saving process -----------------------------------------------------------
def _token(i: int) -> str:
    """A made-up word of letters only, held by one record: ``zqaaaa``, ``zqaaab``, ..."""
    letters = ""
    for _ in range(4):
        i, r = divmod(i, 26)
        letters = chr(97 + r) + letters
    return "zq" + letters


def saver(
    data_dir: str, port: int, interval: float, seconds: float, out: str, stop: threading.Event, real: bool = False
) -> None:
    """Save a SYNTHETIC record every ``interval`` s for ``seconds`` (or until ``stop``); measure when each
    becomes searchable.  ``real``: edit real records instead, appending a SYNTHETIC token to the title."""
    import dataclasses
    import random

    from catalogue.engine import Engine
    from catalogue.model import Standard
    from catalogue.settings import Settings

    engine = Engine(Settings.load({"data_dir": data_dir}, environ={}))
    originals = [r for r in engine.store.all() if r.title_vi] if real else []
    random.Random(5).shuffle(originals)
    originals = originals[:SAVED_NUMBERS]
    from indexer.analysis import compounds

    compounds("khởi động")  # load pyvi, then freeze as the web app does: index writes end with a gc.collect()
    gc.freeze()
    lock = threading.Lock()
    visible: list[float] = []
    lost: list[str] = []
    probes = [0]
    slots = threading.BoundedSemaphore(PROBERS)

    def found(token: str, number: str) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)  # fresh: any worker answers
        try:
            conn.request("GET", "/api/search?" + urlencode({"q": token, "limit": 5}))
            hits = json.loads(conn.getresponse().read())["hits"]
        except (OSError, ValueError, KeyError):
            return False
        finally:
            conn.close()
        return any(h["number"] == number for h in hits)

    def probe(saved: float, token: str, number: str) -> None:
        # one prober per edit, polling until it shows: a fixed few fell behind a slow server's 10 saves/s
        # (4 probes of ~0.6 s each per 0.6 s), and the backlog, not the index, made the lag
        with slots:
            while True:
                seen = found(token, number)
                with lock:
                    probes[0] += 1
                    if seen:
                        visible.append(time.perf_counter() - saved)
                        return
                    if time.perf_counter() - saved > 30:
                        lost.append(number)
                        return
                time.sleep(0.02)

    probers: list[threading.Thread] = []
    saves: list[float] = []
    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds and not stop.is_set():
        token = _token(i)
        # new records first, then edits of them; 400 numbers: at 10 saves/s an edit is not overwritten by the
        # next edit of its record before its 30 s verdict (an overwritten edit can never show up)
        if real:
            original = originals[i % len(originals)]
            number = original.number
            record = dataclasses.replace(original, title_vi=f"{original.title_vi} {token}")
        else:
            number = f"TCVN {990000 + i % SAVED_NUMBERS}:2024"
            record = Standard(
                number=number,
                title_vi=f"SYNTHETIC bench edit {token}",
                sources=[{"ref": "SYNTHETIC benchmark record", "kind": "synthetic"}],
                notes=["SYNTHETIC: saved by tests/bench/load.py; not a real standard"],
            )
        t = time.perf_counter()
        engine.save([record])
        saves.append(time.perf_counter() - t)
        prober = threading.Thread(target=probe, args=(time.perf_counter(), token, number), daemon=True)
        prober.start()
        probers.append(prober)
        i += 1
        stop.wait(max(0.0, interval - (time.perf_counter() - t)))
    deadline = time.perf_counter() + 60
    for prober in probers:
        prober.join(timeout=max(0.0, deadline - time.perf_counter()))
    engine.close()
    result = {
        "saves": len(saves),
        "save_p50_ms": round(statistics.median(saves) * 1000, 1) if saves else None,
        "probes": probes[0],
        "visible": len(visible),
        "not_visible_in_30s": len(lost),
        "visible_p50_ms": round(statistics.median(visible) * 1000) if visible else None,
        "visible_p99_ms": round(percentile(visible, 99) * 1000) if visible else None,
        "visible_max_ms": round(max(visible) * 1000) if visible else None,
    }
    Path(out).write_text(json.dumps(result))


def _start_saver(data_dir: Path, port: int, seconds: float, out: Path, real: bool = False) -> subprocess.Popen:
    mode = "real" if real else "new"
    cmd = [sys.executable, __file__, "--saver", str(data_dir), str(port), "0.1", str(seconds), str(out), mode]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=out.with_suffix(".log").open("wb"))


def _saver_result(proc: subprocess.Popen, out: Path) -> dict:
    proc.wait(timeout=120)
    return json.loads(out.read_text()) if out.exists() else {"error": f"saver exited {proc.returncode}"}


# -- the mixes --------------------------------------------------------------------
def search_mix(records: list) -> list[str]:
    """The evaluation queries, then generated ones (questions, numbers, English...), interleaved."""
    cases = [json.loads(line)["query"] for line in (ROOT / "tests/eval/search_cases.jsonl").read_text().splitlines()]
    generated = [q for _, q in mixed_queries(records, 700)]
    mixed = [q for pair in zip(cases, generated, strict=False) for q in pair] + generated[len(cases) :]
    return [quote(q) for q in mixed]


def recommend_mix() -> list[str]:
    out = []
    for line in (ROOT / "tests/eval/recommend_cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        params = {"product": case["product"]} if case["product"] else {}
        if case.get("hs"):
            params["hs"] = case["hs"]
        out.append("/api/recommend?" + urlencode(params))
    return out


# -- the run ----------------------------------------------------------------------
def _machine() -> str:
    load1, load5, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load1:.1f} / {load5:.1f} (1 / 5 min)"


def _line(name: str, r: dict) -> str:
    extra = f"  errors {r['errors']}" if r["errors"] else ""
    return (
        f"  {name:<13} {r['rps']:>6} req/s   p50 {r['p50_ms']:>7} ms   p99 {r['p99_ms']:>7} ms"
        f"   max {r['max_ms']:>7} ms   ({r['requests']} in {r['seconds']} s; status {r['status']}){extra}"
    )


def bundled_scenarios(tmp: Path, workers: int, report: dict) -> None:
    from catalogue.engine import Engine
    from catalogue.settings import Settings

    data = tmp / f"bundled-{workers}"  # a fresh copy per run: the saving scenario writes to it
    Engine.open(Settings.load({"data_dir": str(data)}, environ={})).close()
    queries = search_mix(_records(data))
    api = [f"/api/search?q={q}" for q in queries]
    html = [f"/search?q={q}" for q in queries]
    server = Server(data, workers, tmp / f"server-{workers}.log")
    try:
        load(server.port, api + html + recommend_mix(), seconds=3)  # warm every worker's caches
        out = report.setdefault(f"workers_{workers}", {})
        out["machine_before"] = _machine()
        for name, paths in (("empty", ["/livez"]), ("api_search", api), ("html_search", html)):
            out[name] = load(server.port, paths)
            print(_line(name, out[name]), flush=True)
        out["recommend"] = load(server.port, recommend_mix())
        print(_line("recommend", out["recommend"]), flush=True)
        result = tmp / f"saver-{workers}.json"
        proc = _start_saver(data, server.port, SECONDS, result)
        out["saving"] = load(server.port, api)
        out["saving_edits"] = _saver_result(proc, result)
        print(_line("saving", out["saving"]), flush=True)
        print(f"    edits while saving: {out['saving_edits']}", flush=True)
        result = tmp / f"saver-real-{workers}.json"
        proc = _start_saver(data, server.port, SECONDS, result, real=True)
        out["saving_real"] = load(server.port, api)
        out["saving_real_edits"] = _saver_result(proc, result)
        print(_line("saving_real", out["saving_real"]), flush=True)
        print(f"    edits of real records: {out['saving_real_edits']}", flush=True)
        out["machine_after"] = _machine()
    finally:
        server.stop()


def _records(data: Path) -> list:
    from catalogue.store.database import Store

    store = Store(data / "catalogue.sqlite3")
    try:
        return list(store.all())
    finally:
        store.close()


def build_synthetic(tmp: Path, n: int, report: dict) -> Path:
    """A data dir holding ``n`` SYNTHETIC records, its index built with 2 processes; also times 1 process."""
    from whoosh import index as whoosh_index

    from catalogue.engine import Engine
    from catalogue.settings import Settings
    from indexer import bulk
    from indexer.index import document, make_schema

    records = synthetic_catalogue(n)
    data = tmp / "synthetic"
    engine = Engine(Settings.load({"data_dir": str(data)}, environ={}))
    engine.store.upsert_many(records)
    for procs in (1, 2):
        scratch = tmp / f"build-{procs}"
        scratch.mkdir()
        ix = whoosh_index.create_in(str(scratch), make_schema())
        t = time.perf_counter()
        bulk.write(ix, records, document, procs)
        seconds = time.perf_counter() - t
        report[f"build_{procs}_process"] = {
            "records": n,
            "seconds": round(seconds, 1),
            "records_per_s": round(n / seconds),
        }
        print(f"  build, {procs} process{'es' if procs > 1 else ''}: {report[f'build_{procs}_process']}", flush=True)
        shutil.rmtree(scratch)
    meta = engine.rebuild()  # the served index (2 processes on 2 cores)
    engine.close()
    report["synthetic_index"] = {
        "records": meta["count"],
        "processes": meta["processes"],
        "seconds": meta["build_seconds"],
    }
    return data


def rebuild_scenario(tmp: Path, data: Path, workers: int, report: dict) -> None:
    queries = [f"/api/search?q={quote(q)}" for _, q in mixed_queries(_records(data), 700)]
    server = Server(data, workers, tmp / f"server-synthetic-{workers}.log")
    out = report.setdefault(f"workers_{workers}", {})
    try:
        load(server.port, queries, seconds=3)
        index_root = data / "index"
        before = (index_root / "CURRENT").read_text().strip()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        rebuild = subprocess.Popen(
            [sys.executable, "-m", "catalogue.cli", "index", "--rebuild", "--data-dir", str(data)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "rebuild.log").open("wb"),
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while not any(p.name.endswith(".building") for p in index_root.iterdir()):
            if time.monotonic() > deadline or rebuild.poll() is not None:
                raise RuntimeError("the rebuild did not start")
            time.sleep(0.05)
        finished = threading.Event()

        def watch() -> None:  # the rebuild's end, then 5 s more: the new generation's swap is inside the window
            try:
                rebuild.wait(timeout=REBUILD_CAP)
            except subprocess.TimeoutExpired:
                os.killpg(rebuild.pid, signal.SIGKILL)
            time.sleep(5)
            finished.set()

        threading.Thread(target=watch, daemon=True).start()
        result = tmp / f"saver-rebuild-{workers}.json"
        t = time.perf_counter()
        proc = _start_saver(data, server.port, REBUILD_CAP, result)
        out["rebuild"] = load(server.port, queries, seconds=REBUILD_CAP, until=finished)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)  # ends the saver's loop early; it writes its result on the way out
        out["rebuild"]["rebuild_s"] = round(time.perf_counter() - t - 5, 1)
        out["rebuild"]["new_generation"] = (index_root / "CURRENT").read_text().strip() != before
        out["rebuild_edits"] = _saver_result(proc, result)
        print(_line("rebuild", out["rebuild"]), flush=True)
        print(f"    rebuild {out['rebuild']['rebuild_s']} s, swapped: {out['rebuild']['new_generation']}", flush=True)
        print(f"    edits during the rebuild: {out['rebuild_edits']}", flush=True)
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated")
    parser.add_argument("--records", type=int, default=50_000, help="SYNTHETIC catalogue for the rebuild scenario")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the 50,000-record scenarios")
    parser.add_argument("--out", type=Path, help="also write the report as JSON here")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it: server logs, data")
    parser.add_argument(
        "--generator",
        choices=("auto", "python", "wrk"),
        default="auto",
        help="the load generator: wrk when installed (auto), else the Python one",
    )
    parser.add_argument("--saver", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.saver:
        data_dir, port, interval, seconds, out, mode = args.saver
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        saver(data_dir, int(port), float(interval), float(seconds), out, stop, real=mode == "real")
        return 0
    workers = [int(w) for w in args.workers.split(",")]
    global GENERATOR
    from tests.bench import wrk

    GENERATOR = "wrk" if args.generator == "wrk" or (args.generator == "auto" and wrk.available()) else "python"
    report: dict = {"cores": os.cpu_count(), "connections": CONNECTIONS, "seconds": SECONDS, "generator": GENERATOR}
    print(f"machine: {_machine()}; {CONNECTIONS} connections, {SECONDS:.0f} s a scenario, loopback only")
    print(f"load generator: {GENERATOR}" + ("" if GENERATOR == "wrk" else " (install wrk for a lighter client)"))
    print("(a shared machine: other processes' load moves these figures)")
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True)
            tmp = args.keep
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tieuchuan-load-")))
        for n in workers:
            print(f"bundled catalogue, {n} worker{'s' if n > 1 else ''}:", flush=True)
            bundled_scenarios(tmp, n, report)
        if not args.no_rebuild:
            print(f"SYNTHETIC catalogue of {args.records} records:", flush=True)
            data = build_synthetic(tmp, args.records, report)
            for n in workers:
                print(f"full rebuild of the SYNTHETIC catalogue, {n} worker{'s' if n > 1 else ''}:", flush=True)
                rebuild_scenario(tmp, data, n, report)
    report["machine_end"] = _machine()
    print(f"machine at the end: {report['machine_end']}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
