"""The JSON API, OpenAPI, CSV, Atom and OpenSearch, in process over ASGI; API fuzzing with hypothesis."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import feedparser
import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.exporter import CSV_COLUMNS
from catalogue.web.app import create_app
from catalogue.web.openapi import SPEC


def _schema(path: str, status: str) -> dict:
    return SPEC["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def test_every_api_route_is_described() -> None:
    from catalogue.settings import Settings

    app = create_app(Settings.load({"data_dir": "/nonexistent"}, environ={}))
    routes = {r.path.replace(":path", "") for r in app.routes if getattr(r, "path", "").startswith("/api/")}
    routes.discard("/api/{rest}")
    assert routes == set(SPEC["paths"])


def test_openapi_document(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/search" in spec["paths"]
    page = http.get("/api")
    assert page.status_code == 200 and "/api/recommend" in page.text


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/search?q=nuoc+mam", "/api/search"),
        ("/api/standards/TCVN%208430:2010", "/api/standards/{number}"),
        ("/api/standards/tcvn8430-2010", "/api/standards/{number}"),
        ("/api/suggest?q=nuoc+ma", "/api/suggest"),
        ("/api/suggest?q=tcvn%2056", "/api/suggest"),
        ("/api/ics", "/api/ics"),
        ("/api/ics?code=67.100", "/api/ics"),
        ("/api/recommend?product=bia", "/api/recommend"),
    ],
)
def test_responses_match_the_schema(http: httpx.Client, url: str, path: str) -> None:
    r = http.get(url)
    assert r.status_code == 200
    jsonschema.validate(r.json(), _schema(path, "200"))


def test_suggest_completes_the_last_word_and_numbers(http: httpx.Client) -> None:
    words = http.get("/api/suggest", params={"q": "nuoc ma"}).json()["suggestions"]
    assert any(s["number"] == "TCVN 5107:2003" for s in words)
    numbers = http.get("/api/suggest", params={"q": "tcvn 569"}).json()["suggestions"]
    assert numbers and all(s["number"].startswith("TCVN 569") for s in numbers)


def test_etag_and_304(http: httpx.Client) -> None:
    for url in ("/standards/tcvn-8430-2010", "/api/standards/TCVN%208430:2010", "/api/search?q=phomat"):
        first = http.get(url)
        assert first.headers["etag"]
        again = http.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
    assert http.get("/standards/tcvn-8430-2010").headers["last-modified"].endswith("GMT")


@pytest.mark.parametrize("spelling", ["TCVN%208430:2010", "tcvn8430-2010", "TCVN-8430-2010", "tcvn%208430%3A2010"])
def test_other_spellings_redirect_permanently(http: httpx.Client, spelling: str) -> None:
    r = http.get(f"/standards/{spelling}")
    assert r.status_code == 301
    assert r.headers["location"] == "/standards/tcvn-8430-2010"


def test_csv_export_reads_back(http: httpx.Client) -> None:
    r = http.get("/search.csv", params={"q": "mật ong"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # the UTF-8 BOM: Excel then reads Vietnamese right
    rows = list(csv.DictReader(io.StringIO(r.text.removeprefix("\ufeff"))))
    assert list(rows[0]) == CSV_COLUMNS
    total = http.get("/api/search", params={"q": "mật ong"}).json()["total"]
    assert len(rows) == total
    assert "TCVN 12605:2019" in {row["number"] for row in rows}


def test_atom_feed_parses_and_filters(http: httpx.Client) -> None:
    feed = feedparser.parse(http.get("/feed.atom", params={"q": "thép"}).content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries
    assert all("thép" in e.title.lower() or "thep" in e.title.lower() for e in feed.entries)
    everything = feedparser.parse(http.get("/feed.atom").content)
    assert not everything.bozo and len(everything.entries) == 50


def test_each_atom_entry_carries_its_own_change_time(writable_engine, monkeypatch) -> None:
    """A record changed later than the rest shows its own time; the others keep theirs (the store's write time)."""
    from catalogue.editing import Editor
    from catalogue.store import database
    from catalogue.web.app import create_app
    from tests.conftest import asgi

    seeded = writable_engine.store.get("TCVN 12605:2019").updated_at
    monkeypatch.setattr(database, "_now", lambda: "2030-01-02T03:04:05+00:00")
    record = writable_engine.store.get("TCVN 8430:2010")
    record.title_en = "Unripened cheese (edited for the feed test)"
    Editor(writable_engine).save(record, "synthetic", expected_version=record.version)
    app = create_app(writable_engine.settings, writable_engine)
    feed = feedparser.parse(asgi(app).get("/feed.atom").content)
    assert not feed.bozo, feed.bozo_exception
    times = {e.link.rsplit("/", 1)[1]: e.updated for e in feed.entries}
    assert times["tcvn-8430-2010"] == "2030-01-02T03:04:05Z" and feed.feed.updated == "2030-01-02T03:04:05Z"
    others = {t for slug, t in times.items() if slug != "tcvn-8430-2010"}
    assert "2030-01-02T03:04:05Z" not in others
    mine = feedparser.parse(asgi(app).get("/feed.atom", params={"q": "mật ong"}).content)
    honey = [e for e in mine.entries if e.link.endswith("/tcvn-12605-2019")]
    assert honey and honey[0].updated == seeded.replace("+00:00", "Z")


def test_opensearch_is_valid_xml(http: httpx.Client) -> None:
    root = ET.fromstring(http.get("/opensearch.xml").content)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert root.tag == f"{ns}OpenSearchDescription"
    assert "{searchTerms}" in root.find(f"{ns}Url").attrib["template"]
    assert 'rel="search"' in http.get("/").text


def test_language_toggle_persists(http: httpx.Client) -> None:
    assert '<html lang="vi">' in http.get("/").text
    r = http.get("/lang", params={"to": "en", "next": "/search?q=nuoc+mam"})
    assert r.status_code == 303 and r.headers["location"] == "/search?q=nuoc+mam"
    page = http.get("/search", params={"q": "nuoc mam"})  # the cookie persists the choice
    assert '<html lang="en">' in page.text and "results" in page.text
    assert '<html lang="en">' in http.get("/standards/tcvn-8430-2010").text
    assert http.get("/lang", params={"to": "en", "next": "//evil.example"}).headers["location"] == "/"
    http.get("/lang", params={"to": "vi", "next": "/"})
    assert '<html lang="vi">' in http.get("/").text


def test_every_template_string_has_an_english_translation() -> None:
    from pathlib import Path

    from catalogue.web.i18n import EN

    strings = set()
    for path in Path("templates").glob("*.html"):
        strings |= set(re.findall(r"""_\(\s*["']([^"']+)["']\s*\)""", path.read_text(encoding="utf-8")))
    missing = sorted(s for s in strings if s not in EN)
    assert missing == []


def test_ics_browser(http: httpx.Client) -> None:
    top = http.get("/ics").text
    assert 'href="/ics/67"' in top
    field = http.get("/ics/67").text
    assert 'href="/ics/67.100"' in field
    assert http.get("/ics/99.999").status_code == 404


def test_detail_page_links_the_replacement_chain(http: httpx.Client) -> None:
    old = http.get("/standards/tcvn-6096-2004").text
    assert 'href="/standards/tcvn-6096-2010"' in old
    assert "Bản hiện hành" in old


def test_no_results_page_helps(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "khôngcógìcả", "kind": "QCVN"}).text
    assert "Bỏ tất cả bộ lọc" in page and 'href="/ics"' in page


