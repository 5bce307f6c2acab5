"""Search relevance, `make eval`: the engine and a plain SQLite FTS5 baseline on the same records.

Cases: ``tests/eval/search_cases.jsonl``, written from the bundled catalogue by a
helper who never saw the engine's output.  Each case has a category, a query, the
records that answer it (decided from the records' fields) and ``k``.  A third of
the cases is ``heldout``: never looked at while tuning; reported on its own.  A
held-out batch written later (``"batch"``, e.g. ``h3``) is also reported on its own.

Metrics per category, for the engine and for FTS5 (``unicode61 remove_diacritics 2``,
the query's words OR-ed, ranked by bm25, over number, Vietnamese and English title
and scope):

* success@k — a relevant record is among the first ``k`` results;
* MRR — mean of 1/rank of the first relevant record in the first 10 (0 when none).

The cases were written against the catalogue of their day; when a newer edition
of a relevant record is added later, that edition answers the query too.  So the
relevant set of each case is widened, for both systems alike, with the current
edition of each record in it (:func:`catalogue.editions.current_edition`: recorded
replacements, then the newest edition of the same subject), and nothing else.

    python tests/eval/search_eval.py [--split dev|heldout|all] [--show-failures]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = Path(__file__).with_name("search_cases.jsonl")
DEPTH = 10


def load_cases(split: str = "all", batch: str | None = None) -> list[dict]:
    """The cases of ``split`` (``"all"``: every one); with ``batch``, only those written in that batch."""
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases if (split == "all" or c["split"] == split) and (batch is None or c.get("batch") == batch)]


class Fts5Baseline:
    """SQLite FTS5 over the same records: words OR-ed, bm25."""

    def __init__(self, records) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE s USING fts5(number, title_vi, title_en, scope,"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO s VALUES (?, ?, ?, ?)",
            [(r.number, r.title_vi or "", r.title_en or "", r.scope_vi or "") for r in records],
        )

    def search(self, query: str, limit: int = DEPTH) -> list[str]:
        words = re.findall(r"\w+", query.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute("SELECT number FROM s WHERE s MATCH ? ORDER BY bm25(s) LIMIT ?", (match, limit))
        return [r[0] for r in rows]


def rank_of(results: list[str], relevant: set[str]) -> int | None:
    for i, number in enumerate(results, 1):
        if number in relevant:
            return i
    return None


def widened(holdings, numbers: list[str]) -> set[str]:
    """``numbers`` and the current edition of each (see the module docstring)."""
    from catalogue.editions import current_edition
    from catalogue.errors import NotFound

    relevant = set(numbers)
    for number in numbers:
        try:
            current, _ = current_edition(holdings, number, include_withdrawn=True)
        except NotFound:
            continue
        if current is not None:
            relevant.add(current.number)
    return relevant


def evaluate(split: str = "all", show_failures: bool = False, batch: str | None = None) -> dict:
    from catalogue.engine import Engine
    from catalogue.search.searcher import SearchRequest
    from catalogue.settings import Settings

    cases = load_cases(split, batch)
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine.open(Settings.load({"data_dir": tmp}, environ={}))
        fts = Fts5Baseline(list(engine.store.all()))
        stats: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        failures = []
        for case in cases:
            relevant = widened(engine.store, case["relevant"])
            ours = [h.number for h in engine.search(SearchRequest(q=case["query"], limit=DEPTH)).hits]
            theirs = fts.search(case["query"])
            for system, results in (("engine", ours), ("fts5", theirs)):
                r = rank_of(results, relevant)
                for cat in (case["category"], "ALL"):
                    stats[(system, cat)]["success"].append(1.0 if r is not None and r <= case["k"] else 0.0)
                    stats[(system, cat)]["rr"].append(1.0 / r if r else 0.0)
            r = rank_of(ours, relevant)
            if show_failures and (r is None or r > case["k"]):
                failures.append((case, ours[:5]))
        engine.close()
    return {"stats": stats, "failures": failures, "n": len(cases)}


def report(split: str, result: dict) -> str:
    stats = result["stats"]
    cats = sorted({cat for (_, cat) in stats if cat != "ALL"}) + ["ALL"]
    lines = [f"search relevance — split={split}, {result['n']} cases (engine vs SQLite FTS5 OR/bm25)"]
    lines.append(f"{'category':<18}{'n':>5}  {'engine s@k':>10} {'MRR':>6}   {'fts5 s@k':>9} {'MRR':>6}")
    for cat in cats:
        e, f = stats[("engine", cat)], stats[("fts5", cat)]
        n = len(e["success"])
        mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
        lines.append(
            f"{cat:<18}{n:>5}  {mean(e['success']):>10.3f} {mean(e['rr']):>6.3f}   "
            f"{mean(f['success']):>9.3f} {mean(f['rr']):>6.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "heldout", "all", "both"), default="both")
    ap.add_argument("--show-failures", action="store_true", help="print the dev cases the engine misses")
    args = ap.parse_args(argv)
    splits = [(s, None) for s in (("dev", "heldout") if args.split == "both" else (args.split,))]
    if args.split == "both":  # a batch written later is also reported on its own: it was never seen while tuning
        splits += [("heldout", b) for b in sorted({c.get("batch") for c in load_cases("heldout")} - {None})]
    for split, batch in splits:
        result = evaluate(split, show_failures=args.show_failures and split == "dev", batch=batch)
        print(report(split if batch is None else f"{split}, batch {batch}", result))
        for case, top in result["failures"]:
            print(f"  MISS [{case['category']}] {case['query']!r} k={case['k']} want {case['relevant'][:3]} got {top}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
