"""The crawl tables' repository: runs, URLs with their validators, and the quarantine."""

from catalogue.store.database import Store

NOW = "2026-01-01T00:00:00+00:00"


def test_runs_open_finish_and_keep_their_summary(store: Store) -> None:
    with store.transaction() as tx:
        assert store.frontier.open_run(tx, "vsqi") is None
        run = store.frontier.insert_run(tx, "vsqi", "http://x", NOW)
        assert store.frontier.open_run(tx, "vsqi") == run
        assert store.frontier.open_run(tx, "file") is None
        store.frontier.save_summary(tx, run, {"fetched": 3})
    assert store.frontier.summary(run) == {"fetched": 3}
    with store.transaction() as tx:
        store.frontier.finish_run(tx, run, {"fetched": 5}, NOW)
        assert store.frontier.open_run(tx, "vsqi") is None
    (row,) = store.frontier.runs()
    assert (row["state"], row["summary"], row["finished_at"]) == ("finished", {"fetched": 5}, NOW)
    assert store.frontier.summary(12345) == {}


def test_a_known_url_is_not_added_twice(store: Store) -> None:
    with store.transaction() as tx:
        assert store.frontier.add_url(tx, "http://x/a", "detail", None, NOW)
        assert not store.frontier.add_url(tx, "http://x/a", "list", None, NOW)
    assert store.frontier.pending(10) == [
        {"url": "http://x/a", "kind": "detail", "etag": None, "last_modified": None, "content_hash": None}
    ]


def test_list_pages_come_first_and_finished_urls_keep_their_validators(store: Store) -> None:
    with store.transaction() as tx:
        store.frontier.add_url(tx, "http://x/d", "detail", None, NOW)
        store.frontier.add_url(tx, "http://x/l", "list", None, NOW)
    assert [u["url"] for u in store.frontier.pending(10)] == ["http://x/l", "http://x/d"]
    with store.transaction() as tx:
        store.frontier.finish_url(tx, "http://x/d", "done", NOW, http_status=200, etag='"e1"', content_hash="h")
        store.frontier.finish_url(tx, "http://x/d", "done", NOW, http_status=304)  # a 304 brings no new ETag
    assert store.frontier.url_states() == {"http://x/d": "done", "http://x/l": "pending"}
    with store.transaction() as tx:
        store.frontier.reset_urls(tx, 7)
    (detail,) = [u for u in store.frontier.pending(10) if u["kind"] == "detail"]
    assert (detail["etag"], detail["content_hash"]) == ('"e1"', "h")
    assert store.frontier.counts() == {"pending": 2}


def test_quarantine_and_resolve(store: Store) -> None:
    with store.transaction() as tx:
        store.frontier.quarantine(tx, None, "http://x/bad", "no title", {"fields": {"number": ["TCVN 1:2008"]}}, NOW)
    (entry,) = store.frontier.quarantined()
    assert entry["raw"] == {"fields": {"number": ["TCVN 1:2008"]}} and entry["reason"] == "no title"
    with store.transaction() as tx:
        assert store.frontier.resolve(tx, entry["id"])
        assert not store.frontier.resolve(tx, entry["id"] + 1)
    assert store.frontier.quarantined() == []
    assert len(store.frontier.quarantined(unresolved_only=False)) == 1


def test_a_keyed_entry_is_kept_once_while_open(store: Store) -> None:
    with store.transaction() as tx:
        for reason in ("first reason", "second reason"):
            store.frontier.quarantine(tx, None, "a.jsonl:3", reason, {"_raw": "x"}, NOW, key="file:abc:3")
        store.frontier.quarantine(tx, None, "a.jsonl:4", "other row", {}, NOW, key="file:abc:4")
        store.frontier.quarantine(tx, None, "http://x/bad", "unkeyed", {}, NOW)
        store.frontier.quarantine(tx, None, "http://x/bad", "unkeyed", {}, NOW)
    entries = store.frontier.quarantined()
    assert sorted(e["reason"] for e in entries) == ["other row", "second reason", "unkeyed", "unkeyed"]
    keyed = next(e for e in entries if e["reason"] == "second reason")
    with store.transaction() as tx:
        store.frontier.resolve(tx, keyed["id"])
        store.frontier.quarantine(tx, None, "a.jsonl:3", "came back", {}, NOW, key="file:abc:3")
    assert "came back" in {e["reason"] for e in store.frontier.quarantined()}  # resolved ones do not block
