"""Headless Chromium (Debian's package) driven by Playwright against a real uvicorn.

Screenshots go to ``test-artifacts/``.  axe-core comes from npm (``make test``
installs it under ``tests/.npm``).  Without Chromium or Playwright these tests are
skipped with the reason; ``.ci/run`` installs both.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
AXE = Path(__file__).resolve().parent / ".npm" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live, request) -> Iterator[object]:
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_unaccented_query_finds_the_standard(page) -> None:
    page.goto("/")
    page.fill("#q", "nuoc mam")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=nuoc+mam")
    first = page.locator("ol.results li").first
    assert "TCVN 5107:2003" in first.inner_text()
    assert first.locator("mark").count() == 2


def test_a_facet_changes_the_counts(page) -> None:
    page.goto("/search?q=an+to%C3%A0n")
    before = page.locator("p.summary").inner_text()
    link = page.locator("section[data-facet='kind'] a", has_text="QCVN")
    expected = link.locator("xpath=following-sibling::span").inner_text()
    link.click()
    page.wait_for_url("**kind=QCVN**")
    after = page.locator("p.summary").inner_text()
    assert after != before
    assert after.startswith(expected + " ")
    kinds = page.locator("section[data-facet='kind'] li").all_inner_texts()
    assert len(kinds) == 1 and kinds[0].startswith("QCVN")


def test_detail_page_and_replaced_by_link(page) -> None:
    page.goto("/standards/tcvn-6096-2004")
    assert "TCVN 6096:2004" in page.locator("h1").inner_text()
    page.locator(".replaced-by a").first.click()
    page.wait_for_url("**/standards/tcvn-6096-2010")
    assert "TCVN 6096:2010" in page.locator("h1").inner_text()


def test_switch_to_english_and_it_persists(page) -> None:
    page.goto("/search?q=cheese")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "results" in page.locator("p.summary").inner_text()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"


@pytest.mark.parametrize(
    ("lang", "held", "not_found", "official"),
    [
        (
            "vi",
            "trong khoảng 11.650 TCVN đang có hiệu lực",
            "không có nghĩa là không tồn tại",
            "trên trang danh mục chính thức",
        ),
        ("en", "of about 11,650 in force", "does not mean it does not exist", "in the official catalogue"),
    ],
)
def test_coverage_line_on_home_and_empty_results(page, lang: str, held: str, not_found: str, official: str) -> None:
    page.goto("/")
    if lang == "en":
        page.get_by_role("link", name="English").click()
        page.wait_for_load_state()
    home = page.locator("[data-coverage='home']")
    assert home.is_visible()
    assert held in home.inner_text() and not_found in home.inner_text()
    page.fill("#q", "khongcogica zzz")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=khongcogica+zzz")
    empty = page.locator("[data-coverage='empty']")
    assert empty.is_visible() and held in empty.inner_text() and not_found in empty.inner_text()
    link = empty.locator("a.official-search")
    assert official in link.inner_text() and "khongcogica zzz" in link.inner_text()
    assert link.get_attribute("href") == "https://tieuchuan.vsqi.gov.vn/tim-kiem?si=khongcogica+zzz"
    assert held in page.locator("[data-coverage='footer']").inner_text()


def test_keyboard_only_search(page) -> None:
    page.goto("/")
    for _ in range(10):  # skip link, brand, then the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("mat ong")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=mat+ong")
    assert "TCVN 12605:2019" in page.locator("ol.results").inner_text()
    # focus is visible: the focused element gets an outline
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_instant_suggestions_with_the_keyboard(page) -> None:
    page.goto("/")
    page.focus("#q")
    page.keyboard.type("tcvn 8430")
    page.wait_for_selector("#suggestions li")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/standards/tcvn-8430-2010")


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_reflected_xss_is_inert(page, payload: str) -> None:
    page.goto("/")
    page.fill("#q", payload)
    page.press("#q", "Enter")
    page.wait_for_load_state("networkidle")
    page.goto("/search?q=" + payload.replace("#", "%23"))
    page.wait_for_load_state("networkidle")
    assert page.dialogs == []
    assert page.locator("#q").input_value() == payload


# every public page (issue 14): results with facets and filters, empty results, detail pages, groups,
# ICS, the recommendation with and without a group, the checklist, the API page and an error page
PUBLIC = [
    "/",
    "/search?q=nuoc+mam",
    "/search?q=an+to%C3%A0n&kind=QCVN&status=active",
    "/search?q=khongcogica",
    "/standards/tcvn-8430-2010",
    "/standards/tcvn-5738-2021",
    "/standards/tcvn-6096-2004",
    "/groups",
    "/groups/mu-bao-hiem",
    "/ics",
    "/ics/67",
    "/recommend?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m",
    "/recommend?product=bia",
    "/recommend?product=th%C3%A9p",
    "/recommend?product=xe+t%C4%83ng+bay",
    "/recommend/checklist?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m",
    "/api",
    "/khong-co-trang-nay",
]
PHONE = {"width": 390, "height": 844}


def new_page(browser, live, lang: str = "vi", viewport: dict | None = None, **options):
    """A page in a context of its own, with the language cookie set."""
    context = browser.new_context(base_url=live.url, viewport=viewport or {"width": 1280, "height": 900}, **options)
    context.add_cookies([{"name": "lang", "value": lang, "url": live.url}])
    return context, context.new_page()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("url", PUBLIC)
def test_axe_finds_no_violations(browser, live, url: str, lang: str) -> None:
    """Every violation axe reports, whatever its impact."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test`, which installs it with npm")
    # the site's CSP forbids injected scripts; the audit context alone bypasses it
    context, page = new_page(browser, live, lang, bypass_csp=True)
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    context.close()
    assert found == []


