"""A stand-in for the official catalogue, served by a real uvicorn in tests and benchmarks.

Detail pages are written from records in the official labels (SITE_STRUCTURE.md),
in a small grammar of markup (:class:`Style`): tables (two or four columns,
``td`` or ``th`` labels), definition lists, div grids, inline spans, "label:
value" text and bare lines; the Vietnamese and/or English label parts in either
order, joined by a slash, a colon, a line break, inline tags or nothing; upper
case, trailing colons, NBSP; "Validation Status" for "Status"; labels the reader
does not know.  :data:`STYLES` are the site's fixed variants; the page reader's
property test draws styles from the whole grammar.

The whole-catalogue mode (:meth:`FixtureSite.whole_catalogue`) serves a few
thousand SYNTHETIC records (every page says so) under ``/tim-kiem?si=1&page=N``
with windowed pagination, detail links under two spellings, QCVN pages under
``/quychuan/view`` and a few invalid pages.

Fault modes reproduce what a real site does to a crawler: bursts of 500, 429
with Retry-After, responses slower than the timeout, connections closed before
Content-Length, a wrong charset declaration, a redirect loop, one record under two
URLs, robots.txt disallowing a path, and invalid records.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import threading
import zlib
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any
from urllib.parse import quote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from catalogue.model import DEGREES, Equivalence, Standard
from catalogue.seed import DATA_DIR, bundled_standards

PAGE_SIZE = 10
SYNTHETIC_NOTE = "SYNTHETIC fixture record, not a real standard"
# labels the page reader does not know: kept in extra, never fatal (value, then the QCVN-only ones)
UNKNOWN = [("Mã vạch nội bộ", "Internal code", "X-42"), ("Ghi chú", "Note", "")]
QCVN_UNKNOWN = [("Cơ quan ban hành", "Issuing agency"), ("Loại văn bản", "Document type")]
LAYOUTS = ("table", "table_th", "table4", "dl", "grid", "grid_label", "inline", "text", "lines")


@dataclass(frozen=True)
class Style:
    """How one page writes its labels and values: one point of the grammar."""

    layout: str = "table"
    parts: str = "vi/en"  # which label parts, in which order: vi | en | vi/en | en/vi
    joiner: str = "<br>"  # between the parts: " / ", "/", "<br>", ": ", " ", "", "\n"
    wrap_first: str = ""  # inline tag around the first part ("" for none)
    wrap_second: str = "i"
    case: str = "as is"  # as is | upper | lower
    colon: bool = False  # a trailing colon on the label
    pad: str = ""  # whitespace around the label: "", "  ", "\u00a0", "\n   "
    value_join: str = "br"  # value lines: br | div | p
    validation_status: bool = False  # "Validation Status" instead of "Status"
    new_status: bool = False  # "A - Còn hiệu lực" without "(Active)"
    unknown: bool = True  # rows with labels the reader does not know
    mixed: bool = False  # every row its own separator, inline tag and colon


JOINERS = (" / ", "/", "<br>", ": ", " ", "", "\n")
WRAPS = ("", "span", "b", "small", "em", "i")


def _row_style(style: Style, i: int) -> Style:
    if not style.mixed:
        return style
    row = replace(style, joiner=JOINERS[i % len(JOINERS)], wrap_second=WRAPS[i % len(WRAPS)], colon=i % 3 == 0)
    if row.layout == "text" and not (row.joiner or row.wrap_first or row.wrap_second):
        row = replace(row, joiner=" ")  # "Số hiệuStandard Number" glued in running text is no label
    return row


STYLES = [
    Style("table", "vi/en", "<br>", "", "i"),
    Style("dl", "vi/en", " / ", "", "", case="upper", colon=True),
    Style("grid_label", "vi/en", "\n  ", "", "span", pad="\n  ", value_join="div"),
    Style("dl", "vi/en", " / ", "span", "em", validation_status=True),  # <dt><span>Số hiệu</span> / <em>…</em></dt>
    Style("grid", "en/vi", "<br>", "b", "small", value_join="div", new_status=True),
    Style("table_th", "vi", "", "", "", colon=True, pad="\u00a0", validation_status=True),
    Style("inline", "vi/en", "", "", "small", colon=True),
    Style("text", "vi/en", "/", "", "", value_join="div", validation_status=True),
    Style("table4", "en", "", "", "", case="upper"),
]


def sohieu_url(number: str, spelling: int = 0) -> str:
    kind = "quychuan" if number.startswith("QCVN") else "tieuchuan"
    if spelling == 1:  # "?sohieu=TCVN%207413:2004", as seen in the wild
        return f"/{kind}/view?sohieu={number.replace(' ', '%20')}"
    if spelling == 2:  # a leading NBSP
        return f"/{kind}/view?sohieu=%C2%A0{quote_plus(number)}"
    return f"/{kind}/view?sohieu={quote_plus(number)}"


def _ics_names() -> dict[str, str]:
    with open(DATA_DIR / "ics.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["code"]: r.get("title_vi") or r.get("title_en") or "" for r in rows}


ICS_NAMES = _ics_names()


def _dmy(iso: str | None) -> str:
    return "-".join(reversed(iso.split("-"))) if iso else ""


def status_text(record: Standard, new: bool = False) -> str:
    if record.status == "active":
        return "A - Còn hiệu lực" + ("" if new else " (Active)")
    if record.status in ("withdrawn", "replaced"):
        return "W - Hết hiệu lực" + ("" if new else " (Withdraw)")
    return ""


def page_fields(record: Standard, style: Style = Style()) -> list[tuple[str, str | None, list[str]]]:
    """(Vietnamese label, English label, value lines) in the official order."""
    eq = []
    for e in record.equivalents:
        eq.append(e.number)
        if e.degree:
            eq.append(f"{e.degree} - {DEGREES[e.degree][0]}")
    decision = []
    if record.decision or record.decision_date:
        date = record.extra.get("fixture_decision_date") or _dmy(record.decision_date)
        decision.append(f"{record.decision or ''} , Ngày {date}".strip(" ,") if date else record.decision)
    rows: list[tuple[str, str | None, list[str]]] = [
        ("Số hiệu", "Standard Number", [record.number]),
        ("Năm ban hành", "Publication date", [str(record.year or "")]),
        ("Tình trạng", "Validation Status" if style.validation_status else "Status", [status_text(record)]),
        ("Tên tiếng Việt", "Title in Vietnamese", [record.title_vi or ""]),
        ("Tên tiếng Anh", "Title in English", [record.title_en or ""]),
        ("Tiêu chuẩn tương đương", "Equivalent to", eq),
        ("Thay thế cho", "Replace", list(record.replaces)),
        ("Thay thế bằng", "Replaced by", list(record.replaced_by)),
        ("Chỉ số phân loại Quốc tế (ICS)", "By field", [f"{c} - {ICS_NAMES.get(c, '')}".strip() for c in record.ics]),
        ("Số trang", "Page", [str(record.pages or "")]),
        ("Giá:", "Price", []),
        ("Phạm vi áp dụng", "Scope of standard", [record.scope_vi or ""]),
        ("Quyết định công bố", "Decision number", decision),
        ("Ban kỹ thuật", "Technical Committee", [record.technical_committee or ""]),
    ]
    if style.new_status:
        rows[2] = (rows[2][0], rows[2][1], [status_text(record, new=True)])
    if record.issue_date:
        rows.append(("Ngày ban hành", None, [_dmy(record.issue_date)]))
    if record.effective_date:
        rows.append(("Ngày hiệu lực", None, [_dmy(record.effective_date)]))
    if style.unknown:
        synthetic = any(s.get("kind") == "synthetic" for s in record.sources)
        rows.insert(1, (*UNKNOWN[0][:2], [UNKNOWN[0][2]]))
        rows.append((*UNKNOWN[1][:2], [SYNTHETIC_NOTE if synthetic else "fixture page"]))
        if record.kind == "QCVN":
            ministry = record.extra.get("ministry_name_vi") or record.ministry or ""
            rows.insert(3, (*QCVN_UNKNOWN[0], [ministry]))
            rows.insert(4, (*QCVN_UNKNOWN[1], ["Quy chuẩn kỹ thuật quốc gia"]))
    return rows


def _case(text: str, case: str) -> str:
    return text.upper() if case == "upper" else text.lower() if case == "lower" else text


def _wrap(text: str, tag: str) -> str:
    return f"<{tag}>{text}</{tag}>" if tag else text


def label_html(vi: str, en: str | None, style: Style) -> str:
    names = {"vi": [vi], "en": [en or vi], "vi/en": [vi, en], "en/vi": [en, vi]}[style.parts]
    parts = [escape(_case(p, style.case)) for p in names if p]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    parts = [_wrap(parts[0], style.wrap_first)] + [_wrap(p, style.wrap_second) for p in parts[1:]]
    text = style.joiner.join(parts)
    if style.colon and not text.endswith(":"):
        text += ":"
    return f"{style.pad}{text}{style.pad}"


def value_html(lines: list[str], style: Style, block_ok: bool = True) -> str:
    lines = [escape(v) for v in lines]
    if style.value_join == "br" or not block_ok:
        return "<br>".join(lines)
    tag = "div" if style.value_join == "div" else "p"
    return "".join(f"<{tag}>{v}</{tag}>" for v in lines)


def render_body(record: Standard, style: Style) -> str:
    rows = page_fields(record, style)
    if style.layout == "lines":  # every label part and value line on its own line, as text renderings show
        out = []
        for vi, en, vals in rows:
            names = {"vi": [vi], "en": [en or vi], "vi/en": [vi, en], "en/vi": [en, vi]}[style.parts]
            out += [f"<div>{escape(_case(n, style.case))}</div>" for n in dict.fromkeys(n for n in names if n)]
            out += [f"<div>{escape(v)}</div>" for v in vals]
        return f"<div class='content'>{''.join(out)}</div>"
    cells = [(label_html(vi, en, _row_style(style, i)), vals) for i, (vi, en, vals) in enumerate(rows)]
    match style.layout:
        case "table" | "table_th":
            lab = "th" if style.layout == "table_th" else "td"
            body = "".join(f"<tr><{lab}>{lb}</{lab}><td>{value_html(v, style)}</td></tr>" for lb, v in cells)
            return f"<table class='detail'><tbody>{body}</tbody></table>"
        case "table4":
            pairs = [cells[i : i + 2] for i in range(0, len(cells), 2)]
            body = "".join(
                "<tr>" + "".join(f"<td>{lb}</td><td>{value_html(v, style)}</td>" for lb, v in pair) + "</tr>"
                for pair in pairs
            )
            return f"<table>{body}</table>"
        case "dl":
            body = "".join(f"<dt>{lb}</dt><dd>{value_html(v, style)}</dd>" for lb, v in cells)
            return f"<dl class='dl-horizontal'>{body}</dl>"
        case "grid":
            body = "".join(
                f"<div class='row'><div class='col-md-3'>{lb}</div><div class='col-md-9'>{value_html(v, style)}</div>"
                "</div>"
                for lb, v in cells
            )
            return f"<div class='container'>{body}</div>"
        case "grid_label":
            return "".join(
                f"<div class='row'>\n  <span class='label'>{lb}</span>  <div class='value'>{value_html(v, style)}</div>"
                "</div>"
                for lb, v in cells
            )
        case "inline":
            body = "".join(f"<p><span>{lb}</span> {value_html(v, style, block_ok=False)}</p>" for lb, v in cells)
            return f"<div class='info'>{body}</div>"
        case "text":
            body = "".join(
                f"<div class='field'>{lb}{'' if lb.rstrip().endswith(':') else ':'} {value_html(v, style)}</div>"
                for lb, v in cells
            )
            return f"<div class='info'>{body}</div>"
    raise ValueError(style.layout)


def render_detail(record: Standard, variant: int | Style = 0) -> str:
    style = variant if isinstance(variant, Style) else STYLES[variant % len(STYLES)]
    synthetic = any(s.get("kind") == "synthetic" for s in record.sources)
    head = "<p>Tiêu chuẩn quốc gia</p><p>© VSQI - Bản quyền xuất bản thuộc về Viện Tiêu chuẩn chất lượng Việt Nam</p>"
    if synthetic:
        head = f"<p class='synthetic'>{SYNTHETIC_NOTE}</p>" + head
    foot = "<footer>Viện Tiêu chuẩn Chất lượng Việt Nam</footer><p>Hotline: 024 0000 0000</p>"
    return (
        f"<!doctype html><html><head><title>{escape(record.number)}</title></head><body>"
        f"<nav><a href='/'>Trang chủ</a> Số hiệu tiêu chuẩn</nav>{head}{render_body(record, style)}{foot}</body></html>"
    )


# -- SYNTHETIC records for the whole-catalogue mode ------------------------------------------------


def synthetic_records(n: int, seed: int = 5, qcvn_share: float = 0.2) -> list[Standard]:
    """``n`` SYNTHETIC records with every field the official page shows, built from real values."""
    rng = random.Random(seed)
    real = [r for r in bundled_standards() if r.title_vi]
    committees = sorted({r.technical_committee for r in real if r.technical_committee}) or ["TCVN/TC 1"]
    english = sorted({r.title_en for r in real if r.title_en})
    ics = sorted({c for r in real for c in r.ics} | set(ICS_NAMES)) or ["67.120"]
    words = sorted({w for r in real for w in (r.scope_vi or r.title_vi or "").split() if w.isalpha()})
    ministries = ["BKHCN", "BNNPTNT", "BYT", "BCT", "BXD", "BGTVT", "BTNMT", "BTTTT"]
    out = []
    for i in range(n):
        template = real[i % len(real)]
        year = rng.randint(1995, 2024)
        if rng.random() < qcvn_share:
            number = f"QCVN {900 + i // 9}-{i % 9 + 1}:{year}/{rng.choice(ministries)}"
            previous = f"QCVN {900 + i // 9}-{i % 9 + 1}:{year - 5}/{number.rsplit('/', 1)[1]}"
        else:
            number = f"TCVN {90000 + i}:{year}"
            previous = f"TCVN {90000 + i}:{year - 5}"
        status = rng.choice(["active", "active", "withdrawn", "replaced", "unknown"])
        degree = rng.choice([None, "IDT", "IDT", "MOD"])
        out.append(
            Standard(
                number=number,
                title_vi=template.title_vi,
                title_en=rng.choice(english) if english and rng.random() < 0.5 else None,
                scope_vi="Tiêu chuẩn này quy định " + " ".join(rng.choices(words, k=rng.randint(50, 100))) + ".",
                status=status,
                replaces=[previous] if rng.random() < 0.4 else [],
                ics=sorted(set(rng.sample(ics, rng.randint(1, 3)))),
                equivalents=[Equivalence(f"ISO {20000 + i}:{year - 1}", degree)] if rng.random() < 0.4 else [],
                technical_committee=rng.choice(committees),
                decision=f"{1000 + i}/QĐ-BKHCN",
                decision_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                pages=rng.randint(8, 120),
                sources=[{"ref": "SYNTHETIC fixture record", "kind": "synthetic"}],
                notes=[SYNTHETIC_NOTE],
            )
        )
    return out


BROKEN = {  # SYNTHETIC invalid pages: (number in the URL, HTML, reason the reader gives)
    "TCVN ABC": (
        "<html><body><table><tr><td>Số hiệu</td><td>TCVN ABC</td></tr>"
        "<tr><td>Tên tiếng Việt</td><td>Không có số</td></tr></table></body></html>",
        "bad standard number",
    ),
    "TCVN 99001:2020": (
        "<html><body><dl><dt>Số hiệu</dt><dd>TCVN 99001:2020</dd><dt>Tên tiếng Anh</dt><dd></dd></dl></body></html>",
        "no title",
    ),
    "TCVN 99002:2020": (
        "<html><body><div>Số hiệu TCVN 99002:2020</div><div>Tên tiếng Việt Bánh</div>"
        "<div>Quyết định công bố</div><div>1/QĐ-BKHCN , Ngày 30-12-2063</div></body></html>",
        "2063",
    ),
}


# -- the site --------------------------------------------------------------------------------------


@dataclass
class Faults:
    burst_500: dict[str, int] = field(default_factory=dict)  # sohieu -> how many 500s before success
    rate_limited: dict[str, int] = field(default_factory=dict)  # sohieu -> how many 429s before success
    truncated: dict[str, int] = field(default_factory=dict)  # sohieu -> connections closed mid-body first
    slow: set[str] = field(default_factory=set)  # sohieu answered after `slow_seconds`
    slow_seconds: float = 3.0
    wrong_charset: set[str] = field(default_factory=set)
    latency: float = 0.0  # added to every page (to make a crawl long enough to kill)
    crawl_delay: float | None = None
    retry_after: str = "1"

    @classmethod
    def sprinkled(cls, numbers: list[str], share: float = 0.02, seed: int = 9, **kw: Any) -> Faults:
        """Transient faults on a share of the pages, each retried to success by a patient crawler."""
        rng = random.Random(seed)
        faults = cls(**kw)
        for number in numbers:
            roll = rng.random()
            if roll < share:
                faults.burst_500[number] = rng.randint(1, 2)
            elif roll < 2 * share:
                faults.truncated[number] = 1
            elif roll < 2.5 * share:
                faults.rate_limited[number] = 1
            elif roll < 3 * share:
                faults.wrong_charset.add(number)
        return faults


class _CutShort(Response):
    """Announces the whole body in Content-Length, sends half of it and lets the connection drop."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})


