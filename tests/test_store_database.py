"""The SQLite store: migrations, the standards table, transactions, and the repositories hung off it."""

import sqlite3
import threading

import pytest

from catalogue.errors import NotFound, StoreError, ValidationError
from catalogue.model import Standard
from catalogue.store.database import MIGRATIONS, Store
from tests.conftest import make_standard


def test_a_new_store_is_migrated_and_in_wal_mode(store: Store) -> None:
    assert store.schema_version == len(MIGRATIONS)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_newer_than_the_code_is_refused(tmp_path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError):
        Store(path)


def test_a_file_that_is_not_sqlite_gives_a_clear_error(tmp_path) -> None:
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        Store(path)


def test_upsert_reports_new_changed_unchanged_and_bumps_seq(store: Store) -> None:
    rec = make_standard()
    assert store.upsert(rec) == "new"
    seq = store.seq
    assert store.upsert(rec) == "unchanged"
    assert store.seq == seq
    rec.title_en = "Fish sauce"
    assert store.upsert(rec) == "changed"
    assert store.seq == seq + 1
    got = store.get("tcvn 5107:2003")
    assert got.title_en == "Fish sauce"
    assert got.version == 2


def test_any_spelling_finds_the_record(store: Store) -> None:
    store.upsert(make_standard("QCVN 03:2019/BKHCN", title_vi="An toàn đồ chơi trẻ em"))
    assert store.get("qcvn 3:2019/bkhcn").number == "QCVN 03:2019/BKHCN"
    assert store.get_by_slug("qcvn-03-2019-bkhcn").number == "QCVN 03:2019/BKHCN"
    with pytest.raises(NotFound):
        store.get("QCVN 4:2019/BKHCN")


def test_invalid_records_are_refused_with_every_reason_and_nothing_written(store: Store) -> None:
    bad = make_standard("TCVN 5107:2003", title_vi=None, decision_date="2063-12-30", replaces=["not a number"])
    with pytest.raises(ValidationError) as info:
        store.upsert(bad)
    assert len(info.value.problems) == 3
    assert store.count() == 0


def test_a_batch_with_one_bad_record_writes_nothing(store: Store) -> None:
    good = make_standard("TCVN 1:2008")
    bad = make_standard("TCVN 2:2008", title_vi="")
    with pytest.raises(ValidationError):
        store.upsert_many([good, bad])
    assert store.count() == 0
    assert store.seq == 0


def test_sql_injection_text_is_stored_literally(store: Store) -> None:
    payload = "'); DROP TABLE standards; --"
    store.upsert(make_standard(title_vi=payload))
    assert store.get("TCVN 5107:2003").title_vi == payload
    assert store.count() == 1


def test_changed_since_returns_writes_after_a_watermark(store: Store) -> None:
    store.upsert(make_standard("TCVN 1:2008"))
    mark = store.seq
    store.upsert(make_standard("TCVN 2:2008"))
    assert [r.number for r in store.changed_since(mark)] == ["TCVN 2:2008"]


def test_editions_newest_first(store: Store) -> None:
    store.upsert_many([make_standard("TCVN 6096:2004"), make_standard("TCVN 6096:2010")])
    assert [r.number for r in store.editions("tcvn 6096")] == ["TCVN 6096:2010", "TCVN 6096:2004"]


def test_threads_get_their_own_connection(store: Store) -> None:
    store.upsert(make_standard())
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(store.count())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts == [1, 1, 1, 1]


def test_round_trip_of_every_field(store: Store) -> None:
    rec = make_standard(
        "TCVN 8430:2010",
        title_en="Unripened cheese",
        scope_vi="Phạm vi",
        status="active",
        status_basis="official",
        replaces=["TCVN 1:2000"],
        ics=["67.100.30"],
        equivalents=[{"number": "CODEX STAN 221:2001", "degree": "IDT"}],
        technical_committee="TCVN/TC/F 12",
        decision="2920/QĐ-BKHCN",
        decision_date="2010-10-18",
        pages=12,
        notes=["n"],
        extra={"k": "v"},
    )
    store.upsert(rec)
    got = store.get(rec.number)
    for name in ("title_en", "scope_vi", "status", "replaces", "ics", "equivalents", "decision_date", "pages", "extra"):
        assert getattr(got, name) == getattr(rec, name)
    assert isinstance(got, Standard)


def test_the_repositories_share_the_store(store: Store) -> None:
    for name in ("accounts", "audit", "frontier", "groups"):
        assert getattr(store, name).store is store


def test_a_transaction_rolls_back_on_any_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.upsert(make_standard("TCVN 1:2008"), conn=tx)
        raise RuntimeError("crash")
    assert store.count() == 0
    assert store.seq == 0


def test_reads_inside_a_transaction_see_its_writes(store: Store) -> None:
    with store.transaction() as tx:
        store.upsert(make_standard("TCVN 1:2008"), conn=tx)
        assert store.get("TCVN 1:2008").version == 1


def test_online_backup_is_a_consistent_copy(store: Store, tmp_path) -> None:
    store.upsert_many([make_standard("TCVN 1:2008"), make_standard("TCVN 2:2008")])
    store.backup(tmp_path / "copy.sqlite3")
    copy = Store(tmp_path / "copy.sqlite3")
    assert [r.number for r in copy.all()] == ["TCVN 1:2008", "TCVN 2:2008"]
    assert copy.seq == store.seq
    copy.close()


