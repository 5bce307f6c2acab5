"""Shared fixtures: real SQLite files, real Whoosh indexes in temp dirs, the app in process, a real uvicorn.

Tests mirror modules.  The rule (``tests/test_layout.py`` enforces it):

* ``<package>/<name>.py`` is tested in ``tests/test_<name>.py``
  (``catalogue/editing.py`` → ``test_editing.py``, ``indexer/crawl/fetcher.py``
  → ``test_fetcher.py``, ``catalogue/web/app.py`` → ``test_app.py``);
* modules of ``catalogue/store/`` and ``indexer/sources/`` are named after what
  they hold, which repeats names used elsewhere, so their tests carry the package:
  ``catalogue/store/accounts.py`` → ``test_store_accounts.py``,
  ``indexer/sources/file.py`` → ``test_sources_file.py``.

Other files hold end-to-end tests across modules (``test_web.py`` over a real
uvicorn, ``test_browser.py`` in Chromium, ``test_wheel.py`` from an installed
wheel, ``test_layout.py`` on the source tree).

Web tests run in process (:func:`asgi`, Starlette's ``TestClient``); only those
where a socket matters use :class:`LiveServer`.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.testclient import TestClient

from catalogue.engine import Engine
from catalogue.model import Equivalence, Standard
from catalogue.search.curations import StaticCurations
from catalogue.search.searcher import Searcher, SearchRequest
from catalogue.seed import bundled_standards
from catalogue.settings import Settings
from catalogue.store.database import Store
from catalogue.web.app import create_app
from indexer.index import Index

# how many records the bundle holds (catalogue/data/standards.jsonl): tests follow the bundle, not a constant
BUNDLED = sum(1 for _ in bundled_standards())


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the bundled catalogue, seeded and indexed once per session."""
    data_dir = tmp_path_factory.mktemp("bundle")
    Engine.open(Settings.load({"data_dir": str(data_dir)}, environ={})).close()
    return data_dir


@pytest.fixture(scope="session")
def engine(bundle_dir: Path) -> Iterator[Engine]:
    """Read-only engine over the bundled catalogue.  Tests must not write through it."""
    eng = Engine.open(Settings.load({"data_dir": str(bundle_dir)}, environ={}))
    eng.searcher.warm_up()
    yield eng
    eng.close()


@pytest.fixture
def writable_engine(bundle_dir: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine over a private copy of the bundled catalogue (store and index), free to write."""
    data = tmp_path / "data"
    data.mkdir()
    source = Store(bundle_dir / "catalogue.sqlite3")
    source.backup(data / "catalogue.sqlite3")  # consistent even while the session's engine has it open
    source.close()
    shutil.copytree(bundle_dir / "index", data / "index")
    eng = Engine.open(Settings.load({"data_dir": str(data)}, environ={}))
    yield eng
    eng.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load({"data_dir": str(tmp_path / "data")}, environ={})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = Store(tmp_path / "store.sqlite3")
    yield st
    st.close()


def make_standard(number: str = "TCVN 5107:2003", **fields: object) -> Standard:
    """A record for tests of mechanics (store, index); never shipped."""
    fields.setdefault("title_vi", "Nước mắm")
    fields.setdefault("sources", [{"ref": "test", "kind": "test"}])
    eq = fields.pop("equivalents", [])
    return Standard(number=number, equivalents=[Equivalence(**e) for e in eq], **fields)  # type: ignore[arg-type]


def sql(store: Store, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Raw SQL on the store's file through a connection of its own (tests only: the code has no SQL outside
    ``catalogue/store/``).  Errors propagate; writes are committed."""
    conn = sqlite3.connect(store.path, timeout=30)
    try:
        with conn:
            return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def asgi(app: object, **options: Any) -> TestClient:
    """An in-process client for ``app`` that does not follow redirects.  Use it as a context manager to run
    the app's lifespan, or directly when the app was given an opened engine."""
    # localhost: one of the default allowed_hosts (the app answers 400 to any other Host)
    return TestClient(app, base_url="http://localhost", follow_redirects=False, **options)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a background thread."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live(bundle_dir: Path) -> Iterator[LiveServer]:
    """The web app on a real uvicorn over the bundled catalogue (for tests where the socket matters)."""
    app = create_app(Settings.load({"data_dir": str(bundle_dir)}, environ={}))
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def site_client(bundle_dir: Path) -> Iterator[TestClient]:
    """The web app in process over the bundled catalogue, lifespan run once for the session."""
    app = create_app(Settings.load({"data_dir": str(bundle_dir)}, environ={}))
    with asgi(app) as client:
        yield client


@pytest.fixture
def http(site_client: TestClient) -> Iterator[httpx.Client]:
    """A fresh cookie jar on the in-process app (``TestClient`` is an ``httpx.Client``)."""
    site_client.cookies.clear()
    yield site_client


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    """A searcher over eleven SYNTHETIC records: an old edition and its replacement, scope-only and
    accent look-alike matches, a regulation found only through a curated product name ("ổ cắm")."""
    records = [
        make_standard("TCVN 90001:2001", title_vi="Ống nhựa dùng cấp nước", replaced_by=["TCVN 90001:2011"]),
        make_standard("TCVN 90001:2011", title_vi="Ống nhựa dùng cấp nước", replaces=["TCVN 90001:2001"]),
        make_standard("TCVN 90002:2015", title_vi="Ống thép", scope_vi="Ống dẫn nước bằng thép cho cấp nước"),
        make_standard("TCVN 90003:2019", title_vi="Xi măng - Phương pháp thử độ bền"),
        make_standard("QCVN 90:2020/BXD", title_vi="Quy chuẩn kỹ thuật quốc gia về xi măng"),
        make_standard("TCVN 90004:2018", title_vi="Mì chính"),
        make_standard(
            "TCVN 90005:2005", title_vi="Gạch rỗng đất sét nung dùng xây tường", replaced_by=["TCVN 90005:2015"]
        ),
        make_standard("TCVN 90005:2015", title_vi="Gạch rỗng đất sét nung", replaces=["TCVN 90005:2005"]),
        make_standard("TCVN 90006:2010", title_vi="Gỗ dán ghép từ thanh"),
        make_standard("TCVN 90007:2012", title_vi="Tủ bếp", scope_vi="Tủ bếp bằng gỗ dán"),
        make_standard("QCVN 91:2021/BKHCN", title_vi="Quy chuẩn kỹ thuật quốc gia về thiết bị điện gia đình"),
    ]
    index = Index(Path(tmp_path_factory.mktemp("tiny")) / "index")
    index.rebuild(iter(records), len(records))
    return Searcher(index, curations=StaticCurations([("ổ cắm", ["QCVN 91:2021/BKHCN"])]))


def numbers(searcher: Searcher, q: str) -> list[str]:
    """The numbers of the first page of hits for ``q``."""
    return [h.number for h in searcher.search(SearchRequest(q=q)).hits]
