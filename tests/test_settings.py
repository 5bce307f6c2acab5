"""Settings declared once: precedence, typed values, bounds, the generated table."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from catalogue.errors import InvalidInput
from catalogue.settings import SETTINGS, Settings, describe, get


def test_a_flag_beats_the_environment_which_beats_the_default() -> None:
    env = {"TIEUCHUAN_PORT": "9000", "TIEUCHUAN_PAGE_SIZE": "25"}
    settings = Settings.load({"port": 7000}, environ=env)
    assert (settings.port, settings.page_size, settings.host) == (7000, 25, "127.0.0.1")
    assert Settings.load(environ={}).port == 8000


def test_values_are_typed_from_the_declarations() -> None:
    env = {"TIEUCHUAN_HTTPS": "yes", "TIEUCHUAN_CRAWL_DELAY": "0.25", "TIEUCHUAN_CRAWL_RETRIES": "5"}
    settings = Settings.load(environ=env)
    assert settings.https is True and settings.crawl_delay == 0.25 and settings.crawl_retries == 5
    assert {s.name: s.cast for s in SETTINGS}["crawl_concurrency"] is int


@pytest.mark.parametrize(
    ("env", "value"),
    [("TIEUCHUAN_PORT", "many"), ("TIEUCHUAN_HTTPS", "perhaps"), ("TIEUCHUAN_CRAWL_DELAY", "-1")],
)
def test_bad_values_name_their_variable(env: str, value: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Settings.load(environ={env: value})
    assert env in info.value.message


def test_bounds_apply_to_flags_too() -> None:
    with pytest.raises(InvalidInput):
        Settings.load({"crawl_timeout": 0.0}, environ={})
    with pytest.raises(InvalidInput):
        Settings.load({"crawl_concurrency": 0}, environ={})
    with pytest.raises(ValueError):
        Settings.load({"no_such_setting": 1}, environ={})


def test_every_setting_has_help_an_environment_variable_and_a_row() -> None:
    table = describe()
    for s in SETTINGS:
        assert s.help and s.env == "TIEUCHUAN_" + s.name.upper()
        assert f"| `{s.name}` | `{s.env}` |" in table
    for name in ("crawl_delay", "crawl_concurrency", "crawl_timeout", "crawl_retries", "crawl_contact"):
        assert get(name).name == name


def test_the_session_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path / "d")}, environ={})
    secret = settings.session_secret()
    assert len(secret) > 40 and settings.session_secret() == secret
    assert stat.S_IMODE((tmp_path / "d" / "secret_key").stat().st_mode) == 0o600
    assert Settings.load({"secret_key": "given"}, environ={}).session_secret() == "given"


def test_paths_derive_from_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.load({"data_dir": str(tmp_path)}, environ={})
    assert settings.store_path == tmp_path / "catalogue.sqlite3" and settings.index_path == tmp_path / "index"
