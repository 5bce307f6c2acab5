"""Settings, each declared once with its type, default, environment variable and help.

Precedence: an explicit value (a CLI flag) > the environment variable > the default.
The declarations are the fields of :class:`Settings`, so access is typed
(``settings.port`` is an ``int``); :data:`SETTINGS` lists them for the CLI, whose
flags take their help and defaults from here, and for ``tieuchuan settings``,
which prints :func:`describe`.  The README's settings table is the same text, so
documentation cannot drift (a test compares them).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalogue.errors import InvalidInput

__all__ = ["SETTINGS", "Setting", "Settings", "describe", "get"]


@dataclass(frozen=True)
class Setting:
    """One declaration: ``cast`` reads the environment's text, ``minimum`` bounds numbers."""

    name: str
    default: Any
    help: str
    cast: Callable[[str], Any] = str
    minimum: float | None = None

    @property
    def env(self) -> str:
        return "TIEUCHUAN_" + self.name.upper()

    def check(self, value: Any) -> Any:
        """``value`` if acceptable, else :class:`InvalidInput` naming the setting and its variable."""
        if self.minimum is not None and value < self.minimum:
            raise InvalidInput(f"{self.name} ({self.env}) phải ≥ {self.minimum} / must be ≥ {self.minimum}: {value!r}")
        return value


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


_CASTS: dict[Any, Callable[[str], Any]] = {str: str, int: int, float: float, bool: _bool}


def _declare(default: Any, help: str, minimum: float | None = None) -> Any:
    return field(default=default, metadata={"help": help, "minimum": minimum})


