"""The numpy view of an index generation: postings without deleted documents, Whoosh's own BM25F scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh.query import Term

from catalogue.search.snapshot import Snapshot
from indexer.index import Index
from tests.conftest import make_standard

RECORDS = [
    make_standard("TCVN 5107:2003", title_vi="Nước mắm", ics=["67.120.30"]),
    make_standard("TCVN 12605:2019", title_vi="Mật ong", ics=["67.180"]),
    make_standard("TCVN 5699-1:2010", title_vi="Thiết bị điện gia dụng an toàn", ics=["13.120"]),
    make_standard("QCVN 02:2019/BKHCN", title_vi="Nước uống đóng chai an toàn", ics=["67.160.20"]),
    make_standard("TCVN 6096:2010", title_vi="Nước uống đóng chai", ics=["67.160.20"]),
]


@pytest.fixture
def index(tmp_path: Path):
    ix = Index(tmp_path / "index")
    ix.rebuild(RECORDS, 5)
    yield ix
    ix.close()


def _numbers(snap: Snapshot, docnums: np.ndarray) -> set[str]:
    return {snap.stored(int(d))["number"] for d in docnums}


def test_postings_list_the_documents_of_a_term(index: Index) -> None:
    snap = Snapshot(index.searcher())
    assert _numbers(snap, snap.docs("title_f", "nuoc")) == {"TCVN 5107:2003", "QCVN 02:2019/BKHCN", "TCVN 6096:2010"}
    assert snap.docs("title_f", "khongco").size == 0


def test_scores_are_whooshs_bm25f(index: Index) -> None:
    searcher = index.searcher()
    snap = Snapshot(searcher)
    docnums, scores = snap.bm25("title_f", "nuoc")
    ours = {int(d): float(s) for d, s in zip(docnums, scores, strict=True)}
    theirs = {hit.docnum: hit.score for hit in searcher.search(Term("title_f", "nuoc"), limit=None)}
    assert ours.keys() == theirs.keys()
    for docnum, score in theirs.items():
        assert ours[docnum] == pytest.approx(score, rel=1e-4)


def test_deleted_documents_are_left_out(index: Index) -> None:
    index.update([make_standard("TCVN 5107:2003", title_vi="Nước chấm")], 6)  # the old document is deleted
    snap = Snapshot(index.searcher())
    assert "TCVN 5107:2003" not in _numbers(snap, snap.docs("title_f", "mam"))
    assert "TCVN 5107:2003" in _numbers(snap, snap.docs("title_f", "cham"))
    assert int(snap.alive.sum()) == snap.doc_count == len(RECORDS)


def test_columns_and_ics_fields_are_masks(index: Index) -> None:
    snap = Snapshot(index.searcher())
    qcvn = snap.mask("kind", "QCVN")
    assert _numbers(snap, np.flatnonzero(qcvn)) == {"QCVN 02:2019/BKHCN"}
    assert not snap.mask("kind", "ISO").any()
    assert _numbers(snap, np.flatnonzero(snap.ics_masks["67"])) == {
        "TCVN 5107:2003",
        "TCVN 12605:2019",
        "QCVN 02:2019/BKHCN",
        "TCVN 6096:2010",
    }
    assert sorted(set(snap.year.tolist())) == [2003, 2010, 2019]


def test_the_spelling_map_keeps_the_accented_form(index: Index) -> None:
    snap = Snapshot(index.searcher())
    assert snap.spelling["nuoc"][1] == "nước"


def test_the_posting_cache_is_bounded(index: Index) -> None:
    snap = Snapshot(index.searcher(), cache_terms=2, preload_fraction=1.0)
    for term in ("nuoc", "mam", "ong", "an"):
        snap.postings("title_f", term)
    assert len(snap._cache) == 2
    assert _numbers(snap, snap.docs("title_f", "nuoc"))  # evicted terms are read again, same answer
