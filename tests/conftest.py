"""Shared fixtures: real SQLite files, real Whoosh indexes in temp dirs, a real uvicorn."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from catalogue.engine import Engine
from catalogue.model import Equivalence, Standard
from catalogue.settings import Settings
from catalogue.store.database import Store
from catalogue.web.app import create_app


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
    """The web app on a real uvicorn over the bundled catalogue."""
    app = create_app(Settings.load({"data_dir": str(bundle_dir)}, environ={}))
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30, follow_redirects=False) as client:
        yield client
