"""Fault-injection fixtures: data dirs copied from one catalogue seeded once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.support import PASSWORD, copy_data


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalogue, seeded and indexed once, with an admin account ``alice``; copied, never written."""
    from catalogue.accounts import Accounts
    from catalogue.engine import Engine
    from catalogue.settings import Settings

    data = tmp_path_factory.mktemp("faults-base")
    engine = Engine.open(Settings.load({"data_dir": str(data)}, environ={}))
    Accounts(engine.store).add("alice", "admin", PASSWORD)
    engine.close()
    return data


@pytest.fixture
def data_dir(base_dir: Path, tmp_path: Path) -> Path:
    return copy_data(base_dir, tmp_path / "data")


@pytest.fixture
def admin_client() -> Iterator:
    clients: list[httpx.Client] = []

    def make(url: str, **kw) -> httpx.Client:
        c = httpx.Client(base_url=url, follow_redirects=False, timeout=60, **kw)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()
