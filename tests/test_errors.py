"""One exception hierarchy: every class carries its HTTP status, CLI exit code and JSON code."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import catalogue.errors as errors
from catalogue.errors import Conflict, Disallowed, FetchFailed, InvalidInput, TieuchuanError, ValidationError

ROOT = Path(__file__).resolve().parents[1]
CLASSES = [getattr(errors, name) for name in errors.__all__]


def test_every_class_is_in_the_hierarchy_with_status_exit_code_and_code() -> None:
    codes = set()
    for cls in CLASSES:
        assert issubclass(cls, TieuchuanError), cls
        assert 400 <= cls.status < 600 and cls.exit_code in (1, 2), cls
        codes.add(cls.code)
    assert len(codes) == len(CLASSES)  # JSON codes tell the classes apart


def test_input_errors_are_4xx_and_exit_2_the_rest_exit_1() -> None:
    for cls in CLASSES:
        if issubclass(cls, InvalidInput):
            assert cls.status < 500 and cls.exit_code == 2, cls
        else:
            assert cls.exit_code == 1, cls


def test_details_travel_with_the_error() -> None:
    exc = Conflict("stale", {"title_en": {"from": "a", "to": "b"}})
    assert isinstance(exc, ValidationError) and exc.problems == ["stale"] and exc.status == 409
    fetch = FetchFailed("http://x/a", "HTTP 500", 500)
    assert (fetch.url, fetch.reason, fetch.http_status, fetch.message) == (
        "http://x/a",
        "HTTP 500",
        500,
        "http://x/a: HTTP 500",
    )
    assert isinstance(Disallowed("http://x/private"), FetchFailed)
    assert "robots.txt" in Disallowed("http://x/private").reason


def test_no_module_defines_an_exception_of_its_own() -> None:
    bases = {"Exception", "BaseException", "ValueError", "RuntimeError", "LookupError", *errors.__all__}
    offenders = []
    for package in ("catalogue", "indexer"):
        for path in (ROOT / package).rglob("*.py"):
            if path == Path(inspect.getfile(errors)):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    names = {getattr(b, "id", getattr(b, "attr", None)) for b in node.bases}
                    if names & bases:
                        offenders.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert offenders == []