def test_a_version_4_store_gets_status_reasons_and_the_new_basis_names(tmp_path) -> None:
    import sqlite3

    from catalogue.store.database import _statements

    path = tmp_path / "v4.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:4]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    rows = [
        ("TCVN 1:2001", "replaced", "inferred"),
        ("TCVN 1:2010", "active", "inferred"),
        ("TCVN 2:2001", "active", "source"),
        ("TCVN 3:2001", "unknown", None),
    ]
    for i, (number, status, basis) in enumerate(rows, 1):
        key = number.lower()
        conn.execute(
            "INSERT INTO standards (key, edition_key, slug, kind, year, number, status, status_basis, content_hash,"
            " seq, updated_at) VALUES (?, ?, ?, 'TCVN', 2001, ?, ?, ?, 'x', ?, 't')",
            (key, key.split(":")[0], key.replace(" ", "-").replace(":", "-"), number, status, basis, i),
        )
    conn.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    got = {n: store.get(n) for n, _, _ in rows}
    assert (got["TCVN 1:2001"].status_basis, got["TCVN 1:2001"].status_reason) == (
        "presumed",
        {"rule": "newer-edition-held"},
    )
    assert got["TCVN 1:2010"].status_reason == {"rule": "newest-edition"}
    assert got["TCVN 2:2001"].status_basis == "stated"
    assert got["TCVN 3:2001"].status_basis == "unknown"


def test_a_version_6_store_moves_an_admin_withdrawal_out_of_the_issuing_decision(tmp_path) -> None:
    """The old admin withdraw overwrote ``decision``; migration 7 moves it to ``withdrawn_by`` and takes the
    issuing decision back from the withdraw's audit entry.  Synthetic rows (test numbers, made-up decisions)."""
    import json
    import sqlite3

    from catalogue.store.database import _statements

    path = tmp_path / "v6.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:6]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 6")
    reason = json.dumps({"ref": "99/QĐ-TEST", "kind": "secretariat", "date": "2020-02-02", "by": "synthetic"})
    for i, (number, status, decision, why) in enumerate(
        [
            ("TCVN 1:2001", "withdrawn", "99/QĐ-TEST", reason),  # withdrawn through the old admin form
            ("TCVN 2:2001", "withdrawn", "7/QĐ-TEST", '{"ref": "a crawled page"}'),  # withdrawn per a source
            ("TCVN 3:2001", "active", "8/QĐ-TEST", "{}"),
        ],
        1,
    ):
        key = number.lower()
        conn.execute(
            "INSERT INTO standards (key, edition_key, slug, kind, year, number, status, status_basis, status_reason,"
            " decision, decision_date, content_hash, seq, updated_at)"
            " VALUES (?, ?, ?, 'TCVN', 2001, ?, ?, 'stated', ?, ?, '2020-02-02', 'x', ?, 't')",
            (key, key.split(":")[0], key.replace(" ", "-").replace(":", "-"), number, status, why, decision, i),
        )
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'seq'")
    changes = {"decision": {"from": "5/QĐ-ISSUED", "to": "99/QĐ-TEST"}, "decision_date": {"from": "2001-05-05"}}
    conn.execute(
        "INSERT INTO audit_log(at, user, action, target, changes) VALUES ('2020-02-02T00:00:00+00:00', 'synthetic',"
        " 'withdraw', 'TCVN 1:2001', ?)",
        (json.dumps(changes),),
    )
    conn.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    moved = store.get("TCVN 1:2001")
    assert (moved.withdrawn_by, moved.withdrawn_date) == ("99/QĐ-TEST", "2020-02-02")
    assert (moved.decision, moved.decision_date) == ("5/QĐ-ISSUED", "2001-05-05")
    assert store.seq == 4 and [r.number for r in store.changed_since(3)] == ["TCVN 1:2001"]  # re-indexed
    for number, decision in (("TCVN 2:2001", "7/QĐ-TEST"), ("TCVN 3:2001", "8/QĐ-TEST")):  # left alone
        kept = store.get(number)
        assert (kept.decision, kept.withdrawn_by) == (decision, None)


def test_related_is_the_series_and_the_shared_ics_codes_newest_first(store: Store) -> None:
    store.upsert_many(
        [
            make_standard("TCVN 5699-1:2010", ics=["97.030"]),
            make_standard("TCVN 5699-2-3:2015"),
            make_standard("TCVN 5699-2-9:2008"),
            make_standard("TCVN 5699:2020"),  # no part: not of the series "5699-"
            make_standard("TCVN 56990:2012"),  # another number that starts alike
            make_standard("TCVN 5700:2019"),
            make_standard("TCVN 8000:2018", ics=["13.120", "97.030"]),
            make_standard("TCVN 8001:2011", ics=["97.030.10"]),  # a narrower code is not the same code
            make_standard("QCVN 5699-1:2011/BKHCN"),  # the same digits in the other kind
        ]
    )
    record = store.get("TCVN 5699-1:2010")
    assert [r.number for r in store.related(record)] == ["TCVN 8000:2018", "TCVN 5699-2-3:2015", "TCVN 5699-2-9:2008"]
    assert [r.number for r in store.related(record, limit=2)] == ["TCVN 8000:2018", "TCVN 5699-2-3:2015"]
    assert [r.number for r in store.related(store.get("TCVN 5699-2-9:2008"))] == [
        "TCVN 5699-2-3:2015",
        "TCVN 5699-1:2010",
    ]
    assert store.related(store.get("TCVN 5700:2019")) == []