params = st.fixed_dictionaries(
    {},
    optional={
        "q": st.text(max_size=60),
        "kind": st.sampled_from(["TCVN", "QCVN", "tcvn", "ISO", ""]),
        "status": st.sampled_from(["active", "withdrawn", "replaced", "unknown", "x", ""]),
        "ics": st.one_of(st.sampled_from(["67", "67.100", "67.100.30", "x.y"]), st.text(max_size=8)),
        "page": st.one_of(st.integers(-5, 2000).map(str), st.text(max_size=4)),
        "limit": st.one_of(st.integers(-5, 200).map(str), st.text(max_size=4)),
        "sort": st.sampled_from(["relevance", "newest", "random"]),
        "year_from": st.integers(1800, 2200).map(str),
        "year_to": st.integers(1800, 2200).map(str),
        "ministry": st.text(max_size=10),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params)
def test_fuzz_search_never_500_and_matches_schema(http: httpx.Client, query: dict) -> None:
    r = http.get("/api/search", params=query)
    assert r.status_code in (200, 400), (query, r.status_code)
    jsonschema.validate(r.json(), _schema("/api/search", str(r.status_code)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=12)))
def test_fuzz_recommend_and_suggest(http: httpx.Client, product: str, hs) -> None:
    r = http.get("/api/recommend", params={"product": product, **({"hs": hs} if hs is not None else {})})
    assert r.status_code in (200, 400)
    jsonschema.validate(r.json(), _schema("/api/recommend", str(r.status_code)))
    s = http.get("/api/suggest", params={"q": product})
    assert s.status_code == 200
    jsonschema.validate(s.json(), _schema("/api/suggest", "200"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_fuzz_standard_lookup(http: httpx.Client, number: str) -> None:
    from urllib.parse import quote

    r = http.get("/api/standards/" + quote(number, safe=""))
    assert r.status_code in (200, 404, 400), r.status_code
    schema = _schema("/api/standards/{number}", "200") if r.status_code == 200 else {"required": ["error"]}
    jsonschema.validate(r.json(), schema)
