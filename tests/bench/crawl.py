"""`make bench` (crawl part): a whole-catalogue crawl of the fixture site, with and without faults.

THE SITE SERVES SYNTHETIC RECORDS (tests/fixture_site.py, "SYNTHETIC" on every
page): ``/tim-kiem?si=1&page=N`` lists them 25 a page, detail pages come in the
nine label layouts, TCVN and QCVN, plus three invalid pages.  The site runs in its
own process on 127.0.0.1 with no delay, so the crawler's own cost is measured:
fetch → read by label → validate → store → index (Whoosh, updated by key).

Reports, for a clean site and for one with transient faults (2% bursts of 500,
2% connections cut before Content-Length, 1% 429, 1% wrong charset; every one
retried to success): pages/s, how the pages ended (stored + quarantined must equal
the pages on the site) and the crawler's resident memory at 1,000 and 5,000 pages
and at the end.  ``--profile`` adds where the crawler's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MARKS = (1000, 5000)


class Phases:
    """CPU seconds of the crawler process by phase, by wrapping the crawl's synchronous steps."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}

    def wrap(self, owner: object, attr: str, phase: str) -> None:
        original = getattr(owner, attr)

        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[phase] = self.cpu.get(phase, 0.0) + time.process_time() - start

        setattr(owner, attr, timed)


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of another process (the fixture site)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(port: int, n: int, faults: bool) -> None:
    import uvicorn

    from tests.fixture_site import Faults, FixtureSite

    site = FixtureSite.whole_catalogue(n, seed=3)
    if faults:
        numbers = [x for x in site.order if x in site.records]
        site.faults = Faults.sprinkled(numbers, share=0.02, retry_after="0")
    uvicorn.run(site.app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _start_server(n: int, faults: bool) -> tuple[multiprocessing.Process, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = multiprocessing.Process(target=_serve, args=(port, n, faults), daemon=True)
    server.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    return server, f"http://127.0.0.1:{port}"


def crawl(n: int, faults: bool, concurrency: int, profile: bool) -> dict[str, object]:
    from catalogue.store.database import Store
    from catalogue.unit_of_work import Change
    from indexer.crawl.crawler import Crawler
    from indexer.crawl.fetcher import FetchSettings
    from indexer.crawl.frontier import Frontier
    from indexer.index import Index
    from indexer.sources import VsqiSource

    server, url = _start_server(n, faults)
    samples: dict[str, float] = {"start": _rss_mb()}

    def progress(summary) -> None:
        done = summary.new + summary.changed + summary.unchanged + summary.quarantined
        for mark in MARKS:
            if done >= mark and str(mark) not in samples:
                samples[str(mark)] = _rss_mb()

    try:
        with tempfile.TemporaryDirectory(prefix="tieuchuan-crawl-bench-") as tmp:
            store = Store(Path(tmp) / "s.sqlite3")
            index = Index(Path(tmp) / "index")
            index.rebuild([], 0)
            settings = FetchSettings(delay=0, concurrency=concurrency, timeout=30, backoff=0.05, max_backoff=1.0)
            source = VsqiSource(url)
            crawler = Crawler(store, index, source, settings, progress=progress)
            phases = Phases()
            phases.wrap(Change, "merge", "store")  # validate, store and audit each record
            phases.wrap(source, "read_detail", "read pages")
            phases.wrap(source, "read_list", "read pages")
            phases.wrap(index, "catch_up", "index (Whoosh, pyvi)")
            for name in ("add", "pending", "finish_url", "quarantine", "save_summary"):
                phases.wrap(crawler.frontier, name, "frontier")
            profiler = cProfile.Profile() if profile else None
            site_cpu = _cpu_of(server.pid)
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            summary = crawler.run()
            if profiler:
                profiler.disable()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            site_cpu = _cpu_of(server.pid) - site_cpu
            samples["end"] = _rss_mb()
            stored = store.count()
            quarantined = len(Frontier(store, "vsqi").quarantined(limit=100_000))
            index.close()
            store.close()
    finally:
        server.terminate()
        server.join(10)
    detail_pages = n + 3
    result = {
        "summary": summary,
        "elapsed": elapsed,
        "pages_per_s": (summary.new + summary.quarantined + summary.list_pages) / elapsed,
        "details_per_s": (summary.new + summary.quarantined) / elapsed,
        "stored": stored,
        "quarantined": quarantined,
        "detail_pages": detail_pages,
        "rss": samples,
        "cpu": cpu,
        "site_cpu": site_cpu,
        "phases": phases.cpu,
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumtime").print_stats(45)
        result["profile"] = out.getvalue()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6000, help="SYNTHETIC detail pages on the site")
    parser.add_argument("--concurrency", type=int, default=2, help="requests in flight (per host)")
    parser.add_argument("--profile", action="store_true", help="also print where the crawler's time goes")
    parser.add_argument("--only", choices=["clean", "faults"], help="run one of the two crawls")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; SYNTHETIC whole-catalogue site")
    for name in ("clean", "faults"):
        if args.only and args.only != name:
            continue
        r = crawl(args.pages, name == "faults", args.concurrency, args.profile)
        s = r["summary"]
        ok = r["stored"] + r["quarantined"] == r["detail_pages"]
        print(f"\n[{name}] {s.line()}; {s.list_pages} list pages; {s.requests} requests")
        print(
            f"  pages: {r['detail_pages']} detail pages → {r['stored']} stored + {r['quarantined']} quarantined"
            f" ({'every page accounted for' if ok else 'PAGES MISSING'})"
        )
        print(
            f"  throughput: {r['pages_per_s']:.0f} pages/s ({r['details_per_s']:.0f} detail pages/s),"
            f" {r['elapsed']:.1f} s, concurrency {args.concurrency}, delay 0, index updated by key"
        )
        print("  resident memory (pages done → MB): " + ", ".join(f"{k} → {v:.0f}" for k, v in r["rss"].items()))
        pages = s.new + s.quarantined + s.list_pages
        phases = dict(r["phases"])
        phases["HTTP client, event loop, rest"] = r["cpu"] - sum(phases.values())
        print(
            f"  crawler CPU: {r['cpu']:.1f} s = {r['cpu'] / pages * 1000:.2f} ms/page"
            f" → {pages / r['cpu']:.0f} pages/s on one free core; the site used {r['site_cpu']:.1f} s CPU"
        )
        for phase, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
            print(f"    {phase:32} {seconds / pages * 1000:5.2f} ms/page ({seconds / r['cpu']:4.0%})")
        if "profile" in r:
            print(r["profile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
