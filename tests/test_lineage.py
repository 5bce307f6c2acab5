"""Lineage: the replacement chain read off a snapshot (``catalogue/search/lineage.py``), on a tiny
SYNTHETIC index: a three-edition chain, a cycle in the data, and a record nothing replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from catalogue.identifiers import parse_loose
from catalogue.search import lineage
from catalogue.search.searcher import Searcher
from catalogue.search.snapshot import Snapshot
from indexer.index import Index
from tests.conftest import make_standard


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    records = [
        make_standard("TCVN 91001:2001", title_vi="Bê tông", replaced_by=["TCVN 91001:2011"], status="replaced"),
        make_standard(
            "TCVN 91001:2011",
            title_vi="Bê tông",
            replaces=["TCVN 91001:2001"],
            replaced_by=["TCVN 91001:2020"],
            status="replaced",
        ),
        make_standard("TCVN 91001:2020", title_vi="Bê tông", replaces=["TCVN 91001:2011"]),
        make_standard("TCVN 91002:2005", title_vi="Vữa", replaced_by=["TCVN 91003:2006"], status="replaced"),
        make_standard("TCVN 91003:2006", title_vi="Vữa xây", replaced_by=["TCVN 91002:2005"], status="replaced"),
        make_standard("TCVN 91004:2019", title_vi="Gạch"),
    ]
    index = Index(Path(tmp_path_factory.mktemp("lineage")) / "index")
    index.rebuild(iter(records), len(records))
    return Searcher(index).snapshot()


def doc(snap: Snapshot, number: str) -> int:
    return next(d for d in range(snap.size) if snap.stored(d)["number"] == number)


def names(snap: Snapshot, docs: list[int] | np.ndarray) -> list[str]:
    return [snap.stored(int(d))["number"] for d in docs]


def test_keys_mask_is_none_without_keys_and_marks_every_key(snap: Snapshot) -> None:
    assert lineage.keys_mask(snap, "numkey", []) is None
    mask = lineage.keys_mask(snap, "numkey", ["no-such-key"])
    assert mask is not None and not mask.any()
    keys = [parse_loose(n).key for n in ("TCVN 91004:2019", "TCVN 91002:2005")]  # type: ignore[union-attr]
    assert sorted(names(snap, np.flatnonzero(lineage.keys_mask(snap, "numkey", keys)))) == [
        "TCVN 91002:2005",
        "TCVN 91004:2019",
    ]


def test_the_chain_follows_every_hop(snap: Snapshot) -> None:
    start = np.zeros(snap.size, dtype=bool)
    start[doc(snap, "TCVN 91001:2001")] = True
    assert sorted(names(snap, np.flatnonzero(lineage.chain(snap, start)))) == ["TCVN 91001:2011", "TCVN 91001:2020"]


def test_the_chain_ends_on_a_cycle_in_the_data(snap: Snapshot) -> None:
    start = np.zeros(snap.size, dtype=bool)
    start[doc(snap, "TCVN 91002:2005")] = True
    assert names(snap, np.flatnonzero(lineage.chain(snap, start))) == ["TCVN 91003:2006"]  # not itself


def test_successors_oldest_first_and_none_for_a_current_record(snap: Snapshot) -> None:
    assert names(snap, lineage.successors(snap, doc(snap, "TCVN 91001:2001"))) == [
        "TCVN 91001:2011",
        "TCVN 91001:2020",
    ]
    assert lineage.successors(snap, doc(snap, "TCVN 91001:2020")) == []
    assert lineage.successors(snap, doc(snap, "TCVN 91004:2019")) == []


def test_current_first_moves_the_replacement_ahead_unless_the_number_was_typed(snap: Snapshot) -> None:
    old, other, new = doc(snap, "TCVN 91001:2011"), doc(snap, "TCVN 91004:2019"), doc(snap, "TCVN 91001:2020")
    matched = np.array(sorted([old, other, new]))
    head = np.searchsorted(matched, [old, other, new])  # ranked: the old edition, another record, the new one
    info = {"number": np.zeros(matched.size, dtype=np.int8)}
    assert names(snap, matched[lineage.current_first(snap, matched, head, info)]) == [
        "TCVN 91001:2020",
        "TCVN 91001:2011",
        "TCVN 91004:2019",
    ]
    info["number"][np.searchsorted(matched, old)] = 2  # the old number typed exactly: that edition stays first
    assert names(snap, matched[lineage.current_first(snap, matched, head, info)])[0] == "TCVN 91001:2011"
