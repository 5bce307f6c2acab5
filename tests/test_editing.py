"""The secretariat's edits: validation, optimistic locking inside the writing transaction, audit, index."""

from __future__ import annotations

import contextlib
import threading

import pytest

from catalogue.editing import Editor
from catalogue.engine import Engine
from catalogue.errors import Conflict, InvalidInput, NotFound, ValidationError
from catalogue.search.searcher import SearchRequest
from tests.conftest import make_standard

OLD, NEW_A, NEW_B = "TCVN 7745:2007", "TCVN 13113:2020", "TCVN 8430:2010"


@pytest.fixture
def editor(writable_engine: Engine) -> Editor:
    return Editor(writable_engine)


def test_create_edit_and_unchanged(editor: Editor) -> None:
    record = make_standard("TCVN 99501:2024", title_vi="Bánh phồng tôm")
    assert editor.save(record, "lan", expected_version=None) == "new"
    stored = editor.store.get("TCVN 99501:2024")
    stored.title_en = "Prawn crackers"
    assert editor.save(stored, "lan", expected_version=stored.version) == "changed"
    again = editor.store.get("TCVN 99501:2024")
    assert editor.save(again, "lan", expected_version=again.version) == "unchanged"
    assert [e["action"] for e in editor.history("TCVN 99501:2024")] == ["edit", "create"]
    assert editor.engine.search(SearchRequest(q="prawn crackers")).hits[0].number == "TCVN 99501:2024"


def test_a_stale_version_is_refused_with_the_difference_and_nothing_written(editor: Editor) -> None:
    mine = editor.store.get(OLD)
    theirs = editor.store.get(OLD)
    theirs.title_en = "Their title"
    editor.save(theirs, "an", expected_version=theirs.version)
    mine.title_en = "My title"
    with pytest.raises(Conflict) as info:
        editor.save(mine, "lan", expected_version=mine.version)
    assert info.value.changes["title_en"] == {"from": "My title", "to": "Their title"}
    assert info.value.status == 409
    assert editor.store.get(OLD).title_en == "Their title"
    assert [e["user"] for e in editor.history(OLD)] == ["an"]


def test_validation_beyond_the_model(editor: Editor) -> None:
    record = make_standard("TCVN 99502:2024", ics=["99.999"], replaces=["TCVN 99999:1999"])
    problems = editor.check(record)
    assert any("99.999" in p for p in problems) and any("TCVN 99999:1999" in p for p in problems)
    with pytest.raises(ValidationError):
        editor.save(record, "lan", expected_version=None)
    with pytest.raises(InvalidInput):  # creating what exists
        editor.save(editor.store.get(OLD), "lan", expected_version=None)
    assert editor.store.audit.count() == 0


def test_withdraw_needs_its_decision_and_keeps_the_issuing_one(editor: Editor) -> None:
    before = editor.store.get(OLD)
    with pytest.raises(InvalidInput):
        editor.withdraw(OLD, "lan", "  ", "2024-01-01", before.version)
    with pytest.raises(ValidationError):  # an impossible date: nothing written
        editor.withdraw(OLD, "lan", "123/QĐ-BKHCN", "2024-13-45", before.version)
    assert editor.store.get(OLD).version == before.version and editor.history(OLD) == []
    editor.withdraw(OLD, "lan", "123/QĐ-BKHCN", "2024-01-01", before.version)
    record = editor.store.get(OLD)
    assert (record.status, record.withdrawn_by, record.withdrawn_date) == ("withdrawn", "123/QĐ-BKHCN", "2024-01-01")
    assert (record.decision, record.decision_date) == (before.decision, before.decision_date)  # the issuing one
    assert record.decision != "123/QĐ-BKHCN"
    entry = editor.history(OLD)[0]
    assert entry["action"] == "withdraw" and entry["changes"]["withdrawn_by"]["to"] == "123/QĐ-BKHCN"
    assert "decision" not in entry["changes"]


def test_replace_links_both_sides_with_an_entry_each(editor: Editor) -> None:
    editor.replace(OLD, NEW_A, "lan", editor.store.get(OLD).version)
    assert NEW_A in editor.store.get(OLD).replaced_by and OLD in editor.store.get(NEW_A).replaces
    assert editor.store.get(OLD).status == "replaced"
    assert {e["target"] for e in editor.history() if e["action"] == "replace"} == {OLD, NEW_A}
    with pytest.raises(InvalidInput):
        editor.replace(OLD, OLD, "lan", editor.store.get(OLD).version)
    with pytest.raises(Conflict):
        editor.replace(OLD, NEW_B, "lan", editor.store.get(OLD).version - 1)


