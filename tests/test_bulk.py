"""The bulk writer's segments equal Whoosh's own writer's, term by term and block by block."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from indexer import bulk
from indexer.index import document, make_schema
from tests.conftest import make_standard

TITLES = [
    "Nước mắm - Yêu cầu kỹ thuật",
    "Ống nhựa PVC-U dùng cấp nước: Phương pháp thử áp suất",
    "Quy chuẩn kỹ thuật quốc gia về an toàn thang máy",
    "Thép cốt bê tông. Phần 2: Thép thanh vằn",
    "Xi măng poóc lăng - Phương pháp xác định độ bền ĐỘ BỀN uốn và nén",
    "Gạo trắng",
]


def _records(n: int) -> list:
    out = []
    for i in range(n):
        out.append(
            make_standard(
                f"TCVN {6000 + i}:{1995 + i % 30}" if i % 6 else f"QCVN {i}:{2010 + i % 10}/BCT",
                title_vi=f"{TITLES[i % len(TITLES)]} {'loại ' + str(i) if i % 2 else ''}".strip(),
                title_en="Fish sauce - Specification" if i % 3 == 0 else None,
                scope_vi=(f"Tiêu chuẩn này áp dụng cho {TITLES[(i * 5) % len(TITLES)].lower()} " * (1 + i % 4))
                if i % 2
                else None,
                status=["active", "withdrawn", "replaced", "unknown"][i % 4],
                ics=[["67.120.10"], ["91.100.10", "23.040.20"], [], ["67.060"]][i % 4],
                replaced_by=[f"TCVN {6000 + i}:2024"] if i % 7 == 0 else [],
            )
        )
    return out


def _build(path: Path, records: list, *, bulk_procs: int | None) -> object:
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), make_schema())
    if bulk_procs is None:  # Whoosh's own writer, the reference
        writer = ix.writer()
        for r in records:
            writer.add_document(**document(r))
        writer.commit()
    else:
        assert bulk.write(ix, records, document, procs=bulk_procs) == len(records)
    return whoosh_index.open_dir(str(path))


def _blocks(matcher) -> list[tuple]:
    out = []
    if not hasattr(matcher, "_blocklength"):  # inlined postings
        return out
    while matcher.is_active():
        out.append((matcher._blocklength, matcher._maxid, matcher._maxweight, matcher._minlength, matcher._maxlength))
        matcher._next_block()
    return out


def _view(ix, blocks: bool) -> dict:
    """Everything a reader can tell about an index."""
    with ix.searcher() as s:
        r = s.reader()
        out: dict = {"count": r.doc_count_all(), "stored": [r.stored_fields(d) for d in range(r.doc_count_all())]}
        for name, field in ix.schema.items():
            out[f"length:{name}"] = r.field_length(name)
            out[f"lengths:{name}"] = [r.doc_field_length(d, name) for d in range(r.doc_count_all())]
            if field.column_type:
                out[f"column:{name}"] = list(r.column_reader(name))
            if not field.indexed:
                continue
            for term in r.lexicon(name):
                info = r.term_info(name, term)
                m = r.postings(name, term)
                key = f"{name}:{term!r}"
                out[key] = (
                    info.doc_frequency(),
                    round(info.weight(), 3),
                    info.min_length(),
                    info.max_length(),
                    info.max_weight(),
                    _postings(m),
                )
                if blocks:
                    out[key + ":blocks"] = _blocks(r.postings(name, term))
        return out


def _postings(matcher) -> list:
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return out


def test_the_bulk_segment_equals_whooshs(tmp_path: Path) -> None:
    records = _records(400)  # some posting lists span several 128-posting blocks
    want = _view(_build(tmp_path / "whoosh", records, bulk_procs=None), blocks=True)
    got = _view(_build(tmp_path / "bulk", records, bulk_procs=1), blocks=True)
    assert got.keys() == want.keys()
    different = [k for k in want if got[k] != want[k]]
    assert not different, different[:5]
    assert any(len(v) > 1 for k, v in want.items() if k.endswith(":blocks"))


def test_only_blocks_of_many_postings_are_compressed(tmp_path: Path) -> None:
    ix = _build(tmp_path / "bulk", _records(400), bulk_procs=1)
    seen: dict[bool, set[int]] = {True: set(), False: set()}
    with ix.searcher() as s:
        r = s.reader()
        for term in r.lexicon("title_f"):
            m = r.postings("title_f", term)
            while hasattr(m, "_blocklength") and m.is_active():
                seen[m._blocklength >= bulk.COMPRESS_FROM].add(m._compression)
                m._next_block()
    assert seen == {True: {3}, False: {0}}


def test_parallel_bulk_keeps_the_records_order_and_content(tmp_path: Path) -> None:
    records = _records(300)
    want = _view(_build(tmp_path / "whoosh", records, bulk_procs=None), blocks=False)
    ix = _build(tmp_path / "bulk2", records, bulk_procs=2)
    with ix.searcher() as s:
        assert len(s.reader().leaf_readers()) == 2  # one segment per process
    got = _view(ix, blocks=False)
    different = [k for k in want if got.get(k) != want[k]]
    assert not different, different[:5]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("aàáạảãâầấăằđêếôơớưừ ĐÂ-.:,1x_Ỹỹ\u0301\u0300"), max_size=40))
def test_fast_analysis_gives_the_analysers_terms(text: str) -> None:
    schema = make_schema()
    for name in ("title", "title_f", "title_c", "title_bi", "body_f", "key", "kind", "edition"):
        field = schema[name]
        fast = bulk.fast_items(field)
        assert fast is not None, name
        assert sorted(fast(text)) == sorted(field.index(text)), (name, text)
    assert bulk.fast_items(schema["title_en"]) is None  # English stemming: Whoosh's own analyser


def test_a_failing_record_commits_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), make_schema())

    def broken(record):
        if record.number.startswith("TCVN 6005"):
            raise ValueError("bad record")
        return document(record)

    with pytest.raises(ValueError):
        bulk.write(ix, _records(20), broken)
    assert whoosh_index.open_dir(str(path)).doc_count() == 0
