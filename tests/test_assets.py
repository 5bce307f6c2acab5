"""Static files: fingerprinted, immutable for a year, gzip for clients that accept it."""

from __future__ import annotations

import asyncio
import gzip
import re
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from catalogue.web.assets import Assets
from catalogue.web.http import TEMPLATES

CSS = b"body { color: #222; }\n" * 40


class Static:
    """``Assets`` mounted at /static, called in-process; bodies come back as sent (not decoded)."""

    def __init__(self, folder: Path) -> None:
        self.assets = Assets(folder)
        self.app = Starlette(routes=[Mount("/static", self.assets)])

    def __call__(self, url: str, method: str = "GET", **headers: str) -> tuple[int, httpx.Headers, bytes]:
        async def go() -> tuple[int, httpx.Headers, bytes]:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
                async with client.stream(method, url, headers=hdrs) as r:
                    return r.status_code, r.headers, b"".join([c async for c in r.aiter_raw()])

        return asyncio.run(go())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "site.css").write_bytes(CSS)
    (tmp_path / "tiny.js").write_bytes(b"x")
    return tmp_path


def test_the_fingerprinted_name_is_immutable_and_gzipped(folder: Path) -> None:
    static = Static(folder)
    url = static.assets.url("site.css")
    assert re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", url)
    status, headers, raw = static(url, accept_encoding="gzip")
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith("text/css")
    assert len(raw) < len(CSS) and gzip.decompress(raw) == CSS
    _, headers, raw = static(url, accept_encoding="identity")
    assert raw == CSS and "content-encoding" not in headers


def test_the_plain_name_revalidates_and_answers_304(folder: Path) -> None:
    static = Static(folder)
    status, headers, raw = static("/static/site.css", accept_encoding="identity")
    assert status == 200 and headers["cache-control"] == "no-cache" and raw == CSS
    status, _, raw = static("/static/site.css", if_none_match=headers["etag"])
    assert status == 304 and raw == b""


def test_a_changed_file_gets_a_new_name_and_old_or_unknown_names_are_404(folder: Path) -> None:
    old = Static(folder).assets.url("site.css")
    (folder / "site.css").write_bytes(CSS + b"a { }\n")
    static = Static(folder)
    new = static.assets.url("site.css")
    assert new != old
    assert static(old)[0] == 404
    assert static("/static/nothing.css")[0] == 404
    assert static("/static/../app.py")[0] == 404
    assert static(new, method="POST")[0] == 405
    assert "content-encoding" not in static(static.assets.url("tiny.js"), accept_encoding="gzip")[1]


def test_pages_link_the_fingerprinted_files(http: httpx.Client) -> None:
    page = http.get("/").text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert sorted(u.split("/")[-1].split(".")[0] for u in urls) == ["favicon", "site", "site", "suggest"]
    for url in urls:
        r = http.get(url)
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
        name = url.split("/")[-1].split(".")
        assert r.content == (TEMPLATES / "static" / f"{name[0]}.{name[-1]}").read_bytes()


def test_the_favicon_answers_at_its_conventional_name_compressed(http: httpx.Client) -> None:
    r = http.get("/favicon.ico", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["content-encoding"] == "gzip" and r.headers["cache-control"] == "no-cache"
    assert r.content == (TEMPLATES / "static" / "favicon.svg").read_bytes() and b"<svg" in r.content
    assert http.get("/favicon.ico", headers={"if-none-match": r.headers["etag"]}).status_code == 304
    page = http.get("/").text
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg" type="image/svg\+xml">', page)


def test_an_alias_names_only_a_file_of_the_folder(folder: Path) -> None:
    with pytest.raises(KeyError):
        Static(folder).assets.alias("nothing.svg")
