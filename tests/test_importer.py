"""JSONL / CSV import: validation, quarantine, idempotence, the audit trail; and export."""

import csv
import io
import json
from pathlib import Path

import pytest

from catalogue.engine import Engine
from catalogue.errors import InvalidInput
from catalogue.exporter import CSV_COLUMNS, export
from catalogue.importer import import_file, preview_rows
from catalogue.search.searcher import SearchRequest
from indexer.crawl.frontier import Frontier

ROWS = [
    {"number": "TCVN 99101:2024", "title_vi": "Bánh tráng gạo", "status": "active", "ics": "67.060"},
    {"number": "tcvn 99102-2024", "title_vi": "Bún khô", "title_en": "Dried rice noodles"},
    {"number": "TCVN ABC", "title_vi": "Số sai"},
    {"number": "TCVN 99103:2024", "title_vi": ""},
    {"number": "TCVN 99104:2024", "title_vi": "Ngày sai", "decision_date": "2063-12-30"},
    {"number": "TCVN 99105:2024", "title_vi": "Tình trạng sai", "status": "maybe"},
]


@pytest.fixture
def engine(writable_engine: Engine) -> Engine:
    """A private copy of the bundled catalogue (copying is faster than seeding and indexing afresh)."""
    return writable_engine


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{not json\n", encoding="utf-8")
    return path


def test_jsonl_import_validates_quarantines_and_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "batch.jsonl", ROWS)
    first = import_file(engine, path)
    assert (first.rows, first.new, first.quarantined) == (7, 2, 5)
    quarantine = Frontier(engine.store, "file").quarantined()
    assert {q["url"] for q in quarantine} >= {"batch.jsonl:3", "batch.jsonl:7"}
    second = import_file(engine, path)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 2)
    assert engine.search(SearchRequest(q="banh trang")).hits[0].number == "TCVN 99101:2024"


def test_csv_import(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["number", "title_vi", "status", "ics"])
        writer.writeheader()
        for row in ROWS[:3]:
            writer.writerow({k: row.get(k, "") for k in ["number", "title_vi", "status", "ics"]})
    summary = import_file(engine, path)
    assert (summary.new, summary.quarantined) == (2, 1)


def test_preview_lists_per_row_errors_without_writing(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "batch.jsonl", ROWS)
    before = engine.store.seq
    preview = preview_rows(path)
    assert [p["ok"] for p in preview] == [True, True, False, False, False, False, False]
    assert engine.store.seq == before


def test_bad_file_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        preview_rows(tmp_path / "missing.jsonl")
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(InvalidInput):
        preview_rows(tmp_path / "x.txt")


def test_export_csv_and_jsonl(engine: Engine) -> None:
    out = io.StringIO()
    export(engine.store, "csv", out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) == engine.store.count() + 1
    out = io.StringIO()
    export(engine.store, "jsonl", out)
    lines = out.getvalue().splitlines()
    assert len(lines) == engine.store.count()
    assert json.loads(lines[0])["number"]


def test_re_importing_a_file_quarantines_its_bad_rows_once(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "again.jsonl", ROWS)
    counts = []
    for name in ("again.jsonl", "renamed.jsonl"):  # an upload gets a new name each time; its content decides
        path = path.rename(tmp_path / name)
        summary = import_file(engine, path)
        counts.append((summary.quarantined, len(Frontier(engine.store, "file").quarantined())))
    assert counts == [(5, 5), (5, 5)]


def test_every_imported_record_has_its_audit_entry(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "batch.jsonl", ROWS)
    import_file(engine, path, user="lan")
    entries = [e for e in engine.store.audit.entries(limit=50) if e["action"] == "import"]
    assert {e["target"] for e in entries} == {"TCVN 99101:2024", "TCVN 99102:2024"}
    assert all(e["user"] == "lan" for e in entries)
    import_file(engine, path, user="lan")  # idempotent: nothing written, no new entry
    assert len([e for e in engine.store.audit.entries(limit=50) if e["action"] == "import"]) == 2


def test_status_labels_in_either_language_are_read_as_codes(engine: Engine, tmp_path: Path) -> None:
    """Synthetic rows (test numbers): the site's own labels, any case, with or without diacritics."""
    labels = {
        "TCVN 99111:2024": ("Còn hiệu lực", "active"),
        "TCVN 99112:2024": ("Hết hiệu lực", "withdrawn"),
        "TCVN 99113:2024": ("Bị thay thế", "replaced"),
        "TCVN 99114:2024": ("da bi thay the", "replaced"),
        "TCVN 99115:2024": ("WITHDRAWN", "withdrawn"),
        "TCVN 99116:2024": ("Dự thảo", "draft"),
    }
    path = tmp_path / "nhan.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # Excel's CSV: with a BOM
        writer = csv.writer(fh)
        writer.writerow(["number", "title_vi", "status"])
        for number, (label, _) in labels.items():
            writer.writerow([number, "Bản ghi thử (synthetic)", label])
        writer.writerow(["TCVN 99117:2024", "Bản ghi thử (synthetic)", "có lẽ"])
    summary = import_file(engine, path, name="Danh mục.csv")
    assert (summary.new, summary.quarantined) == (len(labels), 1)
    for number, (_, code) in labels.items():
        assert engine.store.get(number).status == code
    assert summary.errors[0].startswith("Danh mục.csv:")  # the name it was given, not the path
    assert engine.store.get("TCVN 99111:2024").sources[0]["ref"] == "Danh mục.csv:2"