class _QuietCut(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietCut())


class FixtureSite:
    """Serves ``records`` as list and detail pages; records every request it gets."""

    def __init__(
        self,
        records: list[Standard],
        faults: Faults | None = None,
        extra_links: list[str] | None = None,
        raw_pages: dict[str, str] | None = None,
        page_size: int = PAGE_SIZE,
        styles: list[Style] | None = None,
        pager: str = "window",
        clamp: bool = False,
    ):
        self.raw_pages = raw_pages or {}  # sohieu -> HTML served as is (invalid records)
        self.records = {r.number: r for r in records}
        self.order = [r.number for r in records]
        self.faults = faults or Faults()
        self.extra_links = extra_links or []
        self.page_size = page_size
        self.styles = styles or STYLES
        self.pager = pager  # "window": links to nearby, first and last pages; "none": a script-driven pager
        self.clamp = clamp  # pages past the last one repeat the last one, as some sites do
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/robots.txt", self.robots),
                Route("/tim-kiem", self.list_page),
                Route("/tieuchuan/view", self.detail),
                Route("/quychuan/view", self.detail),
                Route("/loop/{name}", self.loop),
                Route("/private/{rest:path}", self.private),
            ]
        )

    @classmethod
    def whole_catalogue(cls, n: int = 3000, seed: int = 5, faults: Faults | None = None, **kw: Any) -> FixtureSite:
        """``n`` SYNTHETIC records plus the invalid pages, listed 25 a page under ``si=1``."""
        records = synthetic_records(n, seed)
        raw = {number: html for number, (html, _) in BROKEN.items()}
        site = cls(records, faults, raw_pages=raw, page_size=kw.pop("page_size", 25), **kw)
        for i, number in enumerate(raw):  # the invalid pages sit in the list like any other
            site.order.insert((i + 1) * len(site.order) // (len(raw) + 1), number)
        return site

    def detail_pages(self) -> int:
        return len(self.order)

    def _log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(
                (str(request.url.path) + ("?" + request.url.query if request.url.query else ""), dict(request.headers))
            )

    def paths(self) -> list[str]:
        with self._lock:
            return [p for p, _ in self.requests]

    async def robots(self, request: Request) -> Response:
        self._log(request)
        text = "User-agent: *\nDisallow: /private/\n"
        if self.faults.crawl_delay is not None:
            text += f"Crawl-delay: {self.faults.crawl_delay}\n"
        return self._conditional(request, PlainTextResponse(text))

    def _conditional(self, request: Request, response: Response) -> Response:
        etag = '"' + hashlib.sha1(response.body).hexdigest() + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"etag": etag})
        response.headers["etag"] = etag
        response.headers["last-modified"] = "Mon, 01 Jan 2024 00:00:00 GMT"
        return response

    async def list_page(self, request: Request) -> Response:
        self._log(request)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        page = int(request.query_params.get("page", "1") or 1)
        kind = request.query_params.get("si", "TCVN").upper()
        numbers = [n for n in self.order if n.startswith(kind)] if kind in ("TCVN", "QCVN") else self.order
        size = self.page_size
        last = max(1, -(-len(numbers) // size))
        if self.clamp:
            page = min(page, last)
        chunk = numbers[(page - 1) * size : page * size]
        items = "".join(
            f"<li><a href='{escape(sohieu_url(n, i % 3))}'>{escape(n)}</a>"
            f" {escape(self.records[n].title_vi or '') if n in self.records else ''}"
            f" <a href='#'>Đặt mua / Order</a> <a href='{escape(sohieu_url(n))}'>Xem chi tiết / View</a></li>"
            for i, n in enumerate(chunk)
        )
        if page == 1:
            items += "".join(f"<li><a href='{escape(u)}'>extra</a></li>" for u in self.extra_links)
        nav = []
        if self.pager == "none":
            pass
        elif kind not in ("TCVN", "QCVN"):  # the whole-catalogue list: windowed pagination, "page=N&si=1" order
            window = sorted({1, last} | set(range(max(1, page - 2), min(last, page + 2) + 1)) - {page})
            nav = [f"<a href='/tim-kiem?page={p}&amp;si={kind.lower()}'>{p}</a>" for p in window]
        elif page < last:
            nav = [f"<a href='/tim-kiem?si={kind}&amp;page={page + 1}'>Sau</a>"]
        body = f"<p>Tổng số: {len(numbers)} kết quả</p><ul>{items}</ul><div class='pagination'>{' '.join(nav)}</div>"
        return self._conditional(
            request, Response(f"<html><body>{body}</body></html>", media_type="text/html; charset=utf-8")
        )

    def _attempt(self, number: str) -> int:
        with self._lock:
            seen = self._counts[number] = self._counts.get(number, 0) + 1
        return seen

    async def detail(self, request: Request) -> Response:
        self._log(request)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        number = request.query_params.get("sohieu", "").replace("\xa0", " ").strip()
        seen = self._attempt(number)
        f = self.faults
        bursts = f.burst_500.get(number, 0)
        limited = bursts + f.rate_limited.get(number, 0)
        cut = limited + f.truncated.get(number, 0)
        if seen <= bursts:
            return PlainTextResponse("server error", status_code=500)
        if seen <= limited:
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": f.retry_after})
        if number in f.slow:
            await asyncio.sleep(f.slow_seconds)
        if number == "LOOP":
            return RedirectResponse("/loop/a", status_code=302)
        if number in self.raw_pages:
            return self._conditional(request, Response(self.raw_pages[number], media_type="text/html"))
        record = self.records.get(number)
        if record is None:
            return PlainTextResponse("not found", status_code=404)
        html = render_detail(record, self.styles[zlib.crc32(number.encode()) % len(self.styles)])
        if seen <= cut:
            return _CutShort(html, media_type="text/html; charset=utf-8")
        if number in f.wrong_charset:
            return self._conditional(
                request, Response(html.encode("utf-8"), media_type="text/html; charset=iso-8859-1")
            )
        return self._conditional(request, Response(html, media_type="text/html; charset=utf-8"))

    async def loop(self, request: Request) -> Response:
        self._log(request)
        other = "b" if request.path_params["name"] == "a" else "a"
        return RedirectResponse(f"/loop/{other}", status_code=302)

    async def private(self, request: Request) -> Response:
        self._log(request)
        return PlainTextResponse("must never be requested")


__all__ = [
    "BROKEN",
    "LAYOUTS",
    "STYLES",
    "Faults",
    "FixtureSite",
    "Style",
    "page_fields",
    "render_detail",
    "sohieu_url",
    "synthetic_records",
]
