"""The bundled catalogue: built once from ``../shared/data``, shipped in ``catalogue/data``.

Two halves:

* :func:`build` (``python -m catalogue.bundle --from ../shared/data``) reads the
  gathered source files, merges TCVN records on the normalised number keeping
  every source, and writes ``catalogue/data/standards.jsonl``, ``ics.jsonl``,
  ``hs.jsonl`` (the tariff lines with their quality measures) and
  ``product_regulations.jsonl`` (product → QCVN rows with their legal basis).
  ``product_groups.json`` is curated by hand and is not generated.
  It invents nothing: every field comes from a source row, and statuses that are
  presumed from the editions held are marked ``status_basis = "inferred"``.
* :func:`seed` loads those files into a :class:`~catalogue.store.database.Store`.  The
  running application never reads ``../shared``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalogue.errors import InvalidIdentifier
from catalogue.identifiers import find_all, parse, parse_loose
from catalogue.model import DEGREES, Equivalence, Standard, same_subject
from catalogue.store.database import Store
from catalogue.text import nfc

__all__ = ["DATA_DIR", "build", "seed"]

DATA_DIR = Path(__file__).parent / "data"

# TCVN files, most trusted first: the first non-empty value of a field wins.
TCVN_FILES = [
    "tcvn_catalogue_pages.jsonl",
    "tcvn_key_records.jsonl",
    "tcvn_more_records.jsonl",
    "tcvn_records.jsonl",
    "tcvn_mirror_records.jsonl",
    "tcvn_untitled.jsonl",
    "tcvn_astm_equivalence_lubricants.jsonl",
]
_ACTIVE = re.compile(r"^(a\b|còn hiệu lực|đang có hiệu lực|active)", re.I)
_WITHDRAWN = re.compile(r"^(w\b|hết hiệu lực|ngưng hiệu lực|withdraw|replaced_or_repealed)", re.I)
_REPLACED = re.compile(r"^(replaced|đã được thay thế)", re.I)


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = re.sub(r"\s+", " ", nfc(value)).strip()
    return value or None


def _status(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    if _ACTIVE.match(text) and "superseded" not in text:
        return "active"
    if _WITHDRAWN.match(text):
        return "withdrawn"
    if _REPLACED.match(text):
        return "replaced"
    return None


def _numbers(values: Any) -> list[str]:
    """Relation lists hold strings such as ``"TCVN 7571-15:2006 (ISO 657-15:1980)"``."""
    out = []
    for value in values or []:
        if not isinstance(value, str):
            continue
        try:
            out.append(parse(value).format())
            continue
        except InvalidIdentifier:
            pass
        out.extend(ident.format() for ident, _, _ in find_all(value) if ident.is_complete)
    return out


def _sources(row: dict[str, Any], file: str) -> list[dict[str, Any]]:
    srcs = row.get("source")
    kinds = row.get("source_kind")
    found: list[dict[str, Any]] = []
    if isinstance(srcs, list):
        kinds = kinds if isinstance(kinds, list) else [kinds] * len(srcs)
        for s, k in zip(srcs, kinds, strict=False):
            found.append({"ref": s, "kind": k})
    elif isinstance(srcs, dict):
        found.append(
            {
                "ref": "{repo}@{commit}:{path}".format(**srcs) if "repo" in srcs else srcs.get("url"),
                "kind": row.get("source_kind"),
            }
        )
    for extra in row.get("sources") or []:
        if isinstance(extra, dict) and "repo" in extra:
            ref = "{repo}@{commit}:{path}".format(**extra)
            if all(f["ref"] != ref for f in found):
                found.append({"ref": ref, "kind": row.get("source_kind")})
    for url_key in ("source_url", "vsqi_url", "issuing_instrument_url"):
        if row.get(url_key):
            found.append({"ref": row[url_key], "kind": row.get("source_kind") or url_key})
    if not found:  # a transcription whose URL the source did not record
        found.append(
            {"ref": row.get("source_portal") or file, "kind": row.get("source_kind"), "note": row.get("url_note")}
        )
    for f in found:
        f["file"] = file
        if row.get("trust"):
            f["trust"] = row["trust"]
    return found


def _equivalence(row: dict[str, Any]) -> list[Equivalence]:
    number = _text(row.get("equivalent_to"))
    if not number:
        return []
    degree = (row.get("equivalence_degree") or "").upper() or None
    return [Equivalence(number.rstrip(". "), degree if degree in DEGREES else None)]


def _date(value: Any, notes: list[str], label: str) -> str | None:
    if not value:
        return None
    text = str(value)
    if (re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and "2000" <= text[:4] <= "2035") or re.fullmatch(
        r"(19[4-9]\d)-\d{2}-\d{2}", text
    ):
        return text
    notes.append(f"{label} in source: {text}")
    return None


def _tcvn_fields(row: dict[str, Any], file: str) -> dict[str, Any]:
    notes: list[str] = [n for n in [_text(row.get("note"))] if n]
    if row.get("dd_raw"):
        notes.append(f"decision date as shown on source: {row['dd_raw']}")
    ics = [i["code"] if isinstance(i, dict) else i for i in row.get("ics") or []]
    ics = [c for c in (str(i).strip() for i in ics) if re.fullmatch(r"\d{2}(\.\d{3}(\.\d{2})?)?", c)]
    status_text = row.get("status_text") or row.get("status") or row.get("status_code")
    title_vi = _text(row.get("title_vi"))
    return {
        "title_vi": title_vi,
        "title_en": _text(row.get("title_en")),
        "scope_vi": _text(row.get("scope_vi")),
        "status": _status(status_text),
        "status_official": file == "tcvn_catalogue_pages.jsonl",
        "replaces": _numbers(row.get("replaces")),
        "replaced_by": _numbers(row.get("replaced_by")),
        "ics": ics,
        "ics_vi": {i["code"]: i["name_vi"] for i in row.get("ics") or [] if isinstance(i, dict) and i.get("name_vi")},
        "equivalents": _equivalence(row),
        "technical_committee": _text(row.get("technical_committee")),
        "decision": _text(row.get("decision_number") or row.get("decision")),
        "decision_date": _date(row.get("decision_date"), notes, "decision date"),
        "issue_date": _date(row.get("issue_date"), notes, "issue date"),
        "effective_date": _date(row.get("effective_date"), notes, "effective date"),
        "pages": row.get("pages") if isinstance(row.get("pages"), int) else None,
        "sources": _sources(row, file),
        "notes": notes,
    }


def _merge(target: dict[str, Any], fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if key in ("replaces", "replaced_by", "ics", "notes") or key in ("sources", "equivalents"):
            target.setdefault(key, [])
            target[key] += [v for v in value if v not in target[key]]
        elif key in ("ics_vi", "extra"):
            target.setdefault(key, {}).update({k: v for k, v in value.items() if v})
        elif target.get(key) in (None, False, "") and value not in (None, ""):
            target[key] = value


def _load_tcvn(src: Path, report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for file in TCVN_FILES:
        for row in _rows(src / "standards" / file):
            number = row.get("standard_number")
            if not number:
                continue  # lubricant rows stating that no TCVN exists
            try:
                ident = parse(number)
            except InvalidIdentifier:
                ident = parse_loose(number)
            if ident is None or ident.kind != "TCVN" or not ident.year:
                report["skipped"].append(f"{file}: {number!r} is not a complete TCVN number")
                continue
            fields = _tcvn_fields(row, file)
            if file == "tcvn_astm_equivalence_lubricants.jsonl":
                fields["title_vi"] = None  # subject_vi names the property tested, not the title
                fields["extra"] = {"subject_vi": _text(row.get("subject_vi"))}
            entry = merged.setdefault(ident.key, {"number": ident.format()})
            _merge(entry, fields)
    return merged


def _load_qcvn(src: Path, report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for row in _rows(src / "standards" / "qcvn_records.jsonl"):
        number = row["regulation_number"]
        try:
            ident = parse(number)
        except InvalidIdentifier:
            report["skipped"].append(f"qcvn_records: {number!r} is not a QCVN number")
            continue
        notes = [n for n in [_text(row.get("note"))] if n]
        status_text = row.get("status") or ""
        status = _status(status_text)
        if status_text and status is None:
            notes.append(f"status in source: {status_text}")
        amendments = [
            {k: v for k, v in a.items() if k in ("amendment", "instrument_candidates", "text")}
            for a in row.get("amendments") or []
        ]
        entry = {
            "number": ident.format(),
            "title_vi": _text(row.get("title_vi")),
            "title_en": _text(row.get("title_en")),
            "status": status,
            "status_official": False,
            "replaces": _numbers(row.get("replaces")),
            "replaced_by": _numbers(row.get("replaced_by")),
            "amendments": amendments,
            "decision": _text(row.get("issuing_instrument")),
            "issue_date": _date(row.get("issue_date"), notes, "issue date"),
            "effective_date": _date(row.get("effective_date"), notes, "effective date"),
            "sources": _sources(row, "qcvn_records.jsonl"),
            "notes": notes,
            "extra": {
                k: row[k]
                for k in (
                    "ministry_name_vi",
                    "issuing_instrument_type",
                    "issuing_instrument_title",
                    "products",
                    "hs_codes",
                    "related_tcvn",
                    "trust",
                    "title_basis",
                )
                if row.get(k)
            },
        }
        if ident.key in merged:
            _merge(merged[ident.key], entry)
        else:
            merged[ident.key] = entry
    return merged


def _link_relations(records: dict[str, dict[str, Any]]) -> None:
    """Make replaces / replaced_by symmetric between records we hold."""
    for _key, rec in records.items():
        for other in rec.get("replaces", []):
            target = records.get(parse(other).key)
            if target is not None and rec["number"] not in target.setdefault("replaced_by", []):
                target["replaced_by"].append(rec["number"])
        for other in rec.get("replaced_by", []):
            target = records.get(parse(other).key)
            if target is not None and rec["number"] not in target.setdefault("replaces", []):
                target["replaces"].append(rec["number"])


def _settle_status(records: dict[str, dict[str, Any]]) -> int:
    """Status from sources, a replacement link, or presumed from the editions held."""
    for rec in records.values():
        if rec.get("status"):
            rec["status_basis"] = "official" if rec.pop("status_official", False) else "source"
        elif rec.get("replaced_by"):
            rec["status"], rec["status_basis"] = "replaced", "source"
        rec.pop("status_official", None)
    editions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records.values():
        editions[parse(rec["number"]).edition_key].append(rec)
    inferred = 0
    for group in editions.values():
        group.sort(key=lambda r: parse(r["number"]).year or 0, reverse=True)
        # a shared number is not enough: ministries reuse numbers for other subjects
        for cluster in _subject_clusters(group):
            if len(cluster) < 2 or any(r.get("status") for r in cluster):
                continue
            for i, rec in enumerate(cluster):
                rec["status"] = "active" if i == 0 else "replaced"
                rec["status_basis"] = "inferred"
                rec.setdefault("notes", []).append(
                    "Tình trạng suy đoán: bản mới nhất coi là hiện hành / status presumed from editions held,"
                    " not official"
                )
                inferred += 1
    return inferred


def _subject_clusters(group: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split records sharing a number into editions of the same subject (order kept)."""
    clusters: list[list[dict[str, Any]]] = []
    for rec in group:
        std = Standard(number=rec["number"], title_vi=rec.get("title_vi"))
        for cluster in clusters:
            if same_subject(Standard(number=cluster[0]["number"], title_vi=cluster[0].get("title_vi")), std):
                cluster.append(rec)
                break
        else:
            clusters.append([rec])
    return clusters


