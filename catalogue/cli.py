"""The ``tieuchuan`` command line.

Every command takes ``--data-dir`` (env ``TIEUCHUAN_DATA_DIR``, default ``./var``).
Flags that set a setting take their help and default from its declaration
(:mod:`catalogue.settings`); choices come from the constants that define them.
Errors print one line on stderr and exit with the error's ``exit_code``
(:mod:`catalogue.errors`); no traceback reaches the user.
Exit codes: 0 success, 1 an error of ours (store, index, network), 2 bad arguments or input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from catalogue.accounts import ROLES
from catalogue.errors import InvalidInput, TieuchuanError, from_os_error
from catalogue.identifiers import KINDS
from catalogue.model import STATUSES, YEAR_MAX, YEAR_MIN
from catalogue.search.searcher import SORTS
from catalogue.settings import Settings, describe, get
from indexer.sources import SOURCES

__all__ = ["main"]

# flag destination -> the setting it sets
SETTING_FLAGS = {
    "data_dir": "data_dir",
    "host": "host",
    "port": "port",
    "workers": "workers",
    "threads": "threads",
    "compute_threads": "compute_threads",
    "nice": "rebuild_nice",
    "delay": "crawl_delay",
    "concurrency": "crawl_concurrency",
    "timeout": "crawl_timeout",
    "retries": "crawl_retries",
    "contact": "crawl_contact",
}


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise argparse.ArgumentTypeError(f"year out of range {YEAR_MIN}..{YEAR_MAX}: {value}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1: {value}")
    return value


def _setting_flag(parser: argparse.ArgumentParser, flag: str, name: str) -> None:
    """A flag for a declared setting: unset means "the environment, else the default"."""
    s = get(name)
    kind = type(s.default)
    parser.add_argument(
        flag,
        type=kind if kind in (int, float) else str,
        default=None,
        help=f"{s.help} (setting {s.name}, env {s.env}, default {s.default or 'none'})",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _setting_flag(common, "--data-dir", "data_dir")
    parser = argparse.ArgumentParser(prog="tieuchuan", description="Search Vietnam's TCVN and QCVN catalogue.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("search", parents=[common], help="search the catalogue")
    p.add_argument("query", nargs="+", help="words or a standard number")
    p.add_argument("--kind", type=str.upper, choices=KINDS)
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--ics", help="ICS code or prefix, e.g. 67.120")
    p.add_argument("--ministry", help="issuing ministry of a QCVN, e.g. BKHCN")
    p.add_argument("--year-from", type=_year)
    p.add_argument("--year-to", type=_year)
    p.add_argument("--sort", choices=SORTS, default=SORTS[0])
    p.add_argument("--page", type=_positive, default=1)
    p.add_argument(
        "--limit", type=_positive, help=f"results per page (default: setting page_size, {get('page_size').default})"
    )
    p.add_argument("--json", action="store_true", help="print the API's JSON")

    p = sub.add_parser("index", parents=[common], help="check the index, building it if needed")
    p.add_argument("--rebuild", action="store_true", help="rebuild from the store even if it is healthy")
    _setting_flag(p, "--nice", "rebuild_nice")

    p = sub.add_parser("serve", parents=[common], help="serve the web site")
    _setting_flag(p, "--host", "host")
    _setting_flag(p, "--port", "port")
    _setting_flag(p, "--workers", "workers")
    _setting_flag(p, "--threads", "threads")
    _setting_flag(p, "--compute-threads", "compute_threads")

    p = sub.add_parser("recommend", parents=[common], help="standards that apply to a product")
    p.add_argument("text", nargs="*", help="the product, in Vietnamese or English")
    p.add_argument("--hs", help="HS code, with or without dots (6506.10 or 650610)")
    p.add_argument("--include-withdrawn", action="store_true", help="also list withdrawn editions")
    p.add_argument("--json", action="store_true", help="print the API's JSON")

    p = sub.add_parser("crawl", parents=[common], help="pull TCVN/QCVN metadata from the official catalogue")
    p.add_argument("--source", choices=list(SOURCES), default="vsqi")
    p.add_argument("--base-url", default="https://tieuchuan.vsqi.gov.vn", help="site to crawl (vsqi)")
    p.add_argument("--file", help="JSONL or CSV file (--source file)")
    p.add_argument("--max-pages", type=_positive, help="stop after this many pages")
    _setting_flag(p, "--delay", "crawl_delay")
    _setting_flag(p, "--concurrency", "crawl_concurrency")
    _setting_flag(p, "--timeout", "crawl_timeout")
    _setting_flag(p, "--retries", "crawl_retries")
    _setting_flag(p, "--contact", "crawl_contact")
    p.add_argument("--report", action="store_true", help="show the last crawls and the quarantine, then exit")

    p = sub.add_parser("export", parents=[common], help="write the catalogue as JSONL or CSV to stdout")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")

    p = sub.add_parser("user", parents=[common], help="secretariat accounts")
    user_sub = p.add_subparsers(dest="user_command", required=True)
    q = user_sub.add_parser("add", parents=[common], help="add an account (password from a prompt or stdin)")
    q.add_argument("name")
    q.add_argument("--role", choices=ROLES, required=True)
    user_sub.add_parser("list", parents=[common], help="list accounts")
    q = user_sub.add_parser("disable", parents=[common], help="disable an account and end its sessions")
    q.add_argument("name")

    p = sub.add_parser("backup", parents=[common], help="copy the store (online) and a manifest into PATH")
    p.add_argument("path")
    p = sub.add_parser("restore", parents=[common], help="restore a backup from PATH and rebuild the index")
    p.add_argument("path")

    sub.add_parser("settings", help="list every setting with its environment variable")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.load({name: getattr(args, flag, None) for flag, name in SETTING_FLAGS.items()})


def _progress_bar(total: int) -> Any:
    from rich.progress import Progress

    progress = Progress(transient=True)
    task = progress.add_task("Đang lập chỉ mục / indexing", total=total)
    return progress, lambda n: progress.update(task, completed=n)


def cmd_search(args: argparse.Namespace) -> int:
    from catalogue.engine import Engine
    from catalogue.search.searcher import SearchRequest

    settings = _settings(args)
    engine = Engine.open(settings)
    request = SearchRequest(
        q=" ".join(args.query),
        kind=args.kind,
        status=args.status,
        ics=args.ics,
        ministry=args.ministry,
        year_from=args.year_from,
        year_to=args.year_to,
        page=args.page,
        limit=args.limit or settings.page_size,
        sort=args.sort,
    )
    result = engine.search(request)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{result.total} kết quả / results for {result.query!r}")
    if result.message:
        print(result.message)
    if result.suggestion:
        print(f"Có phải bạn muốn tìm / did you mean: {result.suggestion}")
    for hit in result.hits:
        print(f"  {hit.number:<32} [{hit.status}] {hit.title_vi or hit.title_en or ''}")
    return 0


AUTOGROUP = Path("/proc/self/autogroup")


def lower_priority(step: int, autogroup: Path = AUTOGROUP) -> int:
    """Lower this process's CPU priority by ``step`` (at most to nice 19; processes it starts inherit it);
    returns its niceness.  Where priorities cannot be changed, nothing changes.

    Under Linux's autogroup scheduling a nice value ranks a process only against its own session's: a
    rebuild in another session than the server would still take half the cores.  So a process leading
    its own session (``setsid``, or started as a new session) also lowers the session's autogroup; one
    sharing a terminal's session leaves the terminal's other processes alone.
    """
    if not hasattr(os, "nice"):
        return 0
    current = os.nice(0)
    if step <= 0 or current >= 19:
        return current
    try:
        current = os.nice(min(step, 19 - current))
    except OSError:
        return current
    if os.getsid(0) == os.getpid():
        with contextlib.suppress(OSError):  # no autogroups here (another OS, or a kernel without them)
            autogroup.write_text(str(current))
    return current


def cmd_index(args: argparse.Namespace) -> int:
    from catalogue.engine import Engine

    settings = _settings(args)
    nice = lower_priority(settings.rebuild_nice)  # a build takes every core it can: serving goes first
    engine = Engine(settings)
    if args.rebuild:
        progress, update = _progress_bar(engine.store.count())
        with progress:
            meta = engine.rebuild(update)
    else:
        engine.ensure_ready()  # reports what it repaired on the log
        meta = engine.index.meta()
    rate = meta["count"] / meta["build_seconds"] if meta.get("build_seconds") else 0
    print(
        f"index: {meta['count']} documents, built {meta['built_at']} in {meta.get('build_seconds')} s"
        f" ({rate:.0f} records/s), watermark {meta['watermark']}; nice {nice}"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from catalogue.web import workers

    workers.serve(_settings(args))
    return 0


def cmd_recommend(args: argparse.Namespace) -> int:
    from catalogue.engine import Engine

    engine = Engine.open(_settings(args))
    result = engine.recommender.recommend(" ".join(args.text), args.hs, include_withdrawn=args.include_withdrawn)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if result.message:
        print(result.message)
    for g in result.groups:
        print(f"Nhóm / group: {g.name_vi} ({g.slug}, score {g.score})")
    for g in result.closest:
        print(f"Gần nhất / closest: {g.name_vi} ({g.slug})")
    if result.question:
        print(result.question["text"])
    sector = [(s, r) for s in result.sector_rules for r in s.items]
    for r in result.recommendations + [r for _, r in sector]:
        if r.mandatory:
            flag = "BẮT BUỘC / mandatory"
        elif r.basis == "sector":
            flag = "mọi sản phẩm cùng lĩnh vực / sector-wide"
        elif r.kind == "QCVN":
            flag = "có thể áp dụng / may also apply"
        else:
            flag = "tự nguyện / voluntary"
        print(f"  {r.number:<30} [{flag}] {r.title_vi or r.title_en or ''}")
        print(f"      {r.reason}")
        if r.legal_basis:
            print(f"      Căn cứ / legal basis: {r.legal_basis}")
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from catalogue.engine import Engine
    from indexer.crawl.crawler import Crawler, format_report
    from indexer.crawl.fetcher import FetchSettings
    from indexer.sources import VsqiSource

    app_settings = _settings(args)  # checks the crawl settings' bounds before anything opens
    engine = Engine.open(app_settings)
    if args.source == "file":
        if not args.file:
            raise InvalidInput("--source file cần --file PATH / --source file needs --file PATH")
        from catalogue.importer import import_file

        summary = import_file(engine, args.file)
        print(summary.line())
        return 0
    fetch = FetchSettings.from_settings(app_settings)
    source = VsqiSource(args.base_url)
    if args.report:
        print(format_report(Crawler(engine.store, engine.index, source, fetch).report()))
        return 0
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as bar:
        task = bar.add_task("crawl")
        crawler = Crawler(
            engine.store,
            engine.index,
            source,
            fetch,
            max_pages=args.max_pages,
            progress=lambda s: bar.update(task, description=s.line()),
        )
        summary = crawler.run()
    print(("resumed: " if summary.resumed else "") + summary.line())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from catalogue.engine import Engine
    from catalogue.exporter import export

    engine = Engine.open(_settings(args))
    export(engine.store, args.format, sys.stdout)
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    import getpass

    from catalogue.accounts import Accounts
    from catalogue.store.database import Store

    accounts = Accounts(Store(_settings(args).store_path))
    if args.user_command == "add":
        if sys.stdin.isatty():
            password = getpass.getpass("Mật khẩu / password: ")
            if getpass.getpass("Nhập lại / again: ") != password:
                raise InvalidInput("hai mật khẩu khác nhau / the passwords differ")
        else:
            password = sys.stdin.readline().rstrip("\n")
        user = accounts.add(args.name, args.role, password)
        print(f"added {user.name} ({user.role})")
    elif args.user_command == "list":
        for user in accounts.users():
            print(f"{user.name}\t{user.role}\t{'disabled' if user.disabled else 'active'}")
    else:
        accounts.disable(args.name)
        print(f"disabled {args.name}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from catalogue.backup import backup

    manifest = backup(_settings(args), args.path)
    print(f"backup: {manifest['standards']} standards, schema v{manifest['schema_version']} → {args.path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from catalogue.backup import restore

    manifest = restore(_settings(args), args.path)
    print(f"restored {manifest['standards']} standards from {args.path}; index rebuilt")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    print(describe())
    return 0


COMMANDS = {
    "search": cmd_search,
    "index": cmd_index,
    "serve": cmd_serve,
    "recommend": cmd_recommend,
    "crawl": cmd_crawl,
    "export": cmd_export,
    "user": cmd_user,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "settings": cmd_settings,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        return COMMANDS[args.command](args)
    except TieuchuanError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a full disk (or another failure we can explain) is a message, not a traceback
        known = from_os_error(exc)
        if known is None:
            raise
        print(f"error: {known.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
