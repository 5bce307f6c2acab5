"""The command line, run as a real subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.seed import bundled_standards


def run(*args: str, data_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "catalogue.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_search_json_shape(bundle_dir: Path) -> None:
    proc = run("search", "nuoc", "mam", "--json", data_dir=bundle_dir)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= {"query", "total", "page", "hits", "facets", "suggestion"}
    hit = data["hits"][0]
    assert set(hit) >= {"number", "kind", "title_vi", "title_en", "status", "year", "ics", "score", "highlight"}
    assert hit["number"] == "TCVN 5107:2003"
    assert set(data["facets"]) == {"kind", "status", "ics_field", "ministry", "decade"}


def test_search_filters(bundle_dir: Path) -> None:
    proc = run(
        "search",
        "an",
        "toàn",
        "--kind",
        "QCVN",
        "--status",
        "active",
        "--year-from",
        "2015",
        "--limit",
        "50",
        "--json",
        data_dir=bundle_dir,
    )
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)["hits"]
    assert hits
    assert all(h["kind"] == "QCVN" and h["status"] == "active" and h["year"] >= 2015 for h in hits)


def test_human_output(bundle_dir: Path) -> None:
    proc = run("search", "TCVN 8430:2010", data_dir=bundle_dir)
    assert proc.returncode == 0
    assert "TCVN 8430:2010" in proc.stdout
    assert "Phomat" in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("search", "x", "--limit", "0"),
        ("search", "x", "--year-from", "abc"),
        ("search", "x", "--kind", "ISO"),
        ("search",),
        ("frobnicate",),
    ],
)
def test_bad_arguments_exit_2_without_traceback(bundle_dir: Path, args: tuple) -> None:
    proc = run(*args, data_dir=bundle_dir)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "error" in proc.stderr


def test_bad_setting_in_environment_is_a_clear_error(bundle_dir: Path) -> None:
    proc = run("search", "x", data_dir=bundle_dir, env={"TIEUCHUAN_PAGE_SIZE": "many"})
    assert proc.returncode == 2
    assert "TIEUCHUAN_PAGE_SIZE" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_index_builds_store_and_index_in_a_fresh_dir_then_rebuilds(tmp_path: Path) -> None:
    base = os.nice(0)  # what the command starts from: this process's niceness
    proc = run("index", data_dir=tmp_path, env={"TIEUCHUAN_REBUILD_NICE": "0"})
    assert proc.returncode == 0, proc.stderr
    assert f"{sum(1 for _ in bundled_standards())} documents" in proc.stdout
    assert proc.stdout.rstrip().endswith(f"; nice {base}")  # 0: the caller's priority
    assert (tmp_path / "catalogue.sqlite3").is_file()
    first = (tmp_path / "index" / "CURRENT").read_text()
    proc = run("index", "--rebuild", data_dir=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "index" / "CURRENT").read_text() != first
    assert proc.stdout.rstrip().endswith(f"; nice {min(base + 10, 19)}")  # by default, below the server's
    proc = run("index", "--nice", "3", data_dir=tmp_path, env={"TIEUCHUAN_REBUILD_NICE": "12"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith(f"; nice {min(base + 3, 19)}")  # the flag beats the environment


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = run("search", "x", data_dir=blocker)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "error" in proc.stderr


def test_readme_documents_every_setting() -> None:
    from catalogue.settings import describe

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert describe() in readme


def test_every_serve_flag_reaches_its_setting() -> None:
    from catalogue import cli

    argv = ["serve", "--workers", "1", "--threads", "3", "--port", "8123", "--host", "127.0.0.2"]
    settings = cli._settings(cli.build_parser().parse_args(argv))
    assert (settings.worker_count, settings.threads, settings.port, settings.host) == (1, 3, 8123, "127.0.0.2")
    unset = cli._settings(cli.build_parser().parse_args(["serve"]))
    assert unset.worker_count == (os.cpu_count() or 1)  # 0: one per core


def _lowered(tmp_path: Path, new_session: bool) -> tuple[int, str]:
    """(niceness gained, what the autogroup file holds) in a child that lowers its priority by 5."""
    group = tmp_path / f"autogroup-{new_session}"
    group.write_text("untouched")
    code = (
        "import os, sys; from pathlib import Path; from catalogue.cli import lower_priority;"
        f"before = os.nice(0); print(lower_priority(5, Path({str(group)!r})) - before)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        start_new_session=new_session,
    ).stdout
    return int(out.strip()), group.read_text()


def test_a_rebuild_leading_its_session_lowers_its_autogroup_too(tmp_path: Path) -> None:
    if os.nice(0) > 14:
        pytest.skip("already at the lowest priority")
    assert _lowered(tmp_path, new_session=True) == (5, str(os.nice(0) + 5))
    assert _lowered(tmp_path, new_session=False) == (5, "untouched")  # a terminal's session: left alone
