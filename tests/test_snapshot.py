"""Snapshots composed from segments equal Whoosh's own view, and an edit reads only what changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from catalogue.search import snapshot as snapshot_module
from catalogue.search.segments import SegmentArrays, read_postings
from catalogue.search.snapshot import Snapshot
from indexer.index import Index
from tests.conftest import make_standard

N = 300  # enough for posting lists of several 128-posting blocks
WORDS = ["nước mắm", "ống nhựa", "xi măng", "thép", "mật ong", "phương pháp thử", "Rice", "Cement"]


def _records(n: int) -> list:
    out = []
    for i in range(n):
        out.append(
            make_standard(
                f"TCVN {5000 + i}:{2000 + i % 20}" if i % 5 else f"QCVN {i}:{2010 + i % 10}/BYT",
                title_vi=f"{WORDS[i % len(WORDS)]} loại {i} - {WORDS[(i * 3) % len(WORDS)]}",
                title_en=WORDS[i % len(WORDS)] if i % 3 == 0 else None,
                scope_vi=f"Tiêu chuẩn này áp dụng cho {WORDS[(i * 7) % len(WORDS)]}" if i % 2 else None,
                status=["active", "withdrawn", "replaced", "unknown"][i % 4],
                ics=[["67.120.10"], ["91.100.10", "23.040.20"], [], ["67.060"]][i % 4],
            )
        )
    return out


@pytest.fixture
def index(tmp_path: Path) -> Index:
    ix = Index(tmp_path / "index")
    ix.rebuild(iter(_records(N)), N)
    return ix


def _edit(index: Index, records: list, at: int, seq: int) -> None:
    changed = dataclasses.replace(records[at], title_vi=f"{records[at].title_vi} sửa đổi", status="active")
    index.update([changed, make_standard(f"TCVN 9{seq:04d}:2024", title_vi=f"Mới thêm {seq}")], seq)


def _expected(searcher) -> dict:
    """Whoosh's own answers, one document at a time."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    alive = np.zeros(size, dtype=bool)
    alive[list(reader.all_doc_ids())] = True
    return {
        "alive": alive,
        "status": [v for v in reader.column_reader("status")],
        "year": [v for v in reader.column_reader("year")],
        "ics_fields": [v for v in reader.column_reader("ics_fields")],
        "title_f": [reader.doc_field_length(d, "title_f") for d in range(size)],
    }


def _check(snap: Snapshot) -> None:
    want = _expected(snap.searcher)
    assert (snap.alive == want["alive"]).all()
    status = [snap.labels["status"][c] for c in snap.codes["status"]]
    assert status == want["status"]
    editions = list(snap.searcher.reader().column_reader("edition"))  # codes group exactly Whoosh's editions
    assert [snap.labels["edition"][c] for c in snap.codes["edition"]] == editions
    assert len(set(zip(snap.codes["edition"].tolist(), editions, strict=True))) == len(set(editions))
    assert snap.year.tolist() == want["year"]
    for d, value in enumerate(want["ics_fields"]):
        got = {snap.ics_fields[c] for c in snap.ics_code[snap.ics_doc == d]}
        assert got == set(filter(None, value.split(",")))
    assert np.array_equal(snap.lengths["title_f"], np.array(want["title_f"], dtype=np.float32), equal_nan=True)
    reader = snap.searcher.reader()
    for field in ("title_f", "body_f", "numkey", "title_en"):
        for term in [t.decode() for t in reader.lexicon(field)]:
            docs, tf = snap.postings(field, term)
            m = reader.postings(field, term)
            want_docs, want_tf = [], []
            while m.is_active():
                if want["alive"][m.id()]:
                    want_docs.append(m.id())
                    want_tf.append(m.weight())
                m.next()
            assert docs.tolist() == want_docs and tf.tolist() == pytest.approx(want_tf), (field, term)


def test_a_fresh_snapshot_equals_whooshs_view(index: Index) -> None:
    _check(Snapshot(index.searcher()))


def test_after_edits_the_composed_snapshot_equals_whooshs_view(index: Index) -> None:
    records = _records(N)
    snap = Snapshot(index.searcher())
    for seq, at in enumerate([3, 40, 3, 77], start=200):
        _edit(index, records, at, seq)
        snap = Snapshot(index.searcher(), snap)
        assert len(snap.leaves) >= 2  # a new segment beside the first, with deletions in it
        _check(snap)