def test_the_first_result_of_a_search_with_facets_is_above_the_fold_on_a_phone(browser, live) -> None:
    context, page = new_page(browser, live, viewport=PHONE)
    page.goto("/search?q=nuoc+mam")
    assert page.locator("section.facet").count() >= 3  # the search has facets
    assert page.locator("details.facets-box").evaluate("d => d.open") is False  # closed on a phone
    box = page.locator("ol.results li").first.bounding_box()
    assert box is not None and box["y"] + 40 <= PHONE["height"], box
    page.locator("details.facets-box > summary").click()  # and it opens
    assert page.locator("section[data-facet='kind']").is_visible()
    context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search?q=nuoc+mam",
        "/search?q=an+to%C3%A0n&kind=QCVN",
        "/standards/tcvn-8430-2010",
        "/standards/tcvn-5738-2021",
        "/standards/tcvn-6096-2004",
        "/groups",
        "/groups/mu-bao-hiem",
        "/recommend?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m",
        "/recommend?product=bia",
        "/recommend/checklist?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m",
        "/ics",
        "/ics/67",
        "/api",
    ],
)
def test_no_page_is_wider_than_a_phone(browser, live, url: str, lang: str) -> None:
    context, page = new_page(browser, live, lang, viewport=PHONE)
    page.goto(url)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    h1 = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    context.close()
    assert width[0] <= width[1], (url, width)
    assert h1 <= 24, (url, h1)  # a phone's h1 does not fill the screen


@pytest.mark.parametrize("start", ["/", "/search?q=nuoc+mam"])
def test_tab_with_suggestions_open_never_drops_focus_to_the_body(browser, live, start: str) -> None:
    context, page = new_page(browser, live)
    page.goto(start)
    page.focus("#q")
    page.fill("#q", "")
    page.keyboard.type("tcvn 84")
    page.wait_for_selector("#suggestions li")
    assert page.locator("#suggestions .badge").count() >= 1  # each suggestion says its status
    landed = []
    for _ in range(12):
        page.keyboard.press("Tab")
        page.wait_for_timeout(200)  # longer than any delayed removal of the list
        landed.append(
            page.evaluate(
                "document.activeElement === document.body ? 'BODY' : document.activeElement.outerHTML.slice(0, 60)"
            )
        )
    context.close()
    assert "BODY" not in landed, landed
    assert not any("suggestion" in x for x in landed), landed


