"""The audit log as people read it: labels, readable values, local times, filters."""

from __future__ import annotations

from catalogue.auditlog import ACTIONS, AuditFilter, action_label, local_time, readable


def test_actions_have_labels_in_both_languages_and_unknown_ones_show_their_code() -> None:
    assert action_label("withdraw", "vi") == "Hủy bỏ" and action_label("withdraw", "en") == "Withdrawn"
    assert all(vi and en and vi != en for vi, en in ACTIONS.values())
    assert action_label("something-new", "en") == "something-new"


def test_values_read_without_python_syntax() -> None:
    assert readable(None) == "" and readable([]) == ""
    assert readable(["TCVN 1:2008", "TCVN 2:2008"]) == "TCVN 1:2008; TCVN 2:2008"
    assert readable([{"number": "ISO 1:2000", "degree": "IDT"}]) == "ISO 1:2000 (IDT)"
    assert readable({"ref": "x", "kind": "import", "quote": None}) == "ref: x, kind: import"
    for text in (readable([None, "a"]), readable({"a": ["b"]})):
        assert "None" not in text and "[" not in text and "'" not in text


def test_times_are_local_with_the_zone_named() -> None:
    assert local_time("2026-01-01T20:30:00+00:00") == "2026-01-02 03:30 (Asia/Ho_Chi_Minh)"
    assert local_time(None) == "" and local_time("not a time") == "not a time"


def test_a_filter_turns_local_days_into_utc_bounds_and_reports_bad_dates() -> None:
    chosen = AuditFilter.from_query({"since": "2026-01-02", "until": "2026-01-02", "user": " alice "})
    assert chosen.bounds() == ("2026-01-01T17:00:00+00:00", "2026-01-02T17:00:00+00:00")
    assert chosen.user == "alice" and chosen.active and chosen.problems == []
    bad = AuditFilter.from_query({"since": "yesterday"})
    assert bad.bounds() == (None, None) and bad.problems
    assert not AuditFilter.from_query({}).active
