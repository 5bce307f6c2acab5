"""`make bench` (crawl part): fetch → parse → store throughput against a 5,000-page fixture site.

THE SITE SERVES SYNTHETIC RECORDS (tests/bench/search.py's generator, labelled
"SYNTHETIC" in every record).  The fixture site runs in its own process on
127.0.0.1 with no delay, so the crawler's own cost is what is measured.  Reports
pages/s and the crawler's resident memory at several points of the crawl.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))


def _serve(port: int, n: int) -> None:
    import uvicorn
    from search import synthetic_catalogue  # tests/bench/search.py

    from tests.fixture_site import FixtureSite

    records = synthetic_catalogue(n, seed=3)
    uvicorn.run(FixtureSite(records).app, host="127.0.0.1", port=port, log_level="error")


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="detail pages on the SYNTHETIC site")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    from catalogue.store.database import Store
    from indexer.crawl.crawler import Crawler
    from indexer.crawl.fetcher import FetchSettings
    from indexer.index import Index
    from indexer.sources import VsqiSource

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = multiprocessing.Process(target=_serve, args=(port, args.pages), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    samples: list[tuple[int, float]] = []
    marks = {args.pages // 5, args.pages // 2, args.pages}

    def progress(summary) -> None:
        stored = summary.new + summary.changed + summary.unchanged + summary.quarantined
        if stored in marks and not any(n == stored for n, _ in samples):
            samples.append((stored, _rss_mb()))

    with tempfile.TemporaryDirectory(prefix="tieuchuan-crawl-bench-") as tmp:
        store = Store(Path(tmp) / "s.sqlite3")
        index = Index(Path(tmp) / "index")
        index.rebuild([], 0)
        settings = FetchSettings(delay=0, concurrency=args.concurrency, timeout=30)
        crawler = Crawler(store, index, VsqiSource(url, keywords=["TCVN", "QCVN"]), settings, progress=progress)
        started = time.perf_counter()
        summary = crawler.run()
        elapsed = time.perf_counter() - started
        stored = store.count()
    server.terminate()
    print(f"machine: {os.cpu_count()} cores; SYNTHETIC fixture site with {args.pages} detail pages")
    print(f"crawl: {summary.line()}; {summary.list_pages} list pages; {stored} records stored")
    print(
        f"throughput: {summary.fetched / elapsed:.0f} pages/s fetched+parsed+stored ({elapsed:.1f} s,"
        f" concurrency {args.concurrency}, delay 0, index updated by key)"
    )
    print("resident memory (records stored → MB): " + ", ".join(f"{n} → {mb:.0f}" for n, mb in sorted(samples)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
