"""A stand-in for the official catalogue, served by a real uvicorn in tests and benchmarks.

Pages are built from records of the bundled catalogue (or, in the benchmark, from
records labelled SYNTHETIC) in the official site's label layout, in three markup
variants: a table, a definition list and bare divs.  Fault modes reproduce what
a real site does to a crawler: bursts of 500, 429 with Retry-After, responses
slower than the timeout, truncated HTML, a wrong charset declaration, a redirect
loop, one record under two URLs, robots.txt disallowing a path, and invalid
records (bad number, no title, impossible date).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from catalogue.model import DEGREES, Standard

PAGE_SIZE = 10


@dataclass
class Faults:
    burst_500: dict[str, int] = field(default_factory=dict)  # sohieu -> how many 500s before success
    rate_limited: dict[str, int] = field(default_factory=dict)  # sohieu -> how many 429s before success
    slow: set[str] = field(default_factory=set)  # sohieu answered after `slow_seconds`
    slow_seconds: float = 3.0
    truncated: set[str] = field(default_factory=set)
    wrong_charset: set[str] = field(default_factory=set)
    latency: float = 0.0  # added to every page (to make a crawl long enough to kill)
    crawl_delay: float | None = None


def sohieu_url(number: str) -> str:
    kind = "quychuan" if number.startswith("QCVN") else "tieuchuan"
    return f"/{kind}/view?sohieu={quote_plus(number)}"


def _status_text(record: Standard) -> str:
    if record.status == "active":
        return "A - Còn hiệu lực (Active)"
    if record.status in ("withdrawn", "replaced"):
        return "W - Hết hiệu lực (Withdraw)"
    return ""


def _fields(record: Standard) -> list[tuple[str, str, list[str]]]:
    """(Vietnamese label, English label, value lines) in the official order."""
    eq = []
    for e in record.equivalents:
        eq.append(e.number)
        if e.degree:
            eq.append(f"{e.degree} - {DEGREES[e.degree][0]}")
    decision = []
    if record.decision:
        date = record.extra.get("fixture_decision_date") or (
            "-".join(reversed(record.decision_date.split("-"))) if record.decision_date else ""
        )
        decision.append(f"{record.decision} , Ngày {date}" if date else record.decision)
    return [
        ("Số hiệu", "Standard Number", [record.number]),
        ("Năm ban hành", "Publication date", [str(record.year or "")]),
        ("Tình trạng", "Status", [_status_text(record)]),
        ("Tên tiếng Việt", "Title in Vietnamese", [record.title_vi or ""]),
        ("Tên tiếng Anh", "Title in English", [record.title_en or ""]),
        ("Tiêu chuẩn tương đương", "Equivalent to", eq),
        ("Thay thế cho", "Replace", record.replaces),
        ("Thay thế bằng", "Replaced by", record.replaced_by),
        ("Chỉ số phân loại Quốc tế (ICS)", "By field", [f"{c} - " for c in record.ics]),
        ("Số trang", "Page", [str(record.pages or "")]),
        ("Phạm vi áp dụng", "Scope of standard", [record.scope_vi or ""]),
        ("Quyết định công bố", "Decision number", decision),
        ("Ban kỹ thuật", "Technical Committee", [record.technical_committee or ""]),
        ("Mã vạch nội bộ", "Internal code", ["X-42"]),  # a label the parser does not know: kept raw
    ]


def render_detail(record: Standard, variant: int) -> str:
    rows = _fields(record)
    head = "<p>Tiêu chuẩn quốc gia</p><p>© VSQI - Bản quyền xuất bản thuộc về Viện Tiêu chuẩn chất lượng Việt Nam</p>"
    if variant % 3 == 0:  # table
        body = "".join(
            f"<tr><td>{escape(vi)}<br><i>{escape(en)}</i></td><td>{'<br>'.join(escape(v) for v in vals)}</td></tr>"
            for vi, en, vals in rows
        )
        body = f"<table class='detail'>{body}</table>"
    elif variant % 3 == 1:  # definition list, labels in upper case
        body = "".join(
            f"<dt>{escape(vi.upper())} / {escape(en)}:</dt><dd>{'<br>'.join(escape(v) for v in vals)}</dd>"
            for vi, en, vals in rows
        )
        body = f"<dl>{body}</dl>"
    else:  # divs with extra whitespace, value on the label's line
        body = "".join(
            f"<div class='row'>\n  <span class='label'>{escape(vi)}</span>\n  <span>{escape(en)}</span>  "
            f"<div class='value'>{'</div><div>'.join(escape(v) for v in vals)}</div></div>"
            for vi, en, vals in rows
        )
    return f"<!doctype html><html><head><title>{escape(record.number)}</title></head><body>{head}{body}</body></html>"


class FixtureSite:
    """Serves ``records`` as list and detail pages; records every request it gets."""

    def __init__(
        self,
        records: list[Standard],
        faults: Faults | None = None,
        extra_links: list[str] | None = None,
        raw_pages: dict[str, str] | None = None,
    ):
        self.raw_pages = raw_pages or {}  # sohieu -> HTML served as is (invalid records)
        self.records = {r.number: r for r in records}
        self.order = [r.number for r in records]
        self.faults = faults or Faults()
        self.extra_links = extra_links or []
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
        chunk = numbers[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        items = "".join(
            f"<li><a href='{escape(sohieu_url(n))}'>{escape(n)}</a> {escape(self.records[n].title_vi or '')}"
            " <a href='#'>Đặt mua / Order</a></li>"
            for n in chunk
        )
        if page == 1:
            items += "".join(f"<li><a href='{escape(u)}'>extra</a></li>" for u in self.extra_links)
        nav = f"<a href='/tim-kiem?si={kind}&amp;page={page + 1}'>Sau</a>" if page * PAGE_SIZE < len(numbers) else ""
        return self._conditional(
            request, Response(f"<html><body><ul>{items}</ul>{nav}</body></html>", media_type="text/html; charset=utf-8")
        )

    async def detail(self, request: Request) -> Response:
        self._log(request)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        number = request.query_params.get("sohieu", "").strip()
        with self._lock:
            seen = self._counts[number] = self._counts.get(number, 0) + 1
        if seen <= self.faults.burst_500.get(number, 0):
            return PlainTextResponse("server error", status_code=500)
        if seen <= self.faults.rate_limited.get(number, 0):
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": "1"})
        if number in self.faults.slow:
            await asyncio.sleep(self.faults.slow_seconds)
        if number == "LOOP":
            return RedirectResponse("/loop/a", status_code=302)
        if number in self.raw_pages:
            return self._conditional(request, Response(self.raw_pages[number], media_type="text/html"))
        record = self.records.get(number)
        if record is None:
            return PlainTextResponse("not found", status_code=404)
        html = render_detail(record, self.order.index(number))
        if number in self.faults.truncated:
            html = html[: html.rindex(record.number) + len(record.number)]  # cut before the title
        if number in self.faults.wrong_charset:
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
