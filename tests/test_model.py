"""The Standard record: validation rules and its JSON round trip."""

import json

import pytest

from catalogue.model import STATUSES, YEAR_MAX, YEAR_MIN, Equivalence, Standard, validate
from tests.conftest import make_standard


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "TCVN 5107"),
        ("number", "QCVN 16:2023"),
        ("status", "alive"),
        ("pages", -3),
        ("issue_date", "30-12-2063"),
    ],
)
def test_validation_rules(field: str, value: object) -> None:
    rec = make_standard()
    setattr(rec, field, value)
    assert validate(rec)


def test_a_good_record_has_no_problems() -> None:
    assert validate(make_standard()) == []
    assert validate(make_standard(title_vi=None), require_title=False) == []
    assert validate(make_standard(title_vi=None))  # a title is required unless told otherwise


def test_every_status_is_valid() -> None:
    for status in STATUSES:
        assert validate(make_standard(status=status)) == []


def test_json_round_trip_keeps_every_field() -> None:
    rec = make_standard(
        "TCVN 8430:2010",
        equivalents=[{"number": "CODEX STAN 221:2001", "degree": "IDT"}],
        ics=["67.100.30"],
        notes=["n"],
        extra={"k": "v"},
    )
    again = Standard.from_dict(json.loads(json.dumps(rec.to_dict())))
    assert again == rec
    assert again.equivalents == [Equivalence("CODEX STAN 221:2001", "IDT")]


def test_derived_fields_come_from_the_number() -> None:
    rec = make_standard("QCVN 03:2019/BKHCN")
    assert (rec.kind, rec.year, rec.ministry, rec.slug) == ("QCVN", 2019, "BKHCN", "qcvn-03-2019-bkhcn")
    assert make_standard(title_vi=None).title  # never empty for display


def test_year_bounds_are_ordered() -> None:
    assert YEAR_MIN < YEAR_MAX
