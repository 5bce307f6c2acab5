"""The bundled catalogue: real records only, every one with its sources, loadable offline."""

import json
from collections import Counter
from pathlib import Path

import pytest

from catalogue.bundle import DATA_DIR, bundled_standards, seed
from catalogue.identifiers import parse
from catalogue.model import validate
from catalogue.store.database import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def records() -> list:
    return list(bundled_standards())


def test_counts(records: list) -> None:
    kinds = Counter(r.kind for r in records)
    assert kinds["QCVN"] == 488
    assert 650 <= kinds["TCVN"] <= 750
    ics = (DATA_DIR / "ics.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(ics) == 1381


def test_numbers_are_unique_by_normalised_key(records: list) -> None:
    keys = [parse(r.number).key for r in records]
    assert len(keys) == len(set(keys))


def test_every_record_is_valid_and_has_a_source(records: list) -> None:
    for r in records:
        assert validate(r, require_title=False) == [], r.number
        assert r.sources, r.number


def test_inferred_statuses_are_labelled_and_consistent(records: list) -> None:
    inferred = [r for r in records if r.status_basis == "inferred"]
    assert inferred
    by_edition: dict[str, list] = {}
    for r in inferred:
        by_edition.setdefault(parse(r.number).edition_key, []).append(r)
    for group in by_edition.values():
        newest = max(group, key=lambda r: r.year)
        assert newest.status == "active"
        assert all(r.status == "replaced" for r in group if r is not newest)
        assert all(any("presumed" in n for n in r.notes) for r in group)


def test_official_statuses_come_from_the_catalogue_pages(records: list) -> None:
    r = next(r for r in records if r.number == "TCVN 8430:2010")
    assert (r.status, r.status_basis) == ("active", "official")
    assert r.equivalents[0].number.startswith("CODEX STAN 221")
    assert r.equivalents[0].degree == "IDT"


def test_replacement_links_are_symmetric_between_held_records(records: list) -> None:
    by_key = {parse(r.number).key: r for r in records}
    for r in records:
        for newer in r.replaced_by:
            target = by_key.get(parse(newer).key)
            if target is not None:
                assert r.number in target.replaces


def test_no_title_is_invented(records: list) -> None:
    """Lubricant rows give a subject, not a title: it must not become one."""
    r = next(r for r in records if r.number == "TCVN 3171:2011")
    assert r.title_vi is None
    assert r.extra.get("subject_vi") == "Độ nhớt động học"


def test_impossible_source_dates_are_kept_as_notes_not_dates(records: list) -> None:
    flagged = [r for r in records if any("2063" in n for n in r.notes)]
    assert flagged
    assert all("2063" not in (r.decision_date or "") for r in flagged)


def test_seed_is_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    first = seed(store)
    assert first["new"] == store.count()
    assert first["groups"] >= 40
    assert not any(seed(store).values())
    assert len(store.ics()) == 1381


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is only beside a developer checkout")
def test_bundle_is_reproducible_from_shared_data(tmp_path: Path) -> None:
    from catalogue.bundle import build

    build(SHARED, tmp_path)
    for name in ("standards.jsonl", "ics.jsonl"):
        built = [json.loads(line) for line in (tmp_path / name).read_text(encoding="utf-8").splitlines()]
        shipped = [json.loads(line) for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines()]
        assert built == shipped, name
