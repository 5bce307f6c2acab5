"""The app: the lifespan opens (and repairs) the engine, routes are wired, language and health."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from catalogue.settings import Settings
from catalogue.store.database import Store
from catalogue.web.app import create_app
from tests.conftest import BUNDLED, asgi


def test_healthz(http: httpx.Client) -> None:
    data = http.get("/healthz").json()
    assert data["status"] == "ok"
    assert data["standards"] == data["indexed"] == BUNDLED
    assert data["watermark"] == data["store_seq"]


def test_the_lifespan_opens_the_engine_and_rebuilds_a_missing_index(bundle_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    source = Store(bundle_dir / "catalogue.sqlite3")
    source.backup(data / "catalogue.sqlite3")  # the store only: no index at all
    source.close()
    app = create_app(Settings.load({"data_dir": str(data)}, environ={}))
    with asgi(app) as client:
        engine = app.state.site.engine
        assert any("rebuilding from the store" in e for e in engine.events)
        assert client.get("/healthz").json()["indexed"] == BUNDLED
        assert client.get("/search", params={"q": "nuoc mam"}).status_code == 200
    assert (data / "index" / "CURRENT").is_file()
    shutil.rmtree(data)


def test_every_route_family_is_wired(http: httpx.Client) -> None:
    paths = {getattr(r, "path", "") for r in http.app.routes}  # type: ignore[attr-defined]
    assert {"/", "/search", "/api/search", "/admin", "/admin/login", "/lang", "/healthz", "/static"} <= paths


def test_the_language_choice_never_redirects_off_site(http: httpx.Client) -> None:
    for target in ("//evil.example", "https://evil.example/", "evil"):
        r = http.get("/lang", params={"to": "en", "next": target})
        assert r.status_code == 303 and r.headers["location"] == "/"
    r = http.get("/lang", params={"to": "klingon", "next": "/ics"})
    assert r.headers["location"] == "/ics" and "lang=vi" in r.headers["set-cookie"]


def test_blocking_work_runs_on_as_many_threads_as_the_setting_says(bundle_dir: Path) -> None:
    import anyio.to_thread

    app = create_app(Settings.load({"data_dir": str(bundle_dir), "threads": 3}, environ={}))
    with asgi(app) as client:
        assert client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens) == 3
        assert client.get("/api/search", params={"q": "xi măng"}).status_code == 200
