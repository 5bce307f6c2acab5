"""Interface language: Vietnamese by default, English from the table, Vietnamese when a string is missing."""

from __future__ import annotations

from catalogue.web.i18n import EN, LANGS, pick, translator


def test_pick_defaults_to_vietnamese() -> None:
    assert LANGS[0] == "vi"
    assert [pick(x) for x in (None, "", "en", "vi", "fr", "en; DROP")] == ["vi", "vi", "en", "vi", "vi", "vi"]


def test_translator_is_the_identity_in_vietnamese_and_the_table_in_english() -> None:
    vi, en = translator("vi"), translator("en")
    assert vi("Tìm") == "Tìm" and en("Tìm") == EN["Tìm"] == "Search"
    assert en("một câu không có trong bảng") == "một câu không có trong bảng"


def test_every_english_entry_is_written() -> None:
    assert all(vi.strip() and en.strip() for vi, en in EN.items())


def test_vietnamese_quotations_in_english_text_are_marked() -> None:
    from catalogue.web.i18n import mark_quotes

    assert str(mark_quotes("applies to “Mũ bảo hiểm” <b>", "en")) == (
        'applies to “<span lang="vi">Mũ bảo hiểm</span>” &lt;b&gt;'
    )
    assert str(mark_quotes("its title says “Helmets”", "en")) == "its title says “Helmets”"
    assert str(mark_quotes("«Mũ» <i>", "vi")) == "«Mũ» &lt;i&gt;" and str(mark_quotes(None, "en")) == ""


# -- every public page reads in one language (issue 14) -------------------------------------------------
import re  # noqa: E402

import httpx  # noqa: E402
import lxml.html  # noqa: E402
import pytest  # noqa: E402

from catalogue.model import DEGREES, STATUS_LABELS  # noqa: E402
from catalogue.web.i18n import MESSAGES  # noqa: E402

# (path, expected status): every public page, with and without results, filters, errors
PUBLIC_PAGES = [
    ("/", 200),
    ("/search", 200),
    ("/search?q=nuoc+mam", 200),
    ("/search?q=an+to%C3%A0n", 200),
    ("/search?q=an+to%C3%A0n&kind=QCVN&status=active&year_from=2010&ministry=BYT", 200),
    ("/search?q=khongcogica+zzz", 200),
    ("/search?q=" + "khongco+" * 120, 200),  # the "shortened" notice
    ("/search?q=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m", 200),
    ("/search?q=tcvn&page=x", 400),
    ("/standards/tcvn-8430-2010", 200),
    ("/standards/tcvn-6096-2004", 200),
    ("/standards/tcvn-5738-2021", 200),
    ("/groups", 200),
    ("/groups/mu-bao-hiem", 200),
    ("/ics", 200),
    ("/ics/67", 200),
    ("/recommend", 200),
    ("/recommend?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m", 200),
    ("/recommend?product=bia", 200),
    ("/recommend?product=th%C3%A9p", 200),
    ("/recommend?product=%C3%A1o+s%C6%A1+mi+cotton", 200),
    ("/recommend?product=xe+t%C4%83ng+bay", 200),
    ("/recommend?product=m%C3%AC+%C4%83n+li%E1%BB%81n", 200),
    ("/recommend/checklist?product=m%C5%A9+b%E1%BA%A3o+hi%E1%BB%83m", 200),
    ("/recommend/checklist?product=xe+t%C4%83ng+bay", 200),
    ("/recommend?hs=abc", 400),
    ("/api", 200),
    ("/khong-co-trang-nay", 404),
    ("/standards/tcvn-99999-1900", 404),
]
VIETNAMESE_LETTER = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
# words of the interface that are neither Vietnamese nor codes (TCVN, ICS, HS, CSV...)
NOT_ENGLISH = {
    "page",
    "limit",
    "tieuchuan",
    "TCVN",
    "QCVN",
    "Atom",
    "XLSX",
    "OpenAPI",
    "Open",
    "Data",
    "ODC-By",
    "Attribution",
    "ISO",
}


def _english_words() -> set[str]:
    texts = [*EN.values(), *(en for _, en in MESSAGES.values()), *(en for _, en in STATUS_LABELS.values())]
    texts += [en for _, en in DEGREES.values()]
    words = {w for t in texts for w in re.findall(r"[A-Za-z][a-z]{3,}", t)}
    vietnamese = " ".join([*EN.keys(), *(vi for vi, _ in MESSAGES.values())])
    return {w for w in words if w not in NOT_ENGLISH and not re.search(rf"\b{w}\b", vietnamese)}