@dataclass(frozen=True)
class Settings:
    """Resolved values, one typed attribute per setting; :meth:`load` applies the precedence."""

    data_dir: str = _declare("./var", "Folder holding the SQLite store and the search index.")
    host: str = _declare("127.0.0.1", "Address the web server listens on.")
    port: int = _declare(8000, "Port the web server listens on.", minimum=0)
    page_size: int = _declare(10, "Results per page on the web page and the API default.", minimum=1)
    rebuild_on_start: bool = _declare(True, "Rebuild a missing or corrupt index from the store at start-up.")
    secret_key: str = _declare(
        "", "Key signing session cookies; empty: generated once into <data_dir>/secret_key (0600)."
    )
    https: bool = _declare(False, "Mark session cookies Secure (serving over HTTPS or behind a TLS proxy).")
    workers: int = _declare(0, "Web server processes, each with its own searcher; 0: one per CPU core.", minimum=0)
    threads: int = _declare(
        4,
        "Threads per web server process that run blocking work other than searches (SQLite, files, argon2):"
        " see compute_threads.",
        minimum=1,
    )
    compute_threads: int = _declare(
        1,
        "Threads per web server process that run searches, recommendations and result pages (the rest of the"
        " blocking work has `threads`). That work is Python holding the GIL: a second thread only contends with"
        " the first and with the event loop (in the load bench 1 served about 1.6 times the requests of 4).",
        minimum=1,
    )
    shared_bodies: bool = _declare(
        True,
        "Keep result pages and API answers in <data_dir>/cache/bodies.sqlite3, shared by the web server's"
        " processes: a query one worker answered is not computed again by the others while the index is unchanged.",
    )
    rebuild_nice: int = _declare(
        10,
        "How far `tieuchuan index` (a rebuild, and its build processes) lowers its CPU priority, as nice"
        " (0-19): serving keeps the cores on a small machine; 0: the caller's priority. Under Linux's"
        " autogroups nice ranks a process only within its session: run it as its own session"
        " (`setsid tieuchuan index --rebuild`) and it lowers its session's autogroup too.",
        minimum=0,
    )
    crawl_contact: str = _declare("", "Contact (e-mail or URL) the crawler puts in its User-Agent.")
    crawl_delay: float = _declare(
        1.0, "Seconds between two requests to one host (a robots.txt Crawl-delay may ask for more).", minimum=0
    )
    crawl_concurrency: int = _declare(2, "Requests the crawler keeps in flight per host.", minimum=1)
    crawl_timeout: float = _declare(15.0, "Seconds before the crawler abandons a request.", minimum=0.1)
    crawl_retries: int = _declare(
        3, "Retries of a failed request (error, timeout, 429, 5xx), with exponential backoff.", minimum=0
    )
    base_url: str = _declare(
        "",
        "Public origin of the site (https://example.org) for absolute links in feeds, OpenSearch and CSV;"
        " empty: the request's Host, which must then be one of allowed_hosts.",
    )
    allowed_hosts: str = _declare(
        "127.0.0.1,localhost", "Host names answered when base_url is empty (comma-separated; * answers any)."
    )
    trusted_proxies: str = _declare(
        "",
        "Addresses or networks (comma-separated) of reverse proxies whose X-Forwarded-For is believed;"
        " empty: none, the connecting address is the client's.",
    )
    max_upload_mb: int = _declare(
        50, "Largest import upload accepted, in MiB (413 beyond); other request bodies are limited to 1 MiB.", minimum=1
    )
    keep_alive: int = _declare(5, "Seconds an idle keep-alive connection stays open.", minimum=1)
    header_timeout: int = _declare(
        10, "Seconds a client has to send a whole request head before it gets 408 and is closed.", minimum=1
    )
    max_connections: int = _declare(200, "Connections served at once; beyond it new requests get 503.", minimum=1)
    max_header_bytes: int = _declare(
        16384, "Largest request head (request line and headers) accepted, in bytes; beyond it 400.", minimum=1024
    )

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        overrides = overrides or {}
        unknown = set(overrides) - set(_BY_NAME)
        if unknown:
            raise ValueError(f"not settings: {', '.join(sorted(unknown))}")
        values = {}
        for s in SETTINGS:
            if overrides.get(s.name) is not None:
                value = overrides[s.name]
            elif s.env in environ:
                try:
                    value = s.cast(environ[s.env])
                except ValueError as exc:
                    raise InvalidInput(f"{s.env}: giá trị không hợp lệ / invalid value: {exc}") from exc
            else:
                value = s.default
            values[s.name] = s.check(value)
        return cls(**values)

    @property
    def values(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def store_path(self) -> Path:
        return self.data_path / "catalogue.sqlite3"

    @property
    def index_path(self) -> Path:
        return self.data_path / "index"

    @property
    def bodies_path(self) -> Path:
        """The response bodies the web server's processes share (disposable: :mod:`catalogue.store.bodies`)."""
        return self.data_path / "cache" / "bodies.sqlite3"

    @property
    def worker_count(self) -> int:
        """``workers``, with 0 meaning one per CPU core."""
        return self.workers or os.cpu_count() or 1

    @property
    def host_list(self) -> list[str]:
        return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]

    @property
    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """``trusted_proxies`` parsed; :class:`InvalidInput` for an entry that is not an address or network."""
        try:
            return [ipaddress.ip_network(p.strip(), strict=False) for p in self.trusted_proxies.split(",") if p.strip()]
        except ValueError as exc:
            raise InvalidInput(f"TIEUCHUAN_TRUSTED_PROXIES: địa chỉ không hợp lệ / invalid address: {exc}") from exc

    @property
    def public_origin(self) -> tuple[str, str] | None:
        """``(scheme, host[:port])`` of ``base_url``, or ``None``; :class:`InvalidInput` unless it is an origin."""
        raw = self.base_url.strip()
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
        if self.secret_key:
            return self.secret_key
        path = self.data_path / "secret_key"
        if not path.exists():
            self.data_path.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def _declarations() -> tuple[Setting, ...]:
    hints = typing.get_type_hints(Settings)
    return tuple(
        Setting(f.name, f.default, f.metadata["help"], _CASTS[hints[f.name]], f.metadata["minimum"])
        for f in dataclasses.fields(Settings)
    )


SETTINGS: tuple[Setting, ...] = _declarations()
_BY_NAME = {s.name: s for s in SETTINGS}


def describe() -> str:
    """A Markdown table of every setting."""
    rows = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)


def get(name: str) -> Setting:
    return _BY_NAME[name]
