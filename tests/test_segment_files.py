"""indexer.segment_files: Whoosh's compound segments read in place, not copied."""

from __future__ import annotations

import io
import pickle

from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

import indexer.index  # noqa: F401  (installs ViewFile, as the project does)
from indexer.segment_files import MemoryReader, ViewFile


def test_a_view_file_reads_its_buffer_in_place() -> None:
    buf = bytearray(b"abcdefgh")
    f = ViewFile(memoryview(buf))
    buf[0:3] = b"XYZ"  # a copy would not see this
    assert bytes(f.get(0, 3)) == b"XYZ"
    assert f.read(4) == b"XYZd"


@given(st.binary(max_size=300), st.lists(st.tuples(st.sampled_from("rlspi"), st.integers(-5, 320)), max_size=20))
def test_memory_reader_reads_as_bytesio_does(data: bytes, ops: list[tuple[str, int]]) -> None:
    ours, theirs = MemoryReader(memoryview(data)), io.BytesIO(data)
    for op, n in ops:
        if op == "r":
            assert ours.read(n) == theirs.read(n)
        elif op == "l":
            assert ours.readline(n) == theirs.readline(n)
        elif op == "i":
            mine, yours = bytearray(max(n, 0)), bytearray(max(n, 0))
            assert ours.readinto(mine) == theirs.readinto(yours) and mine == yours
        elif op == "p":  # ahead, without moving: a prefix of what is left
            left = theirs.getvalue()[theirs.tell() :]
            peeked = ours.peek(n)
            assert left.startswith(peeked) and (peeked or not left)
        else:
            assert ours.seek(max(n, 0)) == theirs.seek(max(n, 0))
        assert ours.tell() == theirs.tell()


def test_pickles_load_from_a_view_file() -> None:
    f = ViewFile(memoryview(pickle.dumps({"a": [1, 2]}) + b"rest"))
    assert f.read_pickle() == {"a": [1, 2]}
    assert f.read() == b"rest"


def test_an_index_opened_after_commits_reads_its_segments_through_views(tmp_path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), Schema(key=ID(stored=True, unique=True), body=TEXT(stored=True)))
    for i in range(3):  # three commits, three compound segments
        with ix.writer() as w:
            w.add_document(key=f"k{i}", body=f"xi măng {i} cát")
    with ix.searcher() as s:
        leaves = [r for r, _ in s.reader().leaf_readers()]
        assert len(leaves) == 3 and all(isinstance(r._terms._dbfile, ViewFile) for r in leaves)
        assert sorted(d["key"] for d in s.documents()) == ["k0", "k1", "k2"]
        assert s.doc_frequency("body", "cát") == 3
