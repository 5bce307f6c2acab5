"""A record as people read it: status basis, sources in words, remarks and notes, from real bundled records."""

from __future__ import annotations

import dataclasses

from catalogue.seed import bundled_standards
from catalogue.web import present

BY_NUMBER = {r.number: r for r in bundled_standards()}


def test_an_untitled_record_says_what_confirms_its_number() -> None:
    assert (
        present.untitled("decision|vsqi.gov.vn", "vi")
        == "chưa có tên — số hiệu do quyết định công bố (vsqi.gov.vn) xác nhận"
    )
    assert present.untitled("legal_text|", "en") == "untitled — number confirmed by legal text"
    assert present.untitled(None, "en") == "untitled"


def test_the_basis_sentence_follows_the_status_basis() -> None:
    assert present.basis_text(BY_NUMBER["TCVN 11041-6:2018"], "en") == "According to the official catalogue page."
    stated = BY_NUMBER["QCVN 104:2019/BGTVT"]
    text = present.basis_text(stated, "en")
    assert text.startswith("According to legal text (GitHub diepxuan/diepxuan.github.io): “Thông tư số 24/2019")
    assert text.endswith("(from 2022-11-28)") and "fbaa690" not in text
    long = dataclasses.replace(stated, status_reason={**stated.status_reason, "quote": "x" * 1000})
    assert "x" * present.MAX_QUOTE + "”" in present.basis_text(long, "vi")
    assert "x" * (present.MAX_QUOTE + 1) not in present.basis_text(long, "vi")
    presumed = present.basis_text(BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], "vi")
    assert presumed.startswith("Suy đoán") and "Bộ pháp điển" in presumed
    assert present.basis_text(BY_NUMBER["QCVN 05A:2020/BCT"], "en") == "No source tells its status yet."


def test_sources_are_listed_once_each_most_trusted_first_without_paths() -> None:
    record = BY_NUMBER["QCVN 104:2019/BGTVT"]  # two commits of one repository: one source to a reader
    shown = present.sources(record, "en")
    keys = [(s["kind"], s["name"], s["url"]) for s in shown]
    assert len(keys) == len(set(keys))
    assert shown[0]["kind_text"] == "legal text" and shown[0]["trust_text"] == "official"
    assert ".md" not in str(shown) and "@" not in str(shown)
    mixed = dataclasses.replace(record, sources=[{"kind": "citation", "ref": "https://a.example/x"}, *record.sources])
    assert present.sources(mixed, "en")[0]["trust"] == "official"


def test_remarks_hide_the_curators_status_wording_and_add_citation_only() -> None:
    assert present.remarks(BY_NUMBER["QCVN 11:2026/BCA"], "en") == []  # status_in_source: JSON only
    assert present.remarks(BY_NUMBER["QCVN 10:2024/BXD"], "en")  # effective_date_front_matter is worded
    cited = present.remarks(BY_NUMBER["QCVN 05A:2020/BCT"], "vi")
    assert cited[-1].startswith("Chỉ biết qua trích dẫn")
    odd = dataclasses.replace(BY_NUMBER["QCVN 10:2024/BXD"], extra={"remarks": [{"code": "date_shown"}]})
    assert present.remarks(odd, "en") == []  # a remark missing its parameters is left out, never an error
    noted = dataclasses.replace(odd, notes=["Đã kiểm tra / Checked", "chỉ một ngôn ngữ"])
    assert present.notes(noted, "en") == ["Checked", "chỉ một ngôn ngữ"]
    assert present.notes(noted, "vi") == ["Đã kiểm tra", "chỉ một ngôn ngữ"]
