"""File imports read row by row: numbers normalised, every problem listed, bad lines reported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from catalogue.errors import InvalidInput, ValidationError
from indexer.sources.file import MAX_FIELD, MAX_LINE, FileSource, iter_rows, row_to_standard


def test_a_row_becomes_a_validated_record() -> None:
    record = row_to_standard(
        {
            "number": "tcvn 99102-2024",
            "title_vi": "  Bún   khô ",
            "ics": "67.060; 67.080",
            "status": "Active",
            "equivalent": "ISO 1:2000",
            "degree": "MOD",
            "pages": "12",
        },
        "batch.csv:2",
    )
    assert (record.number, record.title_vi, record.status, record.pages) == ("TCVN 99102:2024", "Bún khô", "active", 12)
    assert record.ics == ["67.060", "67.080"] and record.equivalents[0].degree == "MOD"
    assert record.sources == [{"ref": "batch.csv:2", "kind": "import"}]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"title_vi": "x"}, "no number"),
        ({"number": "TCVN ABC", "title_vi": "x"}, "bad number"),
        ({"number": "TCVN 1:2020", "title_vi": "x", "status": "maybe"}, "unknown status"),
        ({"number": "TCVN 1:2020", "title_vi": "x", "pages": "ten"}, "pages must be a number"),
        ({"number": "TCVN 1:2020", "title_vi": ""}, "title"),
    ],
)
def test_every_problem_is_named(row: dict, problem: str) -> None:
    with pytest.raises(ValidationError) as info:
        row_to_standard(row, "f:1")
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_rows_stream_with_their_line_numbers() -> None:
    jsonl = io.StringIO('{"number": "TCVN 1:2020"}\n\n{broken\n')
    rows = list(iter_rows(jsonl, ".jsonl", "b.jsonl"))
    assert [(o, e is None) for o, _, e in rows] == [("b.jsonl:1", True), ("b.jsonl:3", False)]
    csv_rows = list(iter_rows(io.StringIO("number,title_vi\nTCVN 1:2020,A\nTCVN 2:2020,B\n"), ".csv", "b.csv"))
    assert [o for o, _, _ in csv_rows] == ["b.csv:2", "b.csv:3"] and csv_rows[1][1]["title_vi"] == "B"


def test_only_existing_jsonl_or_csv_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        FileSource(tmp_path / "missing.csv")
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(InvalidInput):
        FileSource(tmp_path / "x.txt")
    (tmp_path / "ok.jsonl").write_text('{"number": "TCVN 1:2020"}\n', encoding="utf-8")
    assert [o for o, _, _ in FileSource(tmp_path / "ok.jsonl").rows()] == ["ok.jsonl:1"]


def test_hostile_lines_are_bad_rows_with_a_reason_and_the_rows_after_them_still_come() -> None:
    deep = '{"number": "TCVN 3:2020", "title_vi": ' + "[" * 100_000 + "]" * 100_000 + "}"
    long_field = json.dumps({"number": "TCVN 4:2020", "title_vi": "x" * (MAX_FIELD + 1)})
    long_line = json.dumps({"number": "TCVN 5:2020", "notes": "y" * (MAX_LINE + 10)})
    jsonl = "\n".join(['{"number": "TCVN 1:2020"}', deep, long_field, long_line, '{"number": "TCVN 2:2020"}']) + "\n"
    rows = list(iter_rows(io.StringIO(jsonl), ".jsonl", "h.jsonl"))
    assert [o for o, _, _ in rows] == [f"h.jsonl:{i}" for i in range(1, 6)]
    errors = [e or "" for _, _, e in rows]
    assert errors[0] == errors[4] == ""
    assert "nested too deeply" in errors[1] and "characters" in errors[2] and "line longer" in errors[3]
    assert all(len(json.dumps(r)) < 5000 for _, r, e in rows if e)  # what a bad row keeps is bounded
    csv_text = "number,title_vi\nTCVN 1:2020,A\nTCVN 2:2020," + "z" * 200_000 + "\nTCVN 3:2020,C\n"
    csv_rows = list(iter_rows(io.StringIO(csv_text), ".csv", "h.csv"))
    assert [(o, e is None) for o, _, e in csv_rows] == [("h.csv:2", True), ("h.csv:3", False), ("h.csv:4", True)]
    assert csv_rows[2][1]["number"] == "TCVN 3:2020"
