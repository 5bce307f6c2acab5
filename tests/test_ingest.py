"""Merging records from outside (crawls, imports) into what the store holds."""

from __future__ import annotations

from catalogue.ingest import apply, merge
from catalogue.store.database import Store
from tests.conftest import make_standard


def test_non_empty_incoming_fields_win_and_lists_are_united() -> None:
    held = make_standard(title_en="Fish sauce", ics=["67.120"], notes=["kept"], extra={"a": 1})
    incoming = make_standard(title_vi="Nước mắm (sửa)", title_en=None, ics=["67.220"], extra={"b": 2})
    incoming.sources = [{"ref": "crawl", "kind": "crawl"}]
    merged = merge(held, incoming)
    assert (merged.title_vi, merged.title_en) == ("Nước mắm (sửa)", "Fish sauce")
    assert merged.ics == ["67.120", "67.220"] and merged.notes == ["kept"]
    assert merged.extra == {"a": 1, "b": 2}
    assert [s["ref"] for s in merged.sources] == ["test", "crawl"]


def test_an_unknown_incoming_status_keeps_the_held_one() -> None:
    held = make_standard(status="active", status_basis="official")
    assert merge(held, make_standard()).status == "active"
    assert merge(held, make_standard(status="withdrawn")).status_basis == "stated"


def test_replacement_links_are_kept_on_both_sides(store: Store) -> None:
    store.upsert(make_standard("TCVN 6096:2004", status="active"))
    with store.transaction() as tx:
        assert apply(store, make_standard("TCVN 6096:2010", replaces=["TCVN 6096:2004"]), tx) == "new"
    old = store.get("TCVN 6096:2004")
    assert old.replaced_by == ["TCVN 6096:2010"] and old.status == "replaced"


def test_a_withdrawn_record_named_as_replaced_stays_withdrawn(store: Store) -> None:
    store.upsert(make_standard("TCVN 6096:2004", status="withdrawn", status_basis="official"))
    with store.transaction() as tx:
        apply(store, make_standard("TCVN 6096:2010", replaces=["TCVN 6096:2004"]), tx)
    assert store.get("TCVN 6096:2004").status == "withdrawn"


def test_the_same_record_twice_is_unchanged_and_not_rewritten(store: Store) -> None:
    with store.transaction() as tx:
        apply(store, make_standard(), tx)
    seq = store.seq
    with store.transaction() as tx:
        assert apply(store, make_standard(), tx) == "unchanged"
    assert store.seq == seq
