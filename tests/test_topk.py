"""The first k of a ranking, found without sorting everything, equal the full sort's first k."""

from __future__ import annotations

import numpy as np
import pytest

from catalogue.search import rules
from catalogue.search.topk import SMALL, subset, top


def random_evidence(n: int, seed: int, intents: set[str]) -> rules.Evidence:
    """Evidence with few distinct values per key, so that ties reach the last rules."""
    rng = np.random.default_rng(seed)
    return rules.Evidence(
        number=rng.choice([0, 0, 0, 0, 1, 2], n).astype(np.int8),
        series=rng.random(n) < 0.05,
        equivalent=rng.choice([0, 0, 0, 1, 2], n).astype(np.int8),
        coverage=rng.choice([0.0, 0.25, 0.5, 1.0, 1.3, 2.0], n).astype(np.float32),
        named=rng.choice([0.0, 0.5, 1.5], n).astype(np.float32),
        title_coverage=rng.choice([0.0, 0.5, 1.0], n).astype(np.float32),
        exactness=rng.choice([0.0, 0.7, 1.0, 1.25], n).astype(np.float32),
        relevance=rng.choice([0.0, 1.5, 2.25, 3.0], n).astype(np.float32),
        status=np.array(rng.choice(["active", "unknown", "replaced", "withdrawn"], n), dtype=object),
        kind=np.array(rng.choice(["TCVN", "QCVN"], n), dtype=object),
        year=rng.choice([0, 1999, 2010, 2020], n).astype(np.int32),
        is_current=rng.random(n) < 0.5,
        is_method=rng.random(n) < 0.2,
        intents=intents,
    )


@pytest.mark.parametrize("ruleset", [rules.RULES, rules.NEWEST_FIRST], ids=["relevance", "newest"])
@pytest.mark.parametrize("intents", [set(), {"current", "qcvn"}, {"method", "tcvn"}])
@pytest.mark.parametrize("seed", range(4))
def test_top_equals_the_full_orders_first_k(ruleset: tuple, intents: set[str], seed: int) -> None:
    ev = random_evidence(3000, seed, intents)
    full = rules.order(ev, ruleset)
    for k in (1, 10, 20, 37, 500, 2999, 3000, 5000):
        assert top(ev, ruleset, k).tolist() == full[:k].tolist(), k


def test_everything_tied_keeps_input_order() -> None:
    ev = random_evidence(1000, 0, set())
    for name in ("number", "coverage", "named", "title_coverage", "exactness", "relevance", "year"):
        getattr(ev, name)[:] = 0
    ev.series[:] = ev.is_current[:] = ev.is_method[:] = False
    ev.equivalent[:] = 0
    ev.status[:] = "active"
    assert top(ev, rules.RULES, 10).tolist() == list(range(10))


def test_nan_and_small_inputs_fall_back_to_the_full_order() -> None:
    ev = random_evidence(SMALL + 500, 1, set())
    ev.relevance[::7] = np.nan
    assert top(ev, rules.RULES, 10).tolist() == rules.order(ev, rules.RULES)[:10].tolist()
    small = subset(ev, np.arange(20))
    assert len(small.year) == 20 and small.intents is ev.intents
    assert top(small, rules.RULES, 5).tolist() == rules.order(small, rules.RULES)[:5].tolist()
