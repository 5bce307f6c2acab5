"""The in-memory source double: its pages, its transport, and the contract it shares with real sources."""

from __future__ import annotations

import httpx
import pytest

from catalogue.errors import ValidationError
from indexer.sources.memory import StaticSource
from tests.conftest import make_standard

RECORDS = [make_standard(f"TCVN {n}:2020", title_vi=f"Tiêu chuẩn {n}") for n in range(1, 8)]


def test_list_pages_link_details_and_the_next_page() -> None:
    source = StaticSource(RECORDS, per_page=5)
    client = httpx.Client(transport=source.transport(), base_url=source.base_url)
    ((seed, kind),) = source.seeds()
    first = source.read_list(seed, client.get(seed).text)
    assert [k for _, k in first] == ["detail"] * 5 + ["list"]
    second = source.read_list(first[-1][0], client.get(first[-1][0]).text)
    assert len(second) == 2 and kind == "list"


def test_detail_pages_read_back_to_the_record() -> None:
    source = StaticSource(RECORDS)
    url = source.detail_url(RECORDS[0].slug)
    text = httpx.Client(transport=source.transport()).get(url).text
    assert source.read_detail(url, text).to_dict() == RECORDS[0].to_dict()


def test_bad_pages_raise_validation_errors_only() -> None:
    source = StaticSource()
    with pytest.raises(ValidationError):
        source.read_detail("u", "{not json")
    with pytest.raises(ValidationError) as info:
        source.read_detail("u", '{"number": "TCVN 1:2020", "title_vi": ""}')
    assert info.value.problems
    assert source.raw("u", "x" * 5000) == {"text": "x" * 2000}


def test_the_transport_answers_conditional_requests_and_records_them() -> None:
    source = StaticSource(RECORDS[:1])
    client = httpx.Client(transport=source.transport())
    url = source.detail_url(RECORDS[0].slug)
    etag = client.get(url).headers["etag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    source.records[RECORDS[0].slug].title_en = "Changed"
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200
    assert client.get(f"{source.base_url}/robots.txt").text.startswith("User-agent")
    assert client.get(f"{source.base_url}/nothing").status_code == 404
    assert source.paths()[0] == "/item/" + RECORDS[0].slug
