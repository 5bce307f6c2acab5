"""The crawl-source seam: every registered source fills in the contract of ``Source``."""

from __future__ import annotations

import pytest

from indexer.sources import SOURCES, Source
from indexer.sources.memory import StaticSource

CONTRACT = ("seeds", "allowed_hosts", "read_list", "read_detail")


def test_the_base_class_only_declares_the_contract() -> None:
    base = Source("http://x/")
    assert base.base_url == "http://x"  # trailing slash dropped
    assert base.raw("http://x/a", "text") == {}
    for method in CONTRACT:
        with pytest.raises(NotImplementedError):
            getattr(base, method)(*(["http://x/a", "t"][: getattr(Source, method).__code__.co_argcount - 1]))


@pytest.mark.parametrize("cls", [c for c in SOURCES.values() if issubclass(c, Source)] + [StaticSource])
def test_http_sources_implement_every_method(cls: type[Source]) -> None:
    for method in CONTRACT:
        assert getattr(cls, method) is not getattr(Source, method), (cls.__name__, method)
    assert cls.name != Source.name
