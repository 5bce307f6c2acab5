"""The first ``k`` documents of a ranking, without sorting all the matched ones.

Why: a common word matches thousands of records, and sorting all of them by
the ten ranking rules (:func:`catalogue.search.rules.order`) cost more than
finding them; a page shows ten.

:func:`top` walks the rules in order.  At each rule it keeps the documents whose
key is above the key of the ``k``-th best (they are in the first ``k`` whatever
the later rules say), sets aside those below it (they are not), and carries only
the documents tied at that key to the next rule.  The documents kept are then
ordered by :func:`~catalogue.search.rules.order` itself.

Contracts:

* ``top(ev, rules, k)`` equals ``order(ev, rules)[:k]`` exactly (same
  documents, same order, ties in input order), provided every rule's key for a
  document depends only on that document's evidence (and ``ev.intents``), as
  every rule of :mod:`catalogue.search.rules` does; ``tests/test_topk.py``
  checks the equality on every rule list the searcher uses.
* A key holding NaN, or fewer than :data:`SMALL` documents, falls back to the
  full :func:`~catalogue.search.rules.order`.
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np

from catalogue.search.rules import RULES, Evidence, Rule, order

__all__ = ["SMALL", "subset", "top"]

SMALL = 256  # below this, one lexsort is cheaper than the walk


def subset(ev: Evidence, positions: np.ndarray) -> Evidence:
    """The evidence of the documents at ``positions`` (every per-document array indexed alike)."""
    n = len(ev.year)
    changes = {}
    for f in fields(ev):
        value = getattr(ev, f.name)
        if isinstance(value, np.ndarray) and value.shape[:1] == (n,):
            changes[f.name] = value[positions]
    return replace(ev, **changes)


def top(ev: Evidence, rules: tuple[Rule, ...] = RULES, k: int = 10) -> np.ndarray:
    """Positions of the first ``k`` documents in ranking order (see the module contract)."""
    n = len(ev.year)
    if n <= max(k, SMALL):
        return order(ev, rules)[:k]
    chosen: list[np.ndarray] = []
    pool = np.arange(n)
    need = k
    current = ev  # the evidence of the pool, re-cut only when the pool shrinks
    for rule in rules:
        if len(current.year) != pool.size:
            current = subset(ev, pool)
        key = np.asarray(rule.key(current))
        if key.dtype.kind == "f" and np.isnan(key).any():
            return order(ev, rules)[:k]
        threshold = key.max()
        if np.count_nonzero(key == threshold) < need:  # the best key alone does not fill the page
            threshold = np.partition(key, pool.size - need)[pool.size - need]  # the need-th largest key
        above = key > threshold
        chosen.append(pool[above])
        need -= int(above.sum())
        pool = pool[key == threshold]
        if pool.size <= need:
            break
    else:
        pool = pool[:need]  # every rule ties: input order decides, as lexsort's stability does
    keep = np.sort(np.concatenate([*chosen, pool]))
    return keep[order(subset(ev, keep), rules)][:k]