def test_a_successor_maps_only_the_new_segments_editions(index: Index) -> None:
    base = Snapshot(index.searcher())
    big = max(base.segments.values(), key=lambda a: a.size)
    records = _records(N)
    _edit(index, records, 5, 300)
    after = Snapshot(index.searcher(), base)
    assert after._groups["edition"][1][big.key] is base._groups["edition"][1][big.key]  # reused, not re-read
    _check(after)
    fresh = Snapshot(index.searcher())
    same = {}  # the same grouping as a snapshot built from nothing, whatever the codes
    for mine, theirs in zip(after.codes["edition"].tolist(), fresh.codes["edition"].tolist(), strict=True):
        assert same.setdefault(mine, theirs) == theirs
    assert len(set(same.values())) == len(same)


def test_an_edit_reads_only_the_new_segment(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    base = Snapshot(index.searcher())
    big = max(base.segments.values(), key=lambda a: a.size)
    read: list[int] = []
    real = snapshot_module.SegmentArrays

    def counting(reader, *args):
        read.append(reader.doc_count_all())
        return real(reader, *args)

    monkeypatch.setattr(snapshot_module, "SegmentArrays", counting)
    _edit(index, _records(N), 5, 300)
    after = Snapshot(index.searcher(), base)
    assert after.segments[big.key] is big  # shared, not re-read
    assert sum(read) < 10  # the edit's own segment only
    assert after.doc_count == base.doc_count + 1


def test_block_reads_equal_one_posting_at_a_time(index: Index) -> None:
    reader = index.searcher().reader()
    blocks = 0
    for term in [t.decode() for t in reader.lexicon("body_f")]:
        docs, _ = read_postings(reader, "body_f", term)
        m = reader.postings("body_f", term)
        assert docs.tolist() == list(m.all_ids())
        blocks = max(blocks, -(-docs.size // 128))
    assert blocks >= 2
    assert read_postings(reader, "body_f", "khongcotu")[0].size == 0


def test_a_repeated_search_comes_from_the_snapshots_cache_and_equals_a_fresh_one(index: Index) -> None:
    from dataclasses import asdict

    from catalogue.search.searcher import Searcher, SearchRequest

    searcher = Searcher(index)
    first = searcher.search(SearchRequest(q="nuoc mam", limit=5))
    snap = searcher.snapshot()
    assert len(snap.results) == 1
    again = searcher.search(SearchRequest(q="nuoc mam", limit=5))
    assert again is not first and again.to_dict() == first.to_dict() == asdict(first)
    fresh = searcher._search(snap, SearchRequest(q="nuoc mam", limit=5))
    assert fresh.to_dict() == first.to_dict()
    again.hits.clear()  # a caller's copy: the cached result keeps its hits
    assert searcher.search(SearchRequest(q="nuoc mam", limit=5)).to_dict() == first.to_dict()
    snap.results.clear()  # the bench empties it to time full evaluations
    assert len(snap.results) == 0
    assert searcher.search(SearchRequest(q="nuoc mam", limit=5)).to_dict() == first.to_dict()
    _edit(index, _records(N), 0, 400)  # a new snapshot: a new result, not the cached one
    assert searcher.search(SearchRequest(q="mới thêm 400")).hits[0].number == "TCVN 90400:2024"


def test_concurrent_cold_reads_do_not_corrupt_one_another(index: Index) -> None:
    """Whoosh's posting reader seeks a shared file: unguarded, threads read each other's blocks."""
    import sys
    import threading

    searcher = index.searcher()
    reader = searcher.reader()
    terms = [t.decode() for t, info in reader.iter_field("body_f") if info.doc_frequency() > 20] * 200
    want = {t: Snapshot(searcher).postings("body_f", t)[0].tolist() for t in set(terms)}
    arrays = SegmentArrays(reader, cache_terms=0)  # no cache: every call reads the files
    got, errors = {}, []

    def read(k: int) -> None:
        for t in terms[k::8]:
            try:
                got[t] = arrays.postings(reader, "body_f", t)[0].tolist()
            except Exception as exc:  # a corrupted read
                errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=read, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors and got == want


def _tracked_containers(value: object) -> int:
    """How many containers in ``value`` (nested tuples, dicts, lists) the garbage collector still tracks."""
    import gc

    inner = value.values() if isinstance(value, dict) else value if isinstance(value, tuple | list) else ()
    return int(gc.is_tracked(value)) + sum(_tracked_containers(v) for v in inner)


def test_a_snapshot_swapped_out_is_freed_at_once_without_the_garbage_collector(index: Index) -> None:
    import gc
    import weakref

    from catalogue.search.searcher import Searcher, SearchRequest

    searcher = Searcher(index)
    for q in ("nuoc mam", "xi mang loai", "phuong phap thu", "ximang"):  # caches, spellings, typo look-ups in use
        searcher.search(SearchRequest(q=q))
    old = weakref.ref(searcher.snapshot())
    gc.disable()  # only reference counting frees anything now
    try:
        _edit(index, _records(N), 7, 500)
        assert searcher.search(SearchRequest(q="mới thêm 500")).hits[0].number == "TCVN 90500:2024"
        assert old() is None  # no reference cycle kept it (nor its caches) for a full collection to find
    finally:
        gc.enable()


def test_what_a_snapshot_keeps_is_not_walked_by_the_garbage_collector(index: Index) -> None:
    import gc

    from catalogue.search.searcher import Searcher, SearchRequest

    searcher = Searcher(index)
    for q in ("nuoc mam", "xi mang", "phuong phap thu", "ximang", "thép"):
        searcher.search(SearchRequest(q=q))
    snap = searcher.snapshot()
    for _ in range(4):  # the collector stops tracking tuples of atoms (and then their dicts) as it meets them
        gc.collect()
    arrays = max(snap.segments.values(), key=lambda a: a.size)
    assert arrays._deletions and arrays._spelling  # built by the look-ups above
    assert _tracked_containers(arrays._deletions) == 0 and _tracked_containers(arrays._spelling) == 0
    stored = [snap.stored(d) for d in range(5)]
    gc.collect()
    gc.collect()
    assert all(type(v) is not list for f in stored for v in f.values())
    assert sum(_tracked_containers(f) for f in stored) == 0


def test_frequencies_idf_and_stored_fields_kept_per_segment_equal_whooshs(index: Index) -> None:
    """A composed snapshot's document frequencies, BM25 idf and stored fields equal Whoosh's over every
    segment (small ones answer from their term list); the segment both snapshots hold is not asked again."""
    from catalogue.search.segments import doc_frequency

    records = _records(N)
    snap = Snapshot(index.searcher())
    snap.vocabulary.frequency("nuoc")
    big = max(snap.segments.values(), key=lambda a: a.size)
    for seq, at in enumerate([3, 40], start=400):
        _edit(index, records, at, seq)
        snap = Snapshot(index.searcher(), snap)
    assert len(snap.leaves) >= 2 and any(a._terms is not None for a, _, _ in snap.leaves)
    searcher = snap.searcher
    reader = searcher.reader()
    for field in ("title_f", "body_f", "title_en", "title_bi", "title", "numkey"):
        terms = [t.decode() if isinstance(t, bytes) else t for t, _ in reader.iter_field(field)] + ["khongco"]
        for term in terms:
            assert doc_frequency(snap.leaves, field, term) == reader.doc_frequency(field, term), (field, term)
            docnums, scores = snap.bm25(field, term) if field != "numkey" else (np.zeros(0), None)
            if docnums.size:  # scored with Whoosh's own idf for this term
                _, tf = snap.postings(field, term)
                b, k1 = snapshot_module.B, snapshot_module.K1
                norm = k1 * ((1 - b) + b * snap.lengths[field][docnums] / snap.avg_length[field])
                whoosh = (searcher.idf(field, term) * (tf * (k1 + 1)) / (tf + norm)).astype(np.float32)
                assert np.array_equal(scores, whoosh), (field, term)
    assert snap.vocabulary.frequency("nuoc") == max(reader.doc_frequency(f, "nuoc") for f in ("title_f", "body_f"))
    for docnum in range(snap.size):
        expected = {k: tuple(v) if isinstance(v, list) else v for k, v in searcher.stored_fields(docnum).items()}
        assert snap.stored(docnum) == expected
    assert big._frequencies  # the counts the first snapshot read stay with its segment
    assert big.key in snap.segments and snap.segments[big.key] is big


def test_identity_names_what_a_snapshot_reads_in_any_process(index: Index, tmp_path: Path) -> None:
    """Two processes' snapshots of one commit share an identity (catalogue.store.bodies serves one's bodies
    to the other); a commit, even one that only re-indexes, and a rebuild of the same records change it."""
    first = Snapshot(index.searcher())
    other_process = Index(tmp_path / "index")
    assert Snapshot(other_process.searcher()).identity == first.identity
    records = _records(N)
    _edit(index, records, 3, 1)
    edited = Snapshot(index.searcher(), first)
    assert edited.identity != first.identity
    index.update([records[7]], 2)  # another commit: another identity
    again = Snapshot(index.searcher(), edited)
    assert again.identity not in (first.identity, edited.identity)
    rebuilt = Index(tmp_path / "elsewhere")
    rebuilt.rebuild(iter(records), N)
    assert Snapshot(rebuilt.searcher()).identity != first.identity
