"""Building a fresh index fast: the same Whoosh segments, without Whoosh's per-posting machinery.

Why: Whoosh's writer analyses each field through a chain of Python generators,
puts every posting through a sorting pool (pickled to temp files), then reads
each posting's field length back from disk while writing it: about 60 records/s
at 50,000 records.  :class:`BulkWriter` counts terms directly with the analysers'
own functions, keeps each term's postings in memory and writes them block by
block at commit.

Contracts:

* The segments are Whoosh's (same codec, files, terms, postings, weights, block
  statistics, stored fields, columns and lengths) as :class:`SegmentWriter`
  writes them; ``tests/test_bulk.py`` compares them term by term.
* A field whose analyser is not one of :mod:`indexer.analysis`'s Vietnamese chains
  (English stemming, keywords, ids) is analysed by Whoosh itself.
* :func:`write` fills an empty index: one segment per process, records in their
  given order (segment after segment), committed once.  Any failure cancels the
  whole build and re-raises; nothing is committed.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from whoosh.analysis import CompositeAnalyzer, IDTokenizer, LowercaseFilter
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from catalogue.text import _WORD, fold, normalize
from indexer.analysis import BigramFilter, CompoundTokenizer, FoldFilter, SyllableTokenizer, compounds

__all__ = ["BulkWriter", "write"]

Items = list[tuple[bytes, int, float, bytes]]
COMPRESS_FROM = 16  # postings in a block; below it the block is stored uncompressed
_PACKED = [pack_uint(n) for n in range(256)]


@functools.lru_cache(maxsize=8)  # a title is analysed for four fields in a row
def _words(value: str) -> tuple[str, ...]:
    """What ``SyllableTokenizer() | LowercaseFilter()`` yields for ``value``."""
    return tuple(w.lower() for w in _WORD.findall(normalize(value)))


_FOLDED: dict[str, str] = {}


@functools.lru_cache(maxsize=8)
def _folded(value: str) -> tuple[str, ...]:
    """... then ``| FoldFilter()``."""
    if len(_FOLDED) > 500_000:
        _FOLDED.clear()
    out = []
    for w in _words(value):
        f = _FOLDED.get(w)
        if f is None:
            f = _FOLDED[w] = fold(w)
        out.append(f)
    return tuple(out)


def _bigrams(value: str) -> list[str]:
    """... then ``| BigramFilter()``."""
    return [f"{a}_{b}" for a, b in itertools.pairwise(_folded(value))]


def _compounds(value: str) -> list[str]:
    """What ``CompoundTokenizer() | LowercaseFilter()`` yields."""
    return [w.lower() for w in compounds(value)]


_CHAINS: dict[tuple[type, ...], Callable[[str], Sequence[str]]] = {
    (SyllableTokenizer, LowercaseFilter): _words,
    (SyllableTokenizer, LowercaseFilter, FoldFilter): _folded,
    (SyllableTokenizer, LowercaseFilter, FoldFilter, BigramFilter): _bigrams,
    (CompoundTokenizer, LowercaseFilter): _compounds,
}


def _counted(tokens: Callable[[str], Sequence[str]]) -> Callable[[str], Items]:
    """``Frequency.word_values`` as ``FieldType.index`` returns it: (bytes, freq, weight, packed freq)."""

    def items(value: str) -> Items:
        return [
            (w.encode("utf-8"), n, float(n), _PACKED[n] if n < 256 else pack_uint(n))
            for w, n in Counter(tokens(value)).items()
        ]

    return items


def _identifier(value: str) -> Items:
    """``ID`` fields: the whole value, one term, no frequency (``Existence``)."""
    return [(value.encode("utf-8"), 1, 1.0, b"")]


def fast_items(field: Any) -> Callable[[str], Items] | None:
    """A function giving ``field.index(value)``'s items for a string, when we can shortcut its analyser."""
    analyzer = getattr(field, "analyzer", None)
    fmt = getattr(field, "format", None)
    if type(analyzer) is IDTokenizer and type(fmt) is Existence and fmt.field_boost == 1.0:
        return _identifier
    if not isinstance(analyzer, CompositeAnalyzer) or type(fmt) is not Frequency or fmt.field_boost != 1.0:
        return None
    chain = _CHAINS.get(tuple(type(item) for item in analyzer.items))
    return _counted(chain) if chain is not None else None


