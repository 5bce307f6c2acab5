"""Export of the catalogue as JSONL (every field) or CSV (the documented columns)."""

from __future__ import annotations

import csv
import io
import json

from catalogue.exporter import CSV_COLUMNS, csv_row, export
from catalogue.model import Standard
from catalogue.store.database import Store
from tests.conftest import make_standard


def test_a_csv_row_has_the_documented_columns() -> None:
    record = make_standard(
        "TCVN 8430:2010",
        title_en="Unripened cheese",
        ics=["67.100.30", "67.100.99"],
        equivalents=[{"number": "CODEX STAN 221:2001", "degree": "IDT"}],
        replaces=["TCVN 1:2000"],
        pages=12,
    )
    row = dict(zip(CSV_COLUMNS, csv_row(record, "https://example.invalid"), strict=True))
    assert row["number"] == "TCVN 8430:2010" and row["kind"] == "TCVN" and row["year"] == "2010"
    assert row["ics"] == "67.100.30;67.100.99"
    assert row["equivalents"] == "CODEX STAN 221:2001 (IDT)"
    assert row["url"] == "https://example.invalid/standards/tcvn-8430-2010"
    assert row["pages"] == "12" and row["decision"] == ""


def test_export_writes_every_record(store: Store) -> None:
    store.upsert_many([make_standard("TCVN 1:2008"), make_standard("TCVN 2:2008", title_en="Two")])
    out = io.StringIO()
    export(store, "csv", out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == CSV_COLUMNS and [r[0] for r in rows[1:]] == ["TCVN 1:2008", "TCVN 2:2008"]
    out = io.StringIO()
    export(store, "jsonl", out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["number"] for line in lines] == ["TCVN 1:2008", "TCVN 2:2008"]
    assert all("version" not in line for line in lines)  # bookkeeping stays home
    assert Standard.from_dict(lines[1]).title_en == "Two"


def test_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    from catalogue.exporter import neutralise

    for risky in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://example.invalid")'):
        assert neutralise(risky) == "'" + risky
    assert neutralise("TCVN 1:2008") == "TCVN 1:2008" and neutralise(None) == "" and neutralise(12) == "12"


def test_a_download_starts_with_a_bom_and_a_formula_title_is_text() -> None:
    """Synthetic record: a title that would be a formula in Excel."""
    from catalogue.exporter import write_csv

    out = io.StringIO()
    write_csv([make_standard("TCVN 1:2008", title_vi="=cmd|' /C calc'!A0")], out, bom=True)
    assert out.getvalue().startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.getvalue()[1:])))
    assert rows[0] == CSV_COLUMNS and rows[1][CSV_COLUMNS.index("title_vi")] == "'=cmd|' /C calc'!A0"
