"""The page reader: bilingual labels in any markup, proven on generated layouts filled with real records."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalogue.errors import ValidationError
from catalogue.model import Standard
from catalogue.seed import bundled_standards
from catalogue.text import fold
from indexer.sources.labels import prefix_label, whole_label
from indexer.sources.page import read_detail, to_standard
from tests.fixture_site import JOINERS, LAYOUTS, QCVN_UNKNOWN, STYLES, UNKNOWN, WRAPS, Style, render_detail

URL = "https://tieuchuan.vsqi.gov.vn/tieuchuan/view?sohieu=x"
# real records the crawler could store (a crawled page needs a title)
RECORDS = [r for r in bundled_standards() if r.title_vi or r.title_en]
BY_NUMBER = {r.number: r for r in RECORDS}


def _ws(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None  # HTML collapses whitespace; so does the reader


def _decision(record: Standard) -> tuple[str | None, str | None]:
    """One bundled decision carries its date in the text ("4059/QĐ-BKHCN, 31-12-2019"): the page shows both."""
    m = re.search(r"(\d{1,2})-(\d{1,2})-(\d{4})", record.decision or "")
    if m is None:
        return _ws(record.decision), record.decision_date
    day, month, year = m.groups()
    return record.decision[: m.start()].rstrip(" ,"), f"{year}-{int(month):02d}-{int(day):02d}"


def page_view(record: Standard) -> dict[str, object]:
    """Every field an official detail page shows, as the record should read back from it."""
    decision, decision_date = _decision(record)
    return {
        "number": record.number,
        "title_vi": _ws(record.title_vi),
        "title_en": _ws(record.title_en),
        "scope_vi": _ws(record.scope_vi),
        "status": "withdrawn" if record.status == "replaced" else record.status,
        "replaces": record.replaces,
        "replaced_by": record.replaced_by,
        "ics": record.ics,
        "equivalents": [(_ws(e.number), e.degree) for e in record.equivalents],
        "technical_committee": _ws(record.technical_committee),
        "decision": decision,
        "decision_date": decision_date,
        "issue_date": record.issue_date,
        "effective_date": record.effective_date,
        "pages": record.pages,
    }


def _unknown_expected(record: Standard, style: Style) -> list[tuple[tuple[str, ...], str]]:
    """(the label's parts, its value) for the labels the reader does not know.

    The kept label holds at least one part: written as bare text on a line of its
    own, a part no markup calls a label ("Mã vạch nội bộ<br>Internal code: X-42") is not one.
    """
    if not style.unknown:
        return []
    rows = [(UNKNOWN[0][:2], UNKNOWN[0][2])]
    if record.kind == "QCVN":
        rows.append((QCVN_UNKNOWN[1], "Quy chuẩn kỹ thuật quốc gia"))
    return rows


def check(record: Standard, style: Style) -> None:
    html = render_detail(record, style)
    page = read_detail(URL, html)
    parsed = to_standard(page)
    assert page_view(parsed) == page_view(record), html
    raw = {fold(k).casefold(): v for k, v in parsed.extra.get("raw_fields", {}).items()}
    for parts, value in _unknown_expected(record, style):
        keys = [fold(p).casefold() for p in parts]
        assert any(any(p in k for p in keys) and v == value for k, v in raw.items()), (parts, raw, html)


styles = st.builds(
    Style,
    layout=st.sampled_from(LAYOUTS),
    parts=st.sampled_from(["vi", "en", "vi/en", "en/vi"]),
    joiner=st.sampled_from(JOINERS),
    wrap_first=st.sampled_from(WRAPS),
    wrap_second=st.sampled_from(WRAPS),
    case=st.sampled_from(["as is", "upper", "lower"]),
    colon=st.booleans(),
    pad=st.sampled_from(["", "  ", "\u00a0", "\n   "]),
    value_join=st.sampled_from(["br", "div", "p"]),
    validation_status=st.booleans(),
    new_status=st.booleans(),
    unknown=st.booleans(),
    mixed=st.booleans(),
).map(
    # bare lines carry no markup to tell an unknown label from a value: unknown labels need some markup;
    # "Số hiệuStandard Number" glued in running text is not a label either way
    lambda s: (
        Style(**{**s.__dict__, "unknown": s.unknown and s.layout != "lines"})
        if not (s.layout == "text" and s.joiner == "" and not (s.wrap_first or s.wrap_second))
        else Style(**{**s.__dict__, "joiner": " / "})
    )
)


@settings(max_examples=250, deadline=2000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(record=st.sampled_from(RECORDS), style=styles)
@example(record=BY_NUMBER["TCVN 11823-10:2017"], style=Style("dl", "vi/en", " / ", "span", "em"))  # issue 16
@example(record=BY_NUMBER["TCVN 4377:1993"], style=Style("table4", "en"))  # "Ban kỹ thuật Thực phẩm"
@example(record=BY_NUMBER["TCVN 4377:1993"], style=Style("text", "vi", colon=True))
@example(record=BY_NUMBER["QCVN 02:2022/BXD"], style=Style("table", "vi", wrap_second="", unknown=False))
@example(record=BY_NUMBER["QCVN 02:2022/BXD"], style=Style("grid", "vi", " / ", wrap_second=""))  # empty value, row
@example(record=BY_NUMBER["QCVN 10:2015/BGTVT"], style=Style("table4", "vi", " / ", "span", "", colon=True))
@example(record=BY_NUMBER["QCVN 09:2015/BGTVT"], style=Style("lines", "vi", " / ", wrap_second="", unknown=False))
@example(record=BY_NUMBER["QCVN 14:2015/BGTVT"], style=Style("text", "vi", " / ", wrap_second=""))
@example(record=BY_NUMBER["QCVN 10:2015/BGTVT"], style=Style("text", "vi", " / ", wrap_second="", value_join="div"))
@example(record=BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], style=Style("text", "vi/en", " / ", wrap_second="span"))
@example(record=BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], style=Style("text", "vi/en", " / ", "span", ""))
@example(record=BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], style=Style("text", "vi/en", " / ", "span", "span"))
@example(record=BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], style=Style("text", "vi/en", "<br>", "", ""))
@example(record=BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], style=Style("text", "vi/en", "<br>", "span", ""))
@example(record=BY_NUMBER["TCVN 4377:1993"], style=Style("table", "en", " / ", "span", "", unknown=False))
@example(record=BY_NUMBER["QCVN 99:2025/BNNMT"], style=Style("inline", "vi", " / ", wrap_second=""))
@example(record=BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], style=Style("text", "vi/en", ": ", "", ""))
@example(record=BY_NUMBER["QCVN 01-100:2012/BNNPTNT"], style=Style("text", "vi/en", ": ", "span", ""))
@example(record=BY_NUMBER["TCVN 4377:1993"], style=Style("text", "en", wrap_second="", value_join="div", unknown=False))
@example(record=BY_NUMBER["TCVN 4377:1993"], style=Style("lines", "en", unknown=False))  # EN-only bare lines
@example(record=BY_NUMBER["TCVN 12828:2019"], style=Style("table", "vi", " / ", wrap_second="", unknown=False))
def test_every_field_reads_back_from_generated_layouts(record: Standard, style: Style) -> None:
    check(record, style)


@pytest.mark.parametrize("variant", range(len(STYLES)))
def test_the_fixture_sites_styles_read_back(variant: int) -> None:
    for record in RECORDS[::40]:
        check(record, STYLES[variant])


# -- labels ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Số hiệu",
        "Standard Number",
        "SỐ HIỆU / Standard Number:",
        "Standard Number/Số hiệu",
        "Số hiệuStandard Number",
        "số hiệu\n  standard number :",
        "Số\u00a0hiệu\u00a0:",
    ],
)
def test_a_label_in_any_case_order_and_separator_is_one_label(text: str) -> None:
    assert whole_label(text)[0] == "number"


def test_validation_status_is_the_status_label() -> None:
    assert whole_label("Tình trạng / Validation Status")[0] == "status"
    assert whole_label("VALIDATION STATUS:")[0] == "status"
    assert prefix_label("Validation Status: A - Còn hiệu lực")[:2] == ("status", "A - Còn hiệu lực")


def test_words_that_are_labels_only_count_as_labels_where_labels_sit() -> None:
    assert prefix_label("Giá trị dinh dưỡng") is None  # a title, not "Giá" (price)
    assert prefix_label("Giá: 100,000 VNĐ")[:2] == ("price", "100,000 VNĐ")
    assert prefix_label("Page 10", twin_of="pages", loose=True)[:2] == ("pages", "10")
    assert prefix_label("Page layout") is None
    assert prefix_label("Replaced by QCVN 06:2009/BTNMT")[0] == "replaced_by"
    assert whole_label("Tên tiếng Việt Giá") is None  # a label and more is not a label


@pytest.mark.parametrize(
    "markup",
    [
        "<dl><dt><span>Số hiệu</span> / <em>Standard Number</em></dt><dd>TCVN 11823-2:2017</dd></dl>",
        "<table><tr><td>Số hiệu<br><i>Standard Number</i></td><td>TCVN 11823-2:2017</td></tr></table>",
        "<div class='row'><div class='col-4'>STANDARD NUMBER<small>Số hiệu</small></div>"
        "<div class='col-8'> TCVN 11823-2:2017 </div></div>",
        "<p><b>Số hiệu:</b> TCVN 11823-2:2017</p>",
        "<p>Số <b>hiệu</b>/Standard Number: TCVN 11823-2:2017</p>",
        "<div>Số hiệu</div><div>Standard Number</div><div>TCVN 11823-2:2017</div>",
        "<p>Số hiệu<br>Standard Number<br>TCVN 11823-2:2017</p>",
        "<table><tr><th>Số hiệu:&nbsp;</th><td>TCVN&nbsp;11823-2:2017</td>"
        "<th>Năm ban hành</th><td>2017</td></tr></table>",
    ],
)
def test_the_value_is_the_next_cell_dd_sibling_or_rest_of_the_line(markup: str) -> None:
    page = read_detail(URL, f"<html><body><p>Tiêu chuẩn quốc gia</p>{markup}<footer>© VSQI</footer></body></html>")
    assert page.fields["number"] == ["TCVN 11823-2:2017"]


def test_unknown_labels_are_kept_and_never_fatal() -> None:
    html = (
        "<dl><dt>Số hiệu</dt><dd>QCVN 12:2014/BXD</dd><dt>Cơ quan ban hành / Issuing agency</dt><dd>Bộ Xây dựng</dd>"
        "<dt>Tên tiếng Việt</dt><dd>Hệ thống điện của nhà ở</dd><dt>Thay thế cho</dt><dd></dd>"
        "<dt>Hiệu lực thi hành</dt><dd>01-01-2015</dd></dl>"
    )
    record = to_standard(read_detail(URL.replace("tieuchuan/", "quychuan/"), html))
    assert record.title_vi == "Hệ thống điện của nhà ở" and record.replaces == []
    assert record.extra["raw_fields"] == {
        "Cơ quan ban hành / Issuing agency": "Bộ Xây dựng",
        "Hiệu lực thi hành": "01-01-2015",
    }


def test_markup_that_is_not_a_page_reads_as_nothing_and_fails_validation_cleanly() -> None:
    deep = "<div>" * 5000 + "Số hiệu: TCVN 1:2000" + "</div>" * 5000
    for html in ["", "<<<>>>", "\x00\x01", "<html><body><table><tr><td>Số hiệu", "plain text", deep, "\ud800"]:
        page = read_detail(URL, html)
        with pytest.raises(ValidationError):
            to_standard(page)


def test_the_value_never_runs_into_the_footer() -> None:
    html = "<div class='row'><span class='label'>Ban kỹ thuật</span> TCVN/TC 1</div><p>Hotline: 024 0000</p>"
    page = read_detail(URL, f"<html><body>{html}</body></html>")
    assert page.fields["committee"] == ["TCVN/TC 1"]
    assert re.sub(r"\s", "", page.raw.get("Hotline", "")) == "0240000"
