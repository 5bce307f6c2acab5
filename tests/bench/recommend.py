"""`make bench` (recommender part): latency of recommendations on the bundled catalogue.

The catalogue here is the REAL bundled one (catalogue/data), not synthetic: the
recommender's work depends on the real groups, tariff lines and titles.  The
inputs are the products and HS codes of tests/eval/recommend_cases.jsonl (every
split: only timing is measured here, nothing is judged), each asked
``--rounds`` times after one warm-up pass.  Reports the median, p95 and maximum
per recommendation and the one-off cost of preparing the recommender's index.

Target (issue 11): p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from catalogue.engine import Engine  # noqa: E402
from catalogue.settings import Settings  # noqa: E402

CASES = ROOT / "tests" / "eval" / "recommend_cases.jsonl"
TARGET_P95_MS = 20.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def inputs() -> list[tuple[str, str | None]]:
    with CASES.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [(r.get("product") or "", r.get("hs") or None) for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    queries = inputs()
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine.open(Settings.load({"data_dir": tmp}, environ={}))
        engine.searcher.warm_up()
        started = time.perf_counter()
        engine.recommender.index()
        prepare = time.perf_counter() - started
        rec = engine.recommender
        for product, hs in queries:  # warm-up: caches of editions and word analysis
            rec.recommend(product, hs)
        times = []
        for _ in range(args.rounds):
            for product, hs in queries:
                t0 = time.perf_counter()
                rec.recommend(product, hs)
                times.append((time.perf_counter() - t0) * 1000)
        engine.close()
    p95 = percentile(times, 95)
    print(f"recommendations on the bundled catalogue ({os.cpu_count()} cores): {len(queries)} inputs × {args.rounds}")
    print(f"  prepare index (once): {prepare:.2f} s")
    print(
        f"  per recommendation: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms"
        f"  (target p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