ENGLISH_WORDS = _english_words()


def visible_text(html: str, lang: str) -> str:
    """The text a reader sees (and hears: title, placeholders, labels) outside elements marked as another
    language; the language switch carries the other language's ``lang``, so it is left out too, and so is
    what the reader typed, echoed back (``class="typed"``)."""
    doc = lxml.html.fromstring(html)
    assert doc.get("lang") == lang
    for el in doc.xpath("//script|//style|//noscript"):
        el.drop_tree()
    for el in doc.xpath("//body//*[@lang]|//body//*[contains(concat(' ', @class, ' '), ' typed ')]"):
        if (el.get("lang") or lang) == lang and "typed" not in (el.get("class") or "").split():
            continue
        if el.getparent() is not None:
            el.drop_tree()
    said = [doc.findtext(".//title") or ""]
    said += [v for attr in ("placeholder", "aria-label", "title", "alt") for v in doc.xpath(f"//body//@{attr}")]
    return " ".join([*said, *doc.find("body").itertext()])


def other_language(text: str, lang: str) -> list[str]:
    """Words of the other language in ``text``: Vietnamese letters on an English page, English interface
    words on a Vietnamese one."""
    if lang == "en":  # codes such as 2215/QĐ-BKHCN or BLĐTBXH are not words of a language
        found = re.findall(r"[^\s\"“”«»()]*" + VIETNAMESE_LETTER.pattern + r"[^\s\"“”«»()]*", text, re.I)
        return sorted({w for w in found if not re.search(r"[\d/]", w) and not w.strip(",.;:").isupper()})
    tokens = [t for t in text.split() if not re.search(r"[\d/@_]", t)]  # codes, addresses, repositories
    return sorted({w for t in tokens for w in re.findall(r"[A-Za-z]{4,}", t) if w in ENGLISH_WORDS})


def test_the_checker_sees_the_other_language() -> None:
    vi_page = '<html lang="vi"><head><title>Tìm</title></head><body><p>Tìm <span lang="en">Replaced</span></p>'
    assert other_language(visible_text(vi_page, "vi"), "vi") == []
    assert other_language(visible_text(vi_page.replace(' lang="en"', ""), "vi"), "vi") == ["Replaced"]
    en_page = '<html lang="en"><head><title>Search</title></head><body><p>Status: <b>Chưa rõ</b></p>'
    assert other_language(visible_text(en_page, "en"), "en") == ["Chưa", "rõ"]
    assert other_language(visible_text(en_page.replace("<b>", '<b lang="vi">'), "en"), "en") == []
    assert {"Unknown", "Replaced", "presumed", "results", "Search"} <= ENGLISH_WORDS


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_every_public_page_reads_in_one_language(http: httpx.Client, lang: str, path: str, status: int) -> None:
    http.cookies.set("lang", lang)
    r = http.get(path)
    assert r.status_code == status, (path, r.status_code)
    text = visible_text(r.text, lang)
    for typed in (r.url.params.get("q"), r.url.params.get("product")):  # echoed in <title> and headings
        text = text.replace(typed, " ") if typed else text
    assert other_language(text, lang) == [], (path, lang)


def test_literal_translations_are_made_when_a_template_is_compiled(monkeypatch) -> None:
    from jinja2 import Environment

    from catalogue.web import i18n
    from catalogue.web.i18n import ConstantTranslations

    monkeypatch.setitem(i18n.EN, "Tìm <b>", "Search <b> & go")
    env = Environment(autoescape=True, extensions=[ConstantTranslations])
    env.page_lang = "en"
    template = env.from_string("{{ _('Tìm <b>') }}|{{ _(word) }}|{{ _('Tìm') ~ '!' }}|{{ x._('Tìm') }}")
    calls: list[str] = []

    def runtime(text: str) -> str:
        calls.append(text)
        return text.upper()

    class Holder:
        _ = staticmethod(runtime)

    page = template.render(_=runtime, word="dừa", x=Holder())
    assert page == "Search &lt;b&gt; &amp; go|DỪA|Search!|TÌM" and calls == ["dừa", "Tìm"]  # a method stays one
    vi = Environment(autoescape=True, extensions=[ConstantTranslations])  # page_lang defaults to vi
    assert vi.from_string("{{ _('Tìm <b>') }}").render(_=runtime) == "Tìm &lt;b&gt;"
