"""Serving with several processes: uvicorn's supervisor, one app (and searcher) per worker.

Why: query evaluation is CPU-bound Python and numpy under one GIL, so one
process uses one core; a worker per core uses them all.

Contracts:

* :func:`serve` with one worker serves the app in this process.  With more, it
  first readies the data dir here, once (seed, index check or rebuild, catch-up,
  the session key), then starts the workers through uvicorn's supervisor, which
  restarts a worker that dies.
* Workers are started from an import string (:func:`app`, a factory): uvicorn
  spawns fresh interpreters.  :func:`serve` exports the resolved settings to the
  environment first, so every worker sees what the command line said.
* Each worker opens its own engine in its lifespan (store connection, index
  searcher, snapshot) and sees the other workers' writes as separate processes
  always have: its index searcher checks for new commits at most every
  :data:`indexer.index.FRESHNESS` seconds, and the snapshot swaps in without a stall.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from starlette.applications import Starlette

from catalogue.settings import SETTINGS, Settings

__all__ = ["app", "export", "serve"]

FACTORY = "catalogue.web.workers:app"


def app() -> Starlette:
    """The app of one worker, from the environment (uvicorn's ``factory=True``)."""
    from catalogue.web.app import create_app

    return create_app(Settings.load())


def export(settings: Settings, environ: Any = None) -> None:
    """Write every resolved setting to ``environ`` (default ``os.environ``) for the workers."""
    environ = os.environ if environ is None else environ
    for s in SETTINGS:
        environ[s.env] = str(settings.values[s.name])


def serve(settings: Settings, **options: Any) -> None:
    """Serve on ``settings.host:port`` with ``settings.worker_count`` processes; ``options`` go to uvicorn."""
    import uvicorn

    from catalogue.web import server

    options.setdefault("log_level", "info")
    # uvloop: with asyncio's loop, uvicorn's workers answer every keep-alive request ~40 ms late: uvicorn binds
    # the shared socket with proto 0, so asyncio never sets TCP_NODELAY (Nagle meets the client's delayed ACK)
    options.setdefault("loop", "uvloop" if importlib.util.find_spec("uvloop") else "asyncio")
    workers = settings.worker_count
    if workers == 1:
        from catalogue.web.app import create_app

        uvicorn.Server(server.config(create_app(settings), settings, **options)).run()
        return
    from catalogue.engine import Engine

    Engine.open(settings).close()  # seed, check or rebuild, catch up: once, not once per worker
    settings.session_secret()  # generated once here, read by every worker
    export(settings)
    # timeouts, limits and the header deadline as in one process (catalogue/web/server.py)
    uvicorn.run(FACTORY, factory=True, workers=workers, **server.options(settings, importable=True, **options))