def _ics_rows(src: Path, vi_names: dict[str, str]) -> list[dict[str, Any]]:
    for row in _rows(src / "classification" / "ics_names_vi_observed.jsonl"):
        vi_names.setdefault(row["code"], nfc(row["name_vi_as_shown_on_vsqi"][0]))
    return [
        {
            "code": r["code"],
            "level": r["level"],
            "parent": r.get("parent_code"),
            "title_en": r["title_en"],
            "title_vi": vi_names.get(r["code"]),
            "scope_en": r.get("scope_en"),
        }
        for r in _rows(src / "classification" / "ics_codes.jsonl")
    ]


def _hs_rows(src: Path) -> list[dict[str, Any]]:
    """Headings (4 digits) and eight-digit tariff lines (deduplicated) with quality measures.

    A line keeps its own description and its nearest sub-heading (``parent_vi``):
    "Loại khác" means nothing without them.  The heading text is kept once.
    """
    measures: dict[str, list[str]] = {}
    for row in _rows(src / "trade" / "hs_specialised_procedures.jsonl"):
        labels = [nfc(label) for label in row.get("quality_conformity_related") or []]
        if labels:
            measures[row["hs_code"]] = sorted(set(measures.get(row["hs_code"], []) + labels))
    headings: dict[str, dict[str, Any]] = {}
    lines: dict[str, dict[str, Any]] = {}

    def clean(text: str | None) -> str:
        return nfc(text or "").lstrip("- ").rstrip(":").strip()

    for row in _rows(src / "trade" / "hs_tariff_nomenclature.jsonl"):
        code = row.get("hs_code")
        if row.get("level") == 0 and code and len(code) == 4 and code not in headings:
            headings[code] = {"heading": code, "vi": clean(row["description_vi"]), "en": clean(row["description_en"])}
        if not row.get("is_tariff_line") or not code or code in lines:
            continue
        ancestors = row.get("ancestor_descriptions_vi") or []
        ancestors_en = row.get("ancestor_descriptions_en") or []
        lines[code] = {
            "code": code,
            "vi": clean(row["description_vi"]),
            "en": clean(row.get("description_en")),
            "parent_vi": clean(ancestors[-1]) if len(ancestors) > 1 else None,
            "parent_en": clean(ancestors_en[-1]) if len(ancestors_en) > 1 else None,
            "measures": measures.get(code, []),
        }
    return [headings[k] for k in sorted(headings)] + [lines[k] for k in sorted(lines)]


