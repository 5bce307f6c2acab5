"""The crawl frontier: resumable runs, conditional revisits, quarantine."""

from __future__ import annotations

import pytest

from catalogue.store.database import Store
from indexer.crawl.frontier import Frontier

SEEDS = [("http://x/list?page=1", "list")]


def test_a_new_run_seeds_and_an_unfinished_one_resumes(store: Store) -> None:
    frontier = Frontier(store, "vsqi")
    run, resumed = frontier.start("http://x", SEEDS)
    assert not resumed and [u.url for u in frontier.pending()] == ["http://x/list?page=1"]
    again = Frontier(store, "vsqi")
    assert again.start("http://x", SEEDS) == (run, True)
    assert Frontier(store, "file").start("f", [])[1] is False  # another source has runs of its own


def test_done_urls_are_not_handed_out_again_in_a_run(store: Store) -> None:
    frontier = Frontier(store, "vsqi")
    frontier.start("http://x", SEEDS)
    assert frontier.add([("http://x/a", "detail"), ("http://x/b", "detail"), ("http://x/a", "detail")]) == 2
    with store.transaction() as tx:
        frontier.finish_url(tx, "http://x/a", "done", http_status=200, etag='"1"', content_hash="h")
    assert [u.url for u in frontier.pending()] == ["http://x/list?page=1", "http://x/b"]
    assert frontier.counts() == {"done": 1, "pending": 2}


def test_a_new_run_revisits_known_urls_with_their_validators(store: Store) -> None:
    frontier = Frontier(store, "vsqi")
    frontier.start("http://x", SEEDS)
    frontier.add([("http://x/a", "detail")])
    with store.transaction() as tx:
        frontier.finish_url(tx, "http://x/a", "done", http_status=200, etag='"1"', last_modified="lm", content_hash="h")
    frontier.finish({"fetched": 1})
    second = Frontier(store, "vsqi")
    run, resumed = second.start("http://x", SEEDS)
    assert not resumed and run != frontier.run_id
    (detail,) = [u for u in second.pending() if u.kind == "detail"]
    assert (detail.etag, detail.last_modified, detail.content_hash) == ('"1"', "lm", "h")


def test_progress_is_kept_so_a_resumed_run_reports_the_whole_run(store: Store) -> None:
    frontier = Frontier(store, "vsqi")
    frontier.start("http://x", SEEDS)
    frontier.save_summary({"fetched": 7})
    resumed = Frontier(store, "vsqi")
    resumed.start("http://x", SEEDS)
    assert resumed.summary_so_far() == {"fetched": 7}
    resumed.finish({"fetched": 9})
    assert resumed.runs(1)[0]["summary"] == {"fetched": 9} and resumed.runs(1)[0]["state"] == "finished"


def test_quarantine_commits_with_the_callers_transaction(store: Store) -> None:
    frontier = Frontier(store, "vsqi")
    frontier.start("http://x", SEEDS)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        frontier.quarantine(tx, "http://x/bad", "no title", {"fields": {}})
        raise RuntimeError("the page's transaction failed")
    assert frontier.quarantined() == []
    with store.transaction() as tx:
        frontier.quarantine(tx, "http://x/bad", "no title", {"fields": {}})
    (entry,) = frontier.quarantined()
    assert (entry["url"], entry["run_id"]) == ("http://x/bad", frontier.run_id)
