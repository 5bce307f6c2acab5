"""catalogue.search.lru: bounded, least recently used first out, shared by threads."""

from __future__ import annotations

import threading

from catalogue.search.lru import Lru


def test_keeps_at_most_size_and_drops_the_least_recently_used() -> None:
    lru = Lru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recently used
    lru.put("c", 3)
    assert len(lru) == 2
    assert lru.get("b") is None
    assert (lru.get("a"), lru.get("c")) == (1, 3)


def test_put_replaces_and_clear_empties() -> None:
    lru = Lru(4)
    lru.put("a", 1)
    lru.put("a", 2)
    assert (len(lru), lru.get("a")) == (1, 2)
    lru.clear()
    assert (len(lru), lru.get("a")) == (0, None)


def test_threads_sharing_one_map_never_exceed_its_size() -> None:
    lru = Lru(50)
    start = threading.Barrier(4)

    def work(n: int) -> None:
        start.wait()
        for i in range(2000):
            lru.put((n, i), i)
            lru.get((n, i - 1))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(lru) == 50
    kept = list(lru._items.items())
    assert all(value == key[1] for key, value in kept)
