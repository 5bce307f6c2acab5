"""Settings, each declared once with its type, default, environment variable and help.

Precedence: an explicit value (a CLI flag) > the environment variable > the default.
``tieuchuan settings`` prints this table; the README's settings section is
generated from the same declarations, so documentation cannot drift.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalogue.errors import InvalidInput

__all__ = ["SETTINGS", "Setting", "Settings"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    cast: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return "TIEUCHUAN_" + self.name.upper()


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./var", "Folder holding the SQLite store and the search index.", str),
    Setting("host", "127.0.0.1", "Address the web server listens on.", str),
    Setting("port", 8000, "Port the web server listens on.", int),
    Setting("page_size", 10, "Results per page on the web page and the API default.", int),
    Setting("rebuild_on_start", True, "Rebuild a missing or corrupt index from the store at start-up.", _bool),
    Setting(
        "secret_key", "", "Key signing session cookies; empty: generated once into <data_dir>/secret_key (0600).", str
    ),
    Setting("https", False, "Mark session cookies Secure (serving over HTTPS or behind a TLS proxy).", _bool),
    Setting("crawl_contact", "", "Contact (e-mail or URL) the crawler puts in its User-Agent.", str),
    Setting(
        "base_url",
        "",
        "Public origin of the site (https://example.org) for absolute links in feeds, OpenSearch and CSV;"
        " empty: the request's Host, which must then be one of allowed_hosts.",
        str,
    ),
    Setting(
        "allowed_hosts",
        "127.0.0.1,localhost",
        "Host names answered when base_url is empty (comma-separated; * answers any); others get 400.",
        str,
    ),
    Setting("keep_alive", 5, "Seconds an idle keep-alive connection stays open.", int),
    Setting("header_timeout", 10, "Seconds a client has to send a whole request head before it is closed.", int),
    Setting("max_connections", 200, "Connections served at once; beyond it new requests get 503.", int),
    Setting("max_header_bytes", 16384, "Largest request head (request line and headers) accepted, in bytes.", int),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class Settings:
    """Resolved values; ``Settings.load(overrides, environ)`` applies the precedence."""

    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        overrides = overrides or {}
        values = {}
        for s in SETTINGS:
            if overrides.get(s.name) is not None:
                values[s.name] = overrides[s.name]
            elif s.env in environ:
                try:
                    values[s.name] = s.cast(environ[s.env])
                except ValueError as exc:
                    raise InvalidInput(f"{s.env}: giá trị không hợp lệ / invalid value: {exc}") from exc
            else:
                values[s.name] = s.default
        return cls(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_path(self) -> Path:
        return Path(self.values["data_dir"])

    @property
    def store_path(self) -> Path:
        return self.data_path / "catalogue.sqlite3"

    @property
    def index_path(self) -> Path:
        return self.data_path / "index"

    @property
    def host_list(self) -> list[str]:
        return [h.strip() for h in str(self.values.get("allowed_hosts") or "").split(",") if h.strip()]

    @property
    def public_origin(self) -> tuple[str, str] | None:
        """``(scheme, host[:port])`` of ``base_url``, or ``None``; :class:`InvalidInput` unless it is an origin."""
        raw = str(self.values.get("base_url") or "").strip()
        if not raw:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
            raise InvalidInput(
                f"TIEUCHUAN_BASE_URL phải là một gốc như https://example.org / must be an origin like"
                f" https://example.org, not {raw!r}"
            )
        return parts.scheme, parts.netloc

    def session_secret(self) -> str:
        """The configured key, or one generated once and kept in the data dir with mode 0600."""
        if self.values.get("secret_key"):
            return self.values["secret_key"]
        path = self.data_path / "secret_key"
        if not path.exists():
            self.data_path.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def describe() -> str:
    """A Markdown table of every setting."""
    rows = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)


def get(name: str) -> Setting:
    return _BY_NAME[name]