def test_the_focus_ring_has_three_to_one_contrast(browser, live) -> None:
    context, page = new_page(browser, live)
    page.goto("/")
    page.focus("#q")
    color = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    context.close()
    r, g, b = (int(x) for x in color[color.index("(") + 1 : color.index(")")].split(",")[:3])

    def luminance(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * luminance(r) + 0.7152 * luminance(g) + 0.0722 * luminance(b)
    assert (1.05) / (lum + 0.05) >= 3, color


def test_the_sort_applies_when_it_changes(browser, live) -> None:
    context, page = new_page(browser, live)
    page.goto("/search?q=nuoc+mam")
    assert page.locator("form.sort button.apply").is_hidden()
    page.select_option("#sort", "newest")
    page.wait_for_url("**sort=newest**")
    context.close()


SCREENSHOTS = {
    "home": "/",
    "results": "/search?q=an+to%C3%A0n",
    "detail": "/standards/tcvn-6096-2004",
    "recommendation": "/recommend?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m",
    "checklist": "/recommend/checklist?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m",
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_main_pages(browser, live, lang: str, width: int) -> None:
    context, page = new_page(browser, live, lang, viewport={"width": width, "height": 844 if width == 390 else 900})
    ARTIFACTS.mkdir(exist_ok=True)
    for name, url in SCREENSHOTS.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == lang
        path = ARTIFACTS / f"{name}-{width}-{lang}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
    context.close()


def test_secretariat_edit_flow_and_back_button_after_logout(browser, tmp_path) -> None:
    from catalogue.accounts import Accounts
    from catalogue.engine import Engine
    from catalogue.settings import Settings
    from catalogue.web.app import create_app
    from tests.conftest import LiveServer

    settings = Settings.load({"data_dir": str(tmp_path)}, environ={})
    engine = Engine.open(settings)
    Accounts(engine.store).add("editor1", "editor", "correct horse battery")
    with LiveServer(create_app(settings, engine)) as server:
        context = browser.new_context(base_url=server.url)
        page = context.new_page()
        page.goto("/admin")
        page.wait_for_url("**/admin/login**")
        page.fill("#name", "editor1")
        page.fill("#password", "correct horse battery")
        page.press("#password", "Enter")
        page.wait_for_url("**/admin")
        page.goto("/admin/standards/tcvn-8430-2010/edit")
        page.fill("#title_vi", "Phomat tươi Đà Lạt thử nghiệm")
        page.click("form[action$='/edit'] button[type=submit]")
        page.wait_for_url("**/edit")
        assert page.locator("[data-flash]").inner_text() == "Đã lưu."
        assert page.locator("#title_vi").input_value() == "Phomat tươi Đà Lạt thử nghiệm"
        page.goto("/search?q=phomat+da+lat")
        assert "TCVN 8430:2010" in page.locator("ol.results").inner_text()
        page.goto("/admin/audit")
        assert "editor1" in page.locator("table.audit").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin-audit.png"), full_page=True)
        page.click("nav.admin form button")
        page.wait_for_url("**/admin/login")
        page.go_back()
        page.wait_for_load_state()
        assert "/admin/login" in page.url
        assert "editor1" not in page.content() or "Đăng nhập" in page.content()
        assert page.locator("table.audit").count() == 0
        context.close()


# -- the compliance checklist (issue 11) -------------------------------------------------------------
A4_LANDSCAPE_PX = (round((297 - 24) / 25.4 * 96), round((210 - 24) / 25.4 * 96))  # printable area, 12 mm margins


def test_checklist_prints_to_a4_without_cut_off_content(browser, live) -> None:
    import re

    context = browser.new_context(
        base_url=live.url, viewport={"width": A4_LANDSCAPE_PX[0], "height": A4_LANDSCAPE_PX[1]}
    )
    page = context.new_page()
    page.goto("/recommend/checklist?product=" + "ổ cắm điện")
    page.emulate_media(media="print")
    assert page.locator("table.checklist tr.item").count() >= 4
    assert page.locator("header.site").is_hidden()
    overflow = page.evaluate(
        """() => {
            const doc = document.documentElement;
            const cut = [...document.querySelectorAll('table.checklist td, table.checklist th, dl.meta dd, p')]
                .filter(el => el.scrollWidth > el.clientWidth + 1)
                .map(el => el.textContent.slice(0, 40));
            return {page: doc.scrollWidth - window.innerWidth, cells: cut};
        }"""
    )
    assert overflow["page"] <= 0 and overflow["cells"] == [], overflow
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "checklist.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    for width, height in boxes:  # A4 landscape in points: 841.89 x 595.28
        assert abs(float(width) - 841.9) < 2 and abs(float(height) - 595.3) < 2, (width, height)
    context.close()


def test_the_xlsx_download_holds_the_rows_of_the_page(page) -> None:
    from catalogue.recommend.checklist import read_xlsx

    page.goto("/recommend/checklist?product=" + "mũ bảo hiểm xe máy")
    shown = [
        [" ".join(cell.split()) for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("table.checklist tr.item").all()
    ]
    assert shown and shown[0][1] == "QCVN 2:2021/BKHCN"
    with page.expect_download() as info:
        page.locator(".downloads a", has_text="XLSX").click()
    headers, table = read_xlsx(Path(info.value.path()).read_bytes())
    assert headers == [" ".join(h.split()) for h in page.locator("table.checklist thead th").all_inner_texts()]
    assert [[" ".join(c.split()) for c in row] for row in table] == shown


# -- the admin pages, both languages (issue 14) ------------------------------------------------------
ADMIN_PAGES = [
    "/admin",
    "/admin/standards?q=m%E1%BA%ADt+ong",
    "/admin/standards/new",
    "/admin/standards/tcvn-8430-2010/edit",
    "/admin/standards/tcvn-8430-2010/history",
    "/admin/import",
    "/admin/crawl",
    "/admin/audit",
    "/admin/groups",
    "/admin/groups/mu-bao-hiem",
    "/admin/users",
    "/admin/worklist",
    "/admin/worklist/tcvn-8430-2010",
    "/admin/quality",
]


def _axe(page) -> list[tuple[str, str, list]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_axe_finds_no_violation_on_any_admin_page(browser, tmp_path, lang: str) -> None:
    """Every admin page (login, the withdraw confirmation and a quarantined row included), in both languages."""
    from catalogue.accounts import Accounts
    from catalogue.engine import Engine
    from catalogue.settings import Settings
    from catalogue.web.app import create_app
    from indexer.crawl.frontier import Frontier
    from tests.conftest import LiveServer

    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test`, which installs it with npm")
    settings = Settings.load({"data_dir": str(tmp_path)}, environ={})
    engine = Engine.open(settings)
    Accounts(engine.store).add("admin1", "admin", "correct horse battery")
    frontier = Frontier(engine.store, "vsqi")
    with engine.store.transaction() as tx:  # a synthetic quarantined page, so the fix-and-accept form shows
        frontier.quarantine(tx, "https://example.invalid/p", "no title", {"fields": {"number": ["TCVN 99601:2024"]}})
    found = {}
    with LiveServer(create_app(settings, engine)) as server:
        context = browser.new_context(base_url=server.url, bypass_csp=True)
        context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
        page = context.new_page()
        page.goto("/admin/login")
        assert page.locator("html").get_attribute("lang") == lang
        found["/admin/login"] = _axe(page)
        page.fill("#name", "admin1")
        page.fill("#password", "correct horse battery")
        page.press("#password", "Enter")
        page.wait_for_url("**/admin")
        for url in ADMIN_PAGES:
            page.goto(url)
            found[url] = _axe(page)
        page.goto("/admin/standards/tcvn-8430-2010/edit")
        page.fill("#wd", "1/QĐ-SYNTHETIC")
        page.click("form[action$='/withdraw'] button[type=submit]")
        page.wait_for_selector("input[name=confirmed]", state="attached")
        found["withdraw confirmation"] = _axe(page)
        context.close()
    engine.close()
    assert {url: v for url, v in found.items() if v} == {}
