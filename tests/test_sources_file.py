"""File imports read row by row: numbers normalised, every problem listed, bad lines reported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from catalogue.errors import InvalidInput, ValidationError
from indexer.sources.file import FileSource, iter_rows, row_to_standard


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