def _gate_transactions(engine: Engine, monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Hold every writer at the door of its transaction until all have arrived: whatever a writer
    checked before its transaction, it checked before any other committed."""
    barrier = threading.Barrier(parties, timeout=20)
    real = engine.store.transaction

    @contextlib.contextmanager
    def gated():
        barrier.wait()
        with real() as tx:
            yield tx

    monkeypatch.setattr(engine.store, "transaction", gated)


def _race(calls: list) -> list[BaseException | None]:
    outcomes: list[BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            calls[i]()
        except BaseException as exc:  # collected, asserted below
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_replace_with_the_same_stale_version_from_two_threads_exactly_one_wins(editor: Editor, monkeypatch) -> None:
    version = editor.store.get(OLD).version
    _gate_transactions(editor.engine, monkeypatch, 2)
    outcomes = _race(
        [lambda: editor.replace(OLD, NEW_A, "lan", version), lambda: editor.replace(OLD, NEW_B, "an", version)]
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"], outcomes
    winner = NEW_A if outcomes[0] is None else NEW_B
    assert editor.store.get(OLD).replaced_by == [winner]
    assert editor.store.get(OLD).version == version + 1
    assert sum(1 for e in editor.history(OLD) if e["action"] == "replace") == 1


def test_save_with_the_same_version_from_two_threads_exactly_one_wins(editor: Editor, monkeypatch) -> None:
    first, second = editor.store.get(NEW_B), editor.store.get(NEW_B)
    first.title_en, second.title_en = "First", "Second"
    _gate_transactions(editor.engine, monkeypatch, 2)
    outcomes = _race(
        [
            lambda: editor.save(first, "lan", expected_version=first.version),
            lambda: editor.save(second, "an", expected_version=second.version),
        ]
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"], outcomes
    assert editor.store.get(NEW_B).title_en == ("First" if outcomes[0] is None else "Second")


def test_accepting_a_quarantined_page_resolves_it_with_the_record(editor: Editor) -> None:
    store = editor.store
    with store.transaction() as tx:
        store.frontier.quarantine(tx, None, "http://x/p", "no title", {}, "2026-01-01T00:00:00+00:00")
    qid = store.frontier.quarantined()[0]["id"]
    with pytest.raises(NotFound):  # no such page: the record is not written either
        editor.accept(make_standard("TCVN 99503:2024", title_vi="Bún"), "lan", qid + 100)
    with pytest.raises(NotFound):
        store.get("TCVN 99503:2024")
    editor.accept(make_standard("TCVN 99503:2024", title_vi="Bún"), "lan", qid)
    assert store.get("TCVN 99503:2024").title_vi == "Bún" and store.frontier.quarantined() == []
    assert editor.history("TCVN 99503:2024")[0]["action"] == "create"  # a new record, as before


def test_group_edits_are_audited_and_locked(editor: Editor) -> None:
    taxonomy = editor.engine.recommender.taxonomy
    group = taxonomy.group("mu-bao-hiem")
    group.synonyms = [*group.synonyms, "nón bảo hiểm xe máy"]
    assert editor.save_group(taxonomy, group, "lan", expected_version=group.version) == "changed"
    (entry,) = [e for e in editor.history() if e["action"] == "edit-group"]
    assert entry["target"] == "mu-bao-hiem" and "nón bảo hiểm xe máy" in entry["changes"]["synonyms"]["to"]
    with pytest.raises(Conflict):
        editor.save_group(taxonomy, group, "an", expected_version=group.version)  # stale now
    assert sum(1 for e in editor.history() if e["action"] == "edit-group") == 1


def test_audit_csv_lists_each_field_change(editor: Editor) -> None:
    record = editor.store.get(NEW_B)
    record.title_en = "Unripened cheese, edited"
    editor.save(record, "lan", expected_version=record.version)
    text = editor.audit_csv()
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    lines = text[1:].splitlines()
    assert lines[0] == "id,at,user,action,target,field,from,to"
    assert any("title_en" in line and "edited" in line for line in lines[1:])
