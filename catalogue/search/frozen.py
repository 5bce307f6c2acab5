"""Search results kept in a form the garbage collector does not traverse.

Why: a snapshot keeps up to 2,048 results (:data:`catalogue.search.snapshot.RESULTS`).
As objects (a result, ten hits, their dicts and lists) they were some 50,000
containers, all tracked by Python's cyclic garbage collector, which walks every one
of them on each full collection: 50–200 ms with the interpreter stopped, several
times in 10 s while another process saves records (each save brings a new snapshot
whose cache fills again).  Tuples holding only strings, numbers and ``None`` (and
such tuples) are untracked by the collector after its first look, so a frozen
result costs the collector nothing.

Contracts:

* :func:`freeze` returns nested tuples of atoms only; :func:`thaw` gives back a
  result equal to the one frozen, with its own lists and dicts (callers may modify
  it; the frozen one never changes).
* Dataclass fields are read by name, so a field added to the hit or the result is
  kept.  A hit field may hold an atom or a list of atoms; a result field an atom,
  a list of atoms, a dict of atoms, the facets (a dict of such dicts) or the hits.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

__all__ = ["freeze", "thaw"]

Frozen = tuple[Any, ...]
_LIST, _DICT, _DICTS, _HITS = "l", "d", "dd", "h"  # how a frozen result field thaws
_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _freeze_value(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return (_LIST, tuple(value))
    if kind is dict:
        if value and all(type(v) is dict for v in value.values()):
            return (_DICTS, tuple((k, tuple(v.items())) for k, v in value.items()))
        return (_DICT, tuple(value.items()))
    return value


def _thaw_value(value: Any, hit_cls: type) -> Any:
    if type(value) is not tuple:
        return value
    kind, items = value
    if kind == _LIST:
        return list(items)
    if kind == _DICT:
        return dict(items)
    if kind == _DICTS:
        return {k: dict(v) for k, v in items}
    names = _names(hit_cls)  # _HITS
    return [_new(hit_cls, zip(names, [list(v) if type(v) is tuple else v for v in hit], strict=True)) for hit in items]


def _new(cls: type, pairs: Any) -> Any:
    """An instance of the dataclass ``cls`` with the given fields, without running ``__init__`` (a copy)."""
    obj = object.__new__(cls)
    try:
        obj.__dict__.update(pairs)
    except AttributeError:  # a slotted dataclass
        for name, value in pairs:
            object.__setattr__(obj, name, value)
    return obj


def freeze(result: Any) -> Frozen:
    """``result`` (a search result dataclass whose ``hits`` are dataclasses) as nested tuples of atoms."""
    out = []
    for name in _names(type(result)):
        value = getattr(result, name)
        if name == "hits":
            hits = tuple(tuple(tuple(v) if type(v) is list else v for v in _values(h)) for h in value)
            out.append((_HITS, hits))
        else:
            out.append(_freeze_value(value))
    return tuple(out)


def _values(obj: Any) -> list[Any]:
    return [getattr(obj, name) for name in _names(type(obj))]


def thaw(frozen: Frozen, result_cls: type, hit_cls: type) -> Any:
    """A new ``result_cls`` equal to the result :func:`freeze` was given (its hits are ``hit_cls``)."""
    return _new(result_cls, zip(_names(result_cls), [_thaw_value(v, hit_cls) for v in frozen], strict=True))