def _product_regulation_rows(src: Path) -> list[dict[str, Any]]:
    keep = (
        "ministry_code",
        "product_vi",
        "product_en",
        "product_group_vi",
        "hs_codes",
        "qcvn",
        "legal_basis",
        "import_control",
        "related_tcvn",
        "trust",
        "note",
    )
    out = []
    for row in _rows(src / "products" / "product_qcvn_hs.jsonl"):
        item = {k: row[k] for k in keep if row.get(k)}
        item["source"] = row.get("source")
        item["source_kind"] = row.get("source_kind")
        out.append(item)
    return out


def build(src: Path, out: Path = DATA_DIR) -> dict[str, Any]:
    """Merge the shared source files into the bundle; returns a report."""
    report: dict[str, Any] = {"skipped": []}
    tcvn = _load_tcvn(src, report)
    qcvn = _load_qcvn(src, report)
    records = {**tcvn, **qcvn}
    _link_relations(records)
    report["inferred_status"] = _settle_status(records)
    vi_names: dict[str, str] = {}
    for rec in records.values():
        vi_names.update(rec.pop("ics_vi", {}) or {})
    ics = _ics_rows(src, vi_names)
    ics_codes = {r["code"] for r in ics}
    standards = []
    for key in sorted(records, key=lambda k: (parse(records[k]["number"]).kind, k)):
        rec = records[key]
        unknown_ics = [c for c in rec.get("ics", []) if c not in ics_codes]
        if unknown_ics:
            rec["notes"].append(f"ICS not in the ISO list: {', '.join(unknown_ics)}")
            rec["ics"] = [c for c in rec["ics"] if c in ics_codes]
        rec.setdefault("status", "unknown")
        if rec["status"] is None:
            rec["status"] = "unknown"
        standards.append(Standard.from_dict(rec))
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "standards.jsonl", (s.to_dict() for s in standards), drop=("updated_at", "version"))
    _write_jsonl(out / "ics.jsonl", ics)
    hs = _hs_rows(src)
    _write_jsonl(out / "hs.jsonl", hs)
    product_rows = _product_regulation_rows(src)
    _write_jsonl(out / "product_regulations.jsonl", product_rows)
    report.update(
        tcvn=sum(1 for s in standards if s.kind == "TCVN"),
        qcvn=sum(1 for s in standards if s.kind == "QCVN"),
        untitled=sum(1 for s in standards if not (s.title_vi or s.title_en)),
        ics=len(ics),
        ics_vi=sum(1 for r in ics if r["title_vi"]),
        hs_lines=sum(1 for r in hs if "code" in r),
        hs_with_measures=sum(1 for r in hs if r.get("measures")),
        product_regulations=len(product_rows),
    )
    return report


