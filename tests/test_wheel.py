"""The wheel: built from the checkout, installed into a fresh venv outside it, serving a search and a detail page.

The fresh venv gets the wheel with ``--no-deps``; its dependencies come from the
interpreter running the tests, through a ``.pth`` line naming that interpreter's
site-packages (``.pth`` files found *there* are not processed, so an editable
install of the checkout stays invisible).  The checkout is never on ``sys.path``:
no ``PYTHONPATH``, and every command runs in a temporary directory.  Whether the
declared dependencies are complete is checked separately, against the wheel's
metadata, so the test needs no download beyond the build backend.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.packaging
ROOT = Path(__file__).resolve().parents[1]


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def _run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)], cwd=out)
    (built,) = out.glob("tieuchuan-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(home / "venv")], cwd=home)
    python = home / "venv" / "bin" / "python"
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], home).stdout.strip()
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_tieuchuan_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], cwd=home)
    return home / "venv"


def test_the_wheel_holds_every_package_the_data_and_the_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "catalogue/web/app.py",
        "catalogue/store/database.py",
        "indexer/sources/base.py",
        "indexer/crawl/crawler.py",
        "catalogue/data/standards.jsonl",
        "catalogue/data/product_groups.json",
        "catalogue/templates/base.html",
        "catalogue/templates/admin/login.html",
        "catalogue/templates/static/site.css",
    ):
        assert required in names, required
    packages = {str(Path(n).parent) for n in names if n.endswith(".py")}
    for package in packages:
        assert f"{package}/__init__.py" in names, f"{package} is not a package in the wheel"
    assert not any(n.startswith("tests/") for n in names)


def _third_party_imports() -> set[str]:
    found = set()
    for package in ("catalogue", "indexer"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"catalogue", "indexer", "__future__"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_wheel_declares_every_library_the_code_imports(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        metadata = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(metadata).decode()
    declared = {
        _normal(re.split(r"[ ;<>=!~\[]", line.split(":", 1)[1].strip())[0])
        for line in text.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    providers = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(_third_party_imports()):
        dists = {_normal(d) for d in providers.get(module, [module])}
        if not dists & declared:
            missing[module] = sorted(dists)
    assert missing == {}, f"imported but not in Requires-Dist: {missing}"


@pytest.fixture(scope="module")
def served(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("serve")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(venv / "bin" / "tieuchuan"),
            "serve",
            "--data-dir",
            str(workdir / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=workdir,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # first start seeds the bundle and builds the index
    try:
        while True:
            assert proc.poll() is None, f"tieuchuan serve exited:\n{proc.stdout.read()[-3000:]}"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "tieuchuan serve did not answer within 300 s"
            time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_installed_code_is_the_wheels(venv: Path, tmp_path: Path) -> None:
    probe = "import catalogue, indexer.sources, catalogue.web.http as h; print(catalogue.__file__); print(h.TEMPLATES)"
    out = _run([str(venv / "bin" / "python"), "-c", probe], cwd=tmp_path).stdout.split()
    assert all(str(venv) in line and str(ROOT) not in line for line in out), out


def test_the_installed_command_serves_a_search_and_a_detail_page(served: str) -> None:
    with httpx.Client(base_url=served, timeout=30) as client:
        search = client.get("/search", params={"q": "nuoc mam"})
        assert search.status_code == 200 and "<mark>Nước</mark> <mark>mắm</mark>" in search.text
        detail = client.get("/standards/tcvn-8430-2010")
        assert detail.status_code == 200 and "Phomat không ủ chín" in detail.text
        assert client.get("/static/site.css").status_code == 200
        assert client.get("/api/search", params={"q": "xi măng"}).json()["total"] > 0
