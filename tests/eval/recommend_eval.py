"""`make eval`: the recommender on the independent case set ``tests/eval/recommend_cases.jsonl``.

The case file was written blind, outside this project's tuning: each line has
``id, category, product, hs, expected, acceptable, none, k, split, basis``.
Cases with ``split == "heldout"`` are never used to tune the recommender; this
harness reports them separately and, unless ``--show-misses heldout`` is given,
does not print them case by case.

Metrics, per category and overall, for ``dev`` and ``heldout`` separately:

* **success@k** — positive cases: an expected QCVN is among the first ``k`` QCVN
  of the answer, read in the order a user reads it (mandatory, then "may also
  apply", then the sector-wide rules).  A QCVN counts when its number, or the
  edition the legal text names (``named``), is expected.  None-cases: the answer
  carries a clear outcome message and lists no mandatory QCVN.
* **MRR** — mean of 1/rank of the first expected QCVN (none-cases: 1 on success).
* **wrong mandatory** — mandatory QCVN outside ``expected ∪ acceptable``, as a
  share of all listed mandatory QCVN (over every case of the split).
* **none-cases** — how many carry a clear message, and how many list a mandatory QCVN.

    python tests/eval/recommend_eval.py                 # dev and heldout tables
    python tests/eval/recommend_eval.py --show-misses dev
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = Path(__file__).with_name("recommend_cases.jsonl")
CLEAR_OUTCOMES = ("none_known", "not_understood", "question")
CATEGORIES = (
    "everyday",
    "unaccented",
    "variant",
    "hs_heading",
    "hs_subheading",
    "hs_line",
    "english",
    "sentence",
    "none",
)


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Outcome:
    case: dict[str, Any]
    success: bool
    rank: int | None
    mandatory: list[str]
    wrong: list[str]
    ranked: list[str]
    message: str | None
    outcome: str | None


@dataclass
class Table:
    n: int = 0
    success: int = 0
    rr: float = 0.0
    mandatory: int = 0
    wrong: int = 0
    none_n: int = 0
    none_clear: int = 0
    none_with_mandatory: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    def add(self, o: Outcome) -> None:
        self.outcomes.append(o)
        self.n += 1
        self.success += o.success
        self.rr += 1 / o.rank if o.rank else 0.0
        self.mandatory += len(o.mandatory)
        self.wrong += len(o.wrong)
        if o.case["none"]:
            self.none_n += 1
            self.none_clear += bool(o.message) and o.outcome in CLEAR_OUTCOMES
            self.none_with_mandatory += bool(o.mandatory)

    def row(self) -> dict[str, Any]:
        return {
            "cases": self.n,
            "success@k": round(self.success / self.n, 3) if self.n else None,
            "mrr": round(self.rr / self.n, 3) if self.n else None,
            "wrong_mandatory": round(self.wrong / self.mandatory, 3) if self.mandatory else 0.0,
            "mandatory_listed": self.mandatory,
        }


def names(rec: Any) -> set[str]:
    """The numbers a listed QCVN answers for: itself and the edition the legal text named."""
    out = {rec.number}
    out.update(getattr(rec, "named", None) or [])
    if getattr(rec, "replaces", None):
        out.add(rec.replaces)
    return out


def judge(result: Any, case: dict[str, Any]) -> Outcome:
    expected = set(case["expected"])
    allowed = expected | set(case.get("acceptable") or [])
    k = int(case.get("k") or 3)
    qcvn = [r for r in result.recommendations if r.kind == "QCVN"]
    qcvn += [r for rule in getattr(result, "sector_rules", []) for r in rule.items if r.kind == "QCVN"]
    mandatory = [r for r in result.recommendations if r.kind == "QCVN" and r.mandatory]
    wrong = [r.number for r in mandatory if not (names(r) & allowed)]
    rank = next((i for i, r in enumerate(qcvn, start=1) if names(r) & expected), None)
    outcome = getattr(result, "outcome", None)
    if case["none"]:
        success = bool(result.message) and outcome in CLEAR_OUTCOMES and not mandatory
        rank = 1 if success else None
    else:
        success = rank is not None and rank <= k
        if not success:
            rank = None if rank is None or rank > k else rank
    return Outcome(
        case, success, rank, [r.number for r in mandatory], wrong, [r.number for r in qcvn][:6], result.message, outcome
    )


def evaluate(recommender: Any, cases: list[dict[str, Any]]) -> dict[str, dict[str, Table]]:
    """{split: {category or "all": Table}}."""
    tables: dict[str, dict[str, Table]] = defaultdict(lambda: defaultdict(Table))
    for case in cases:
        result = recommender.recommend(case.get("product") or "", case.get("hs") or None)
        o = judge(result, case)
        for split in (case["split"], "overall"):
            tables[split][case["category"]].add(o)
            tables[split]["all"].add(o)
    return tables


def report(tables: dict[str, dict[str, Table]], show_misses: str | None = None) -> str:
    lines = []
    for split in ("dev", "heldout", "overall"):
        if split not in tables:
            continue
        lines.append(f"== {split} ==")
        lines.append(f"{'category':<14}{'cases':>6}{'succ@k':>8}{'MRR':>7}{'wrongM':>8}{'listedM':>8}")
        for cat in (*CATEGORIES, "all"):
            if cat not in tables[split]:
                continue
            r = tables[split][cat].row()
            lines.append(
                f"{cat:<14}{r['cases']:>6}{r['success@k']:>8.3f}{r['mrr']:>7.3f}"
                f"{r['wrong_mandatory']:>8.3f}{r['mandatory_listed']:>8}"
            )
        t = tables[split]["all"]
        lines.append(
            f"none-cases: {t.none_n}, clear message {t.none_clear}/{t.none_n},"
            f" with a mandatory QCVN {t.none_with_mandatory}/{t.none_n}"
        )
        if show_misses == split:
            for o in t.misses:
                c = o.case
                lines.append(
                    f"  miss {c['id']} [{c['category']}] {c['product'] or c['hs']!r}: expected {c['expected']}"
                    f" got {o.ranked} ({o.outcome}: {(o.message or '')[:70]})"
                )
            for o in t.outcomes:
                if o.wrong:
                    lines.append(f"  wrong mandatory {o.case['id']} {o.case['product'] or o.case['hs']!r}: {o.wrong}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--show-misses", choices=("dev", "heldout"), default=None)
    parser.add_argument("--json", action="store_true", help="print the tables as JSON")
    args = parser.parse_args(argv)
    from catalogue.engine import Engine
    from catalogue.settings import Settings

    cases = load_cases(args.cases)
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine.open(Settings.load({"data_dir": tmp}, environ={}))
        try:
            tables = evaluate(engine.recommender, cases)
        finally:
            engine.close()
    if args.json:
        print(json.dumps({s: {c: t.row() for c, t in cats.items()} for s, cats in tables.items()}, indent=1))
    else:
        print(report(tables, args.show_misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
