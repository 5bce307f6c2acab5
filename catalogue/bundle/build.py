"""Build ``catalogue/data`` from ``../shared/data``: ``python -m catalogue.bundle --from ../shared/data``.

Contracts:

* The output is a pure function of the input files: rows are merged on the
  normalised number in a fixed order and written sorted, so a rebuild is byte for
  byte identical (``tests/test_bundle.py`` checks it).
* Nothing is invented: every field comes from a source row, which the record
  keeps among its ``sources``; a status carries its basis
  (:func:`catalogue.editions.settle`).
* ``product_groups.json`` is curated by hand and is not generated.

Only developers run this; the application reads ``catalogue/data`` alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from catalogue.bundle.facts import apply_facts, apply_fields
from catalogue.bundle.qcvn import load_qcvn
from catalogue.bundle.records import Gathered
from catalogue.bundle.tcvn import load_tcvn
from catalogue.bundle.trade import hs_rows, ics_rows, product_regulation_rows
from catalogue.editions import ListBasis, link_relations, settle
from catalogue.model import Standard
from catalogue.seed import DATA_DIR

__all__ = ["LISTS", "basis_counts", "build", "main"]

# Lists that cite editions as applicable (rule "listed-in-force" / "listed-in-ministry-draft").
# The construction table of public630 is not here: PROVENANCE.md says it holds superseded
# editions and must never imply "in force".
LISTS = (
    # The codified law keeps the provisions in force; a QCVN whose issuing article is in it was in
    # force when the copy was made (its content reaches about 2023, so later replacements may be missing).
    ListBasis(
        ref_contains="diepxuan/diepxuan.github.io@",
        name_vi="Bộ pháp điển (điều khoản ban hành của thông tư; bản sao có nội dung đến khoảng năm 2023)",
        name_en="the codified law, Bộ pháp điển (the circular's issuing article; the copy reaches about 2023)",
        year=2023,
        extra=("title_basis", "issuing"),
    ),
    ListBasis(
        ref_contains="danh-muc-va-lo-trinh-phuong-tien-thiet-bi-su-dung-nang-luong",
        name_vi="Quyết định 14/2023/QĐ-TTg về danh mục và lộ trình phương tiện, thiết bị sử dụng năng lượng",
        name_en="Decision 14/2023/QĐ-TTg on the roadmap for energy-using equipment",
        year=2023,
    ),
    ListBasis(
        ref_contains="PHAMNGOCBAY/nghi-dinh-qc-tcvn@16590e273083a67e5d8ddf29c3d445af0f23dc2e:QC-METRO/3.",
        name_vi="danh mục tiêu chuẩn cho đường sắt đô thị trong dự thảo năm 2026 của Bộ Xây dựng (chưa ban hành)",
        name_en="the standards list for urban railways in the Ministry of Construction's 2026 draft (not yet issued)",
        year=2026,
        draft=True,
    ),
)


def basis_counts(records: list[dict[str, Any]]) -> dict[str, int]:
    """``{"official": n, "stated": n, "presumed": n, "unknown": n}`` (old basis names read as new)."""
    counts = Counter(Standard.from_dict(r).status_basis for r in records)
    return {b: counts.get(b, 0) for b in ("official", "stated", "presumed", "unknown")}


def _tidy(entry: dict[str, Any], ics_codes: set[str]) -> dict[str, Any]:
    entry.pop("ics_vi", None)
    unknown = [c for c in entry.get("ics", []) if c not in ics_codes]
    if unknown:
        entry["extra"].setdefault("remarks", []).append({"code": "ics_unknown", "codes": unknown})
        entry["ics"] = [c for c in entry["ics"] if c in ics_codes]
    entry["extra"] = {k: v for k, v in entry["extra"].items() if v not in (None, "", [], {})}
    entry.setdefault("status", "unknown")
    return entry


def _write_jsonl(path: Path, rows: Any, drop: tuple[str, ...] = ()) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            for k in drop:
                row.pop(k, None)
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    tmp.replace(path)


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build(src: Path, out: Path = DATA_DIR) -> dict[str, Any]:
    """Merge the shared source files into the bundle in ``out``; returns a report."""
    before = basis_counts(_read(out / "standards.jsonl"))
    acc = Gathered()
    load_tcvn(src, acc)
    load_qcvn(src, acc)
    apply_fields(src, acc)
    apply_facts(src, acc)
    vi_names: dict[str, str] = {}
    for entry in acc.entries.values():
        vi_names.update(entry.get("ics_vi") or {})
        for old in entry["extra"].get("historic") or []:  # a historic code's title, when a row gives one
            title = acc.references.get(old["number"], {}).get("title_vi")
            if title and not old.get("title_vi"):
                old["title_vi"] = title
    ics = ics_rows(src, vi_names)
    ics_codes = {r["code"] for r in ics}
    records = {key: Standard.from_dict(_tidy(entry, ics_codes)) for key, entry in acc.entries.items()}
    links = link_relations(records)
    rules = settle(records, acc.statements, LISTS)
    standards = [records[k] for k in sorted(records, key=lambda k: (records[k].kind, k))]
    references = [r for _, r in sorted(acc.references.items())]
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "standards.jsonl", (s.to_dict() for s in standards), drop=("updated_at", "version"))
    _write_jsonl(out / "references.jsonl", references)
    _write_jsonl(out / "ics.jsonl", ics)
    hs = hs_rows(src)
    _write_jsonl(out / "hs.jsonl", hs)
    product_rows = product_regulation_rows(src)
    _write_jsonl(out / "product_regulations.jsonl", product_rows)
    return {
        "tcvn": sum(1 for s in standards if s.kind == "TCVN"),
        "qcvn": sum(1 for s in standards if s.kind == "QCVN"),
        "untitled": sum(1 for s in standards if not (s.title_vi or s.title_en)),
        "references": dict(Counter(r["why"] for r in references)),
        "links_added": links,
        "basis_before": before,
        "basis_after": basis_counts([s.to_dict() for s in standards]),
        "presumed_by_rule": {k.split(":", 1)[1]: v for k, v in sorted(rules.items()) if k.startswith("presumed:")},
        "status_after": dict(sorted(Counter(s.status for s in standards).items())),
        "ics": len(ics),
        "ics_vi": sum(1 for r in ics if r["title_vi"]),
        "hs_lines": sum(1 for r in hs if "code" in r),
        "hs_with_measures": sum(1 for r in hs if r.get("measures")),
        "product_regulations": len(product_rows),
        "skipped": acc.skipped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build catalogue/data from the shared source files.")
    parser.add_argument(
        "--from",
        dest="src",
        type=Path,
        default=Path("../shared/data"),
        help="folder holding standards/ and classification/ (default ../shared/data)",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default catalogue/data)")
    args = parser.parse_args(argv)
    if not (args.src / "standards" / "qcvn_records.jsonl").is_file():
        print(f"error: {args.src} does not hold standards/qcvn_records.jsonl", file=sys.stderr)
        return 2
    report = build(args.src, args.out)
    skipped = report.pop("skipped")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    for line in skipped:
        print("skipped:", line)
    return 0
