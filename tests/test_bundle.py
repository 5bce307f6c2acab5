"""The bundled catalogue: real records only, every one with its sources, loadable offline."""

import json
from collections import Counter
from pathlib import Path

import pytest

from catalogue.bundle.parts import expand, parts_in_note
from catalogue.identifiers import parse
from catalogue.model import validate
from catalogue.seed import DATA_DIR, bundled_references, bundled_standards, seed
from catalogue.store.database import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def records() -> list:
    return list(bundled_standards())


@pytest.fixture(scope="module")
def by_number(records: list) -> dict:
    return {r.number: r for r in records}


def test_counts(records: list) -> None:
    kinds = Counter(r.kind for r in records)
    assert 550 <= kinds["QCVN"] <= 600  # 488 before the 2026-12-01 files, plus construction regulations
    assert 1400 <= kinds["TCVN"] <= 1550  # about 714 before, plus lists and citations
    ics = (DATA_DIR / "ics.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(ics) == 1381


def test_numbers_are_unique_by_normalised_key(records: list) -> None:
    keys = [parse(r.number).key for r in records]
    assert len(keys) == len(set(keys))


def test_every_record_is_valid_and_has_a_source(records: list) -> None:
    for r in records:
        assert validate(r, require_title=False) == [], r.number
        assert r.sources, r.number


def test_new_records_are_merged_keeping_every_source(by_number: dict) -> None:
    # in the metro list and in the public630 construction table: one record, both sources
    r = by_number["TCVN 9398:2012"]
    files = {s["file"] for s in r.sources}
    assert {"tcvn_list_bxd_metro_2026.jsonl"} <= files
    assert r.extra["lists"][0]["section"] == "I.1 Khảo sát, đo đạc"
    cited = by_number["TCVN 10357-1:2014"]  # only cited in a legal Q&A article
    assert cited.sources[0]["kind"] == "citation" and cited.equivalents[0].number == "ISO 9444-1:2009"


def test_multi_part_rows_are_expanded_only_as_stated(by_number: dict) -> None:
    assert parts_in_note("các phần 1-6") == ["1", "2", "3", "4", "5", "6"]
    assert parts_in_note("các phần: từ 1 đến 3, 25") == ["1", "2", "3", "25"]
    assert parts_in_note("các phần lẻ") == []
    assert [n for n, _, _ in expand("TCVN 9386:2025", "Thiết kế: Phần 1: A, Phần 5: B", "các phần 1, 5")] == [
        "TCVN 9386-1:2025",
        "TCVN 9386-5:2025",
    ]
    assert expand("TCVN 13695-1", "đến 10:2023 (BS EN 13146-1 đến 10:2019 ...", None) is None
    assert expand("TCVN 7572", "Cốt liệu: Phần 1: Lấy mẫu", "các phần từ 1 đến 22") is None  # no year
    part = by_number["TCVN 13566-6:2022"]
    assert part.title_vi.endswith("Phần 6: Thiết kế")
    assert {"code": "expanded_from_row", "printed": "TCVN 13566:2022"} in part.extra["remarks"]
    assert "TCVN 13566:2022" not in by_number  # the cell names parts, not a whole standard
    partial = by_number["TCVN 6284-3:1997"]  # the note lists the parts; the cell gives the series title only
    assert partial.title_vi == "Thép cốt bê tông dự ứng lực" and {"code": "title_partial"} in partial.extra["remarks"]


def test_historic_codes_low_trust_rows_and_untitled_citations_are_references_not_records(by_number: dict) -> None:
    refs = {r["number"]: r for r in bundled_references()}
    assert not any(n.startswith("TCXD") for n in by_number)
    assert refs["TCXDVN 263:2002"]["why"] == "historic"
    assert by_number["TCVN 9208:2012"].extra["historic"] == [
        {"number": "TCXDVN 263:2002", "relation": "replaces", "title_vi": refs["TCXDVN 263:2002"]["title_vi"]}
    ]
    assert refs["QCVN 01:2026/BXD"]["why"] == "to_confirm" and "QCVN 01:2026/BXD" not in by_number
    assert refs["TCVN 9835:2012"]["why"] == "to_confirm"  # NUMBER_SUSPECT
    assert refs["QCVN 31:2014/BGTVT"]["why"] == "cited" and "QCVN 31:2014/BGTVT" not in by_number
    assert all(r["sources"] for r in refs.values())


def test_the_draft_qcvn_is_never_in_force(by_number: dict) -> None:
    draft = by_number["QCVN 32:2026/BXD"]
    assert (draft.status, draft.status_basis) == ("draft", "stated")
    assert "/2026/TT-BXD" in draft.status_reason["said"]


def test_fields_and_facts_are_applied_with_their_sources(by_number: dict) -> None:
    r = by_number["QCVN 18:2021/BXD"]
    assert r.decision == "16/2021/TT-BXD"
    assert any(s.get("field") == "issuing_instrument" and s.get("quote") for s in r.sources)
    assert by_number["TCVN 5574:2018"].title_en == "Design of concrete and reinforced concrete structures"
    conflict = by_number["QCVN 01:2020/BCT"]
    assert conflict.title_vi is None  # two cited titles disagree: both kept, neither chosen
    assert {
        "code": "title_conflict",
        "titles": [
            "Quy chuẩn kỹ thuật quốc gia về An toàn điện",
            "Quy chuẩn kỹ thuật quốc gia về Yêu cầu thiết kế cửa hàng xăng dầu",
        ],
    } in conflict.extra["remarks"]
    assert by_number["TCVN 5738:2021"].title_vi == "Phòng cháy chữa cháy - hệ thống báo cháy tự động - yêu cầu kỹ thuật"
    low = by_number["TCVN 7336:2021"]  # a replacement from a repository note is kept for the secretariat only
    assert low.replaces == [] and low.extra["unconfirmed"][0]["other"] == "TCVN 7336:2003"


def test_official_statuses_come_from_the_catalogue_pages(by_number: dict) -> None:
    r = by_number["TCVN 8430:2010"]
    assert (r.status, r.status_basis) == ("active", "official")
    assert r.status_reason["ref"].startswith("https://tieuchuan.vsqi.gov.vn/")
    assert r.equivalents[0].number.startswith("CODEX STAN 221")
    assert r.equivalents[0].degree == "IDT"


def test_replacement_links_are_symmetric_between_held_records(records: list) -> None:
    by_key = {parse(r.number).key: r for r in records}
    for r in records:
        for newer in r.replaced_by:
            target = by_key.get(parse(newer).key)
            if target is not None:
                assert r.number in target.replaces


def test_no_title_is_invented(by_number: dict) -> None:
    """Lubricant rows give a subject, not a title: it must not become one."""
    r = by_number["TCVN 3171:2011"]
    assert r.title_vi is None
    assert r.extra.get("subject_vi") == "Độ nhớt động học"


def test_impossible_source_dates_are_kept_as_remarks_not_dates(records: list) -> None:
    flagged = [r for r in records if any("2063" in str(m.get("value")) for m in r.extra.get("remarks", []))]
    assert flagged
    assert all("2063" not in (r.decision_date or "") for r in flagged)


def test_seed_is_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    first = seed(store)
    assert first["new"] == store.count()
    assert first["groups"] >= 40
    assert not any(seed(store).values())
    assert len(store.ics()) == 1381


def test_a_newer_bundle_adds_records_and_keeps_edited_ones(tmp_path: Path) -> None:
    """A store seeded from an older bundle takes the new records; secretariat edits stay."""
    old = tmp_path / "old"
    old.mkdir()
    for name in ("ics.jsonl", "hs.jsonl", "product_regulations.jsonl"):
        (old / name).write_bytes((DATA_DIR / name).read_bytes())
    (old / "product_groups.json").write_text('{"groups": []}', encoding="utf-8")
    lines = (DATA_DIR / "standards.jsonl").read_text(encoding="utf-8").splitlines()
    (old / "standards.jsonl").write_text("\n".join(lines[:100]) + "\n", encoding="utf-8")
    store = Store(tmp_path / "s.sqlite3")
    seed(store, old)
    edited = next(store.all())
    edited.title_en = "Edited by the secretariat"
    store.upsert(edited, require_title=False)
    store._conn().execute(
        "INSERT INTO audit_log(at, user, action, target, changes) VALUES ('t', 'ann', 'edit', ?, '{}')",
        (edited.number,),
    )
    counts = seed(store)
    assert counts["new"] == len(lines) - 100
    assert store.count() == len(lines)
    assert store.get(edited.number).title_en == "Edited by the secretariat"
    assert counts["kept"] == 1


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is only beside a developer checkout")
def test_bundle_is_reproducible_from_shared_data(tmp_path: Path) -> None:
    from catalogue.bundle import build

    report = build(SHARED, tmp_path)
    for name in ("standards.jsonl", "references.jsonl", "ics.jsonl", "hs.jsonl", "product_regulations.jsonl"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name
    assert report["basis_after"]["unknown"] < report["tcvn"] + report["qcvn"] // 2
    assert json.loads(json.dumps(report["basis_after"]))["official"] == 29