def _write_jsonl(path: Path, rows: Any, drop: tuple[str, ...] = ()) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            for k in drop:
                row.pop(k, None)
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    tmp.replace(path)


def bundled_standards(data_dir: Path = DATA_DIR) -> Iterator[Standard]:
    for row in _rows(data_dir / "standards.jsonl"):
        yield Standard.from_dict(row)


def seed(store: Store, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load each part of the bundle that the store does not hold yet.

    Parts already present are left alone, so re-running never overwrites what the
    secretariat edited.  Returns how many rows each part wrote (0: skipped).
    """
    from catalogue.recommend.taxonomy import Taxonomy, group_from_curated

    taxonomy = Taxonomy(store)
    counts = {"new": 0, "changed": 0, "unchanged": 0, "hs_lines": 0, "product_regulations": 0, "groups": 0}
    if not store.ics():
        store.load_ics(_rows(data_dir / "ics.jsonl"))
    if store.count() == 0:
        counts.update(store.upsert_many(bundled_standards(data_dir), require_title=False))
    if not taxonomy.has_hs():
        counts["hs_lines"] = taxonomy.load_hs(_rows(data_dir / "hs.jsonl"))
    if not taxonomy.product_regulations():
        counts["product_regulations"] = taxonomy.load_product_regulations(_rows(data_dir / "product_regulations.jsonl"))
    if not taxonomy.groups():
        curated = json.loads((data_dir / "product_groups.json").read_text(encoding="utf-8"))
        counts["groups"] = sum(taxonomy.save(group_from_curated(g)) == "new" for g in curated["groups"])
    return counts


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
    print(json.dumps(report, ensure_ascii=False))
    for line in skipped:
        print("skipped:", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