class BulkWriter(SegmentWriter):
    """A :class:`SegmentWriter` whose postings bypass the sorting pool (one new segment, no merging)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._plan: dict[str, tuple[Any, Callable[[str], Items] | None]] = {}
        for name, field in self.schema.items():
            if field.separate_spelling() or field.vector:
                raise NotImplementedError(f"BulkWriter cannot index field {name!r} (spelling or vectors)")
            self._plan[name] = (field, fast_items(field))
        self._terms: dict[str, dict[bytes, tuple[list[int], list[float], list[bytes]]]] = {}
        self._lossy: dict[str, dict[int, int]] = {}  # field -> docnum -> the length Whoosh reads back

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdoc = self.perdocwriter
        docnum = self.docnum
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field, fast = self._plan[name]
                length = 0
                if field.indexed:
                    items = fast(value) if fast is not None and isinstance(value, str) else field.index(value)
                    terms = self._terms.setdefault(name, {})
                    for btext, freq, weight, vbytes in items:
                        length += freq
                        entry = terms.get(btext)
                        if entry is None:
                            terms[btext] = ([docnum], [weight], [vbytes])
                        else:
                            entry[0].append(docnum)
                            entry[1].append(weight)
                            entry[2].append(vbytes)
                    if not field.scorable:
                        length = 0
                    elif length:
                        self._lossy.setdefault(name, {})[docnum] = byte_to_length(length_to_byte(length))
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self._terms):
            fw.start_field(name, self.schema[name])
            lossy = self._lossy.get(name, {})
            terms = self._terms[name]
            pw = fw._postwriter
            level = pw._compression
            for btext in sorted(terms):
                fw.start_term(btext)
                _add_postings(pw, *terms[btext], lossy, level)
                fw.finish_term()
            pw._compression = level
            fw.finish_field()
        fw.close()
        self._terms.clear()

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        return list(self.segments)  # a fresh index: nothing to merge


def _add_postings(
    pw: Any, ids: list[int], weights: list[float], values: list[bytes], lossy: dict[int, int], level: int
) -> None:
    """What ``W3PostingsWriter.add_posting`` does once per posting, a block at a time.

    A block of fewer than :data:`COMPRESS_FROM` postings is written uncompressed
    (compression level 0 in its header, which Whoosh's reader honours): zlib makes
    such pickles no smaller and cost more than the rest of writing them.  The last
    block is written by the caller's ``finish_term``, with the level set here.
    """
    limit = pw._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            pw._write_block()
        block = ids[start : start + limit]
        pw._compression = level if len(block) >= COMPRESS_FROM else 0
        w = weights[start : start + limit]
        pw._ids.extend(block)
        pw._weights.extend(w)
        pw._values.extend(v for v in values[start : start + limit] if v)
        top = max(w)
        if top > pw._maxweight:
            pw._maxweight = top
        lengths = [lossy[d] for d in block if d in lossy]
        if lengths:
            low, high = min(lengths), max(lengths)
            if pw._minlength is None or low < pw._minlength:
                pw._minlength = low
            if high > pw._maxlength:
                pw._maxlength = high


# -- the build -------------------------------------------------------------------
def write(
    ix: Any,
    records: Iterable[Any],
    document: Callable[[Any], dict[str, Any]],
    procs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index ``records`` (turned into fields by ``document``) into the empty ``ix``; returns how many.

    With ``procs`` > 1 the records are split in ``procs`` contiguous runs; forked
    processes write all runs but the first, which this process writes.
    """
    writer = BulkWriter(ix)
    try:
        if procs > 1:
            records = list(records)
            if len(records) >= procs:
                return _write_parallel(writer, records, document, procs, progress)
        count = 0
        for record in records:
            writer.add_document(**document(record))
            count += 1
            if progress is not None:
                progress(count)
        writer.commit()
        return count
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise


def _write_parallel(
    writer: BulkWriter,
    records: list[Any],
    document: Callable[[Any], dict[str, Any]],
    procs: int,
    progress: Callable[[int], None] | None,
) -> int:
    compounds("khởi động")  # load pyvi's model once, before forking, so every process shares it
    bounds = [len(records) * k // procs for k in range(procs + 1)]
    ctx = multiprocessing.get_context("fork")
    done = [ctx.Value("l", 0, lock=False) for _ in range(procs)]
    children = []
    for k in range(1, procs):
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_child,
            args=(writer.storage, writer.indexname, records[bounds[k] : bounds[k + 1]], document, done[k], send),
            daemon=True,
        )
        child.start()
        send.close()
        children.append((child, receive))
    try:
        for i, record in enumerate(records[: bounds[1]], start=1):
            writer.add_document(**document(record))
            if progress is not None and (i % 100 == 0 or i == bounds[1]):
                done[0].value = i
                progress(sum(d.value for d in done))
        segments = [writer._finalize_segment()]
        for child, receive in children:
            try:
                status, payload = receive.recv()
            except EOFError:
                status, payload = "error", f"process {child.pid} exited with {child.exitcode}"
            child.join()
            if status != "ok":
                raise RuntimeError(f"xây chỉ mục thất bại / index build failed: {payload}")
            segments.append(payload)
    except BaseException:
        for child, _ in children:
            if child.is_alive():
                child.kill()
            child.join()
        raise
    writer._commit_toc(segments)
    writer._finish()
    if progress is not None:
        progress(len(records))
    return len(records)


def _child(storage: Any, indexname: str, records: list[Any], document: Callable, done: Any, send: Any) -> None:
    try:
        ix = storage.open_index(indexname)
        writer = BulkWriter(ix, _lk=False)
        for i, record in enumerate(records, start=1):
            writer.add_document(**document(record))
            if i % 100 == 0:
                done.value = i
        done.value = len(records)
        segment = writer._finalize_segment()
        writer._tempstorage.destroy()
        send.send(("ok", segment))
    except BaseException as exc:  # reported to the parent, which fails the build
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()
        os._exit(0)
