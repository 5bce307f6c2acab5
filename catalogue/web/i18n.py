"""Interface language: Vietnamese by default, English on request.

Contract: templates write Vietnamese text wrapped in ``_()``; :func:`translator`
returns the identity for ``vi`` and the English of :data:`EN` for ``en``.  A
string missing from :data:`EN` falls back to Vietnamese (a test lists every
``_()`` string of the templates, so none is forgotten).  ``_("literal")`` is
translated when a template is compiled (:class:`ConstantTranslations`, one
environment per language), not on every page.  The choice persists in
the ``lang`` cookie.

Messages with parameters (a status's basis, a remark on a record, a source's
kind) are keyed in :data:`MESSAGES` as ``(vi, en)`` templates; :func:`messenger`
formats them in the page's language.  Every key has both languages (a test
checks), and none names an internal file, field or vote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup, escape

__all__ = [
    "EN",
    "LANGS",
    "MESSAGES",
    "ConstantTranslations",
    "in_lang",
    "mark_quotes",
    "messenger",
    "number",
    "pick",
    "plural",
    "translator",
]

LANGS = ("vi", "en")

EN: dict[str, str] = {
    "Tra cứu TCVN, QCVN": "TCVN and QCVN search",
    "Bỏ qua đến nội dung": "Skip to content",
    "Tìm tiêu chuẩn": "Search standards",
    "Số hiệu hoặc từ khóa, ví dụ: nước mắm, TCVN 5699-1": "Number or words, e.g. fish sauce, TCVN 5699-1",
    "Tìm": "Search",
    "Chuyển sang tiếng Anh": "Chuyển sang tiếng Việt",
    "Nhóm sản phẩm": "Product groups",
    "Duyệt ICS": "Browse ICS",
    "Dữ liệu danh mục tổng hợp từ nguồn công khai; mỗi bản ghi ghi rõ nguồn. Tình trạng “suy đoán” không phải thông tin chính thức.": "Catalogue data compiled from public sources; every record names its sources. A “presumed” status is not official.",  # noqa: E501
    "Phân loại ICS": "ICS classification",
    "giấy phép ODC Attribution 1.0 (ODC-By)": "licensed under ODC Attribution 1.0 (ODC-By)",
    "Tra cứu tiêu chuẩn quốc gia (TCVN) và quy chuẩn kỹ thuật quốc gia (QCVN)": "Search Vietnam's national standards (TCVN) and technical regulations (QCVN)",  # noqa: E501
    "Gõ có dấu hoặc không dấu, dán số hiệu theo bất kỳ cách viết nào.": "Type with or without diacritics, or paste a number in any spelling.",  # noqa: E501
    "Tìm tiêu chuẩn cho sản phẩm của tôi": "Find the standards for my product",
    "Duyệt theo nhóm sản phẩm": "Browse by product group",
    "Mới nhất": "Newest",
    "Sản phẩm của bạn": "Your product",
    "ví dụ: mũ bảo hiểm cho trẻ em, nước uống đóng chai, phân bón NPK": "e.g. children's helmets, bottled water, NPK fertiliser",  # noqa: E501
    "Mã HS (không bắt buộc)": "HS code (optional)",
    "Tìm tiêu chuẩn áp dụng": "Find applicable standards",
    "Bộ lọc": "Filters",
    "Loại": "Kind",
    "Tình trạng": "Status",
    "Lĩnh vực ICS": "ICS field",
    "Bộ ban hành": "Ministry",
    "Thập niên": "Decade",
    "Bỏ bộ lọc": "Remove filter",
    "kết quả": "results",
    "cho": "for",
    "Có phải bạn muốn tìm": "Did you mean",
    "Sắp xếp": "Sort",
    "Liên quan nhất": "Most relevant",
    "Mới nhất trước": "Newest first",
    "Áp dụng": "Apply",
    "Trang": "Page",
    "Trước": "Previous",
    "Sau": "Next",
    "Tải CSV": "Download CSV",
    "Theo dõi (Atom)": "Subscribe (Atom)",
    "Gợi ý": "Suggestions",
    "Bỏ tất cả bộ lọc": "Remove all filters",
    "Thử gõ không dấu": "Try without diacritics",
    "Duyệt theo phân loại ICS": "Browse the ICS classification",
    "Tìm mọi tiêu chuẩn có các từ này": "Search every standard with these words",
    "Quy chuẩn bắt buộc cho": "Mandatory regulations for",
    "Xem đủ các quy chuẩn, tiêu chuẩn và danh sách kiểm tra": "See every regulation, standard and the checklist",
    "Phạm vi áp dụng": "Scope",
    "Tương đương": "Equivalent to",
    "Thay thế cho": "Replaces",
    "Thay thế bằng": "Replaced by",
    "Bản hiện hành": "Current edition",
    "Đây là bản cũ. Bản hiện hành:": "This is an old edition. Current edition:",
    "Các lần ban hành": "Editions",
    "Quyết định / Thông tư": "Decision / circular",
    "Quyết định hủy bỏ": "Withdrawn by",
    "Ngày ban hành": "Issued",
    "Ngày hiệu lực": "In force from",
    "Ban kỹ thuật": "Technical committee",
    "Số trang": "Pages",
    "Sửa đổi": "Amendments",
    "Nguồn": "Sources",
    "Ghi chú": "Notes",
    "Tiêu chuẩn liên quan": "Related standards",
    "(không có trong danh mục)": "(not in the catalogue)",
    "Về trang chủ": "Back to the home page",
    "Lỗi": "Error",
    "Phân loại ICS theo lĩnh vực": "ICS by field",
    "tiêu chuẩn": "standards",
    "Xem tất cả tiêu chuẩn thuộc mã này": "See every standard under this code",
    "Nhóm": "Group",
    "Quy chuẩn bắt buộc (QCVN)": "Mandatory regulations (QCVN)",
    "Tiêu chuẩn tự nguyện (TCVN)": "Voluntary standards (TCVN)",
    "Căn cứ": "Legal basis",
    "Nhóm gần nhất": "Closest groups",
    "Xem tất cả nhóm sản phẩm": "See every product group",
    "Dòng thuế HS liên quan": "Related HS tariff lines",
    "Mã HS": "HS code",
    "Mô tả": "Description",
    "Biện pháp quản lý chất lượng": "Quality measures",
    "dòng HS": "HS lines",
    "Chọn nhóm để xem quy chuẩn bắt buộc, tiêu chuẩn chính, mã HS và mã ICS liên quan.": "Choose a group to see its mandatory regulations, key standards, HS and ICS codes.",  # noqa: E501
    "Từ khóa": "Keywords",
    "Quy chuẩn (QCVN)": "Regulations (QCVN)",
    "Tiêu chuẩn chính (TCVN)": "Key standards (TCVN)",
    "Mã ICS": "ICS codes",
    "căn cứ": "basis",
    "văn bản pháp lý": "legal text",
    "tên quy chuẩn": "regulation title",
    "Chưa có QCVN nào được liên kết với nhóm này.": "No QCVN is linked to this group yet.",
    "Chưa có.": "None yet.",
    "Xem gợi ý cho nhóm này": "See recommendations for this group",
    "Thực phẩm": "Food",
    "Tiếp xúc thực phẩm": "Food contact",
    "Nông nghiệp": "Agriculture",
    "Hàng tiêu dùng": "Consumer goods",
    "CNTT và năng lượng": "IT and energy",
    "Xây dựng": "Construction",
    "Khác": "Other",
    "thay thế cho": "replaces",
    "Tài liệu API": "API documentation",
    "(chưa có tên)": "(untitled)",
    # recommendations and the compliance checklist (issue 11)
    "Sản phẩm được hiểu là": "Product understood as",
    "sản xuất": "making",
    "nhập khẩu": "importing",
    "xuất khẩu": "exporting",
    "kinh doanh": "selling",
    "Áp dụng cho mọi sản phẩm": "Applies to all products",
    "Vì": "Because",
    "Có thể áp dụng": "May also apply",
    "Chưa có văn bản pháp lý hay dòng HS nhóm 2 nêu các quy chuẩn này cho sản phẩm; hãy kiểm tra phạm vi của từng quy chuẩn.": "No legal text or group-2 HS line names these regulations for the product; check the scope of each.",  # noqa: E501
    "Văn bản ban hành": "Issuing circular",
    "Danh sách kiểm tra để in": "Printable checklist",
    "Danh mục có": "The catalogue holds",
    "trong khoảng": "of about",
    "cập nhật": "updated",
    "Danh sách kiểm tra tuân thủ": "Compliance checklist",
    "Sản phẩm": "Product",
    "Ngày danh mục": "Catalogue date",
    "Phạm vi": "Coverage",
    "Kết luận": "Outcome",
    "Quay lại gợi ý": "Back to the recommendation",
    "In trang này (Ctrl+P) để có bản giấy A4.": "Print this page (Ctrl+P) for an A4 copy.",
    "Không có mục nào.": "Nothing to list.",
    "văn bản pháp lý nêu": "the legal text names",
    "Áp dụng cho cả nhóm": "Covers the whole group",
    "Lịch sử các lần ban hành": "Edition history",
    "Năm": "Year",
    "Số hiệu": "Number",
    "Quan hệ": "Relation",
    "bản đang xem": "this edition",
    "bản hiện hành": "current edition",
    "mã cũ, không phải TCVN": "older code, not a TCVN",
    "Căn cứ tình trạng": "Basis of the status",
    "Loại nguồn": "Kind of source",
    "Độ tin cậy": "Trust",
    "Liên kết": "Link",
    "(không có liên kết công khai)": "(no public link)",
    "Đây là dự thảo, chưa có hiệu lực.": "This is a draft; it is not in force.",
    "Không thấy ở đây không có nghĩa là không tồn tại.": "Not found here does not mean it does not exist.",
    "Tra cứu trên trang danh mục chính thức": "Search the official catalogue",
    "Chi tiết": "Details",
    "Tình trạng “suy đoán” được lập luận từ các lần ban hành và danh mục đang có; không phải thông tin chính thức.": "A “presumed” status is reasoned from the editions and lists held; it is not official.",  # noqa: E501
    "Việc cần làm": "Worklist",
    "Chất lượng dữ liệu": "Data quality",
    "Vấn đề": "Problem",
    "Tất cả": "All",
    "Lọc": "Filter",
    "bản ghi": "records",
    "Tên": "Title",
    "Xác nhận": "Confirm",
    "Xác nhận tình trạng hoặc tên": "Confirm a status or a title",
    "Giữ nguyên": "Keep as it is",
    "Tên tiếng Việt": "Vietnamese title",
    "Tên tiếng Anh": "English title",
    "Nguồn xác nhận (địa chỉ hoặc tên văn bản)": "Confirming source (address or document)",
    "Trích dẫn nguyên văn (không bắt buộc)": "Exact quote (optional)",
    "Số hiệu chờ xác nhận (chưa hiển thị công khai)": "Numbers waiting for confirmation (not shown publicly)",
    "Theo loại": "By kind",
    "Đang có": "Held",
    "Khoảng đang có hiệu lực hoặc đã ban hành": "About in force or issued",
    "Theo căn cứ tình trạng": "By status basis",
    "Theo bộ ban hành": "By ministry",
    "Theo lĩnh vực ICS": "By ICS field",
    "Không có mã": "No code",
    # issue 14: one language per page
    "Điều hướng": "Site navigation",
    "Kết quả tìm kiếm": "Search results",
    "Tài liệu API viết bằng tiếng Anh.": "The API documentation is written in English.",
}

# (vi, en) templates with named parameters.
MESSAGES: dict[str, tuple[str, str]] = {
    # coverage
    "coverage": (
        "Danh mục này có {tcvn} TCVN (trong khoảng 11.650 TCVN đang có hiệu lực) và {qcvn} QCVN"
        " (trong khoảng 800 QCVN đã ban hành).",
        "This catalogue holds {tcvn} TCVN (of about 11,650 in force) and {qcvn} QCVN (of about 800 issued).",
    ),
    "official_search_for": ("Tìm “{q}” trên trang danh mục chính thức", "Search “{q}” in the official catalogue"),
    "untitled": ("chưa có tên — số hiệu do {source} xác nhận", "untitled — number confirmed by {source}"),
    "untitled_plain": ("chưa có tên", "untitled"),
    "cited_only": (
        "{number} được nêu trong {sources}, nhưng danh mục này chưa có bản ghi về nó.",
        "{number} is cited in {sources}, but this catalogue holds no record of it.",
    ),
    "current_is": ("Đây là bản cũ. Bản hiện hành: {number}", "This is an old edition. Current edition: {number}"),
    # the basis of a status
    "basis:official": ("Theo trang danh mục chính thức.", "According to the official catalogue page."),
    "basis:stated": ("Theo {source}.", "According to {source}."),
    "basis:stated_quote": ("Theo {source}: “{quote}”", "According to {source}: “{quote}”"),
    "basis:unknown": ("Chưa có nguồn nào cho biết tình trạng.", "No source tells its status yet."),
    "basis:since": ("(từ {date})", "(from {date})"),
    "rule:replacement-held": (
        "Suy đoán: đã bị thay thế bởi {via}, có trong danh mục này.",
        "Presumed: replaced by {via}, which this catalogue holds.",
    ),
    "rule:newer-edition-held": (
        "Suy đoán: đã có bản mới hơn cùng số hiệu, {via}.",
        "Presumed: a newer edition with the same number, {via}, exists.",
    ),
    "rule:replaces-unreplaced": (
        "Suy đoán: bản này thay thế {via} và chưa thấy bản nào thay thế nó.",
        "Presumed: it replaces {via}, and nothing known replaces it.",
    ),
    "rule:newest-edition": (
        "Suy đoán: đây là bản mới nhất; bản trước, {via}, đã bị thay thế.",
        "Presumed: this is the newest edition; the earlier {via} has been replaced.",
    ),
    "rule:listed-in-force": (
        "Suy đoán: được nêu là đang áp dụng trong {list}.",
        "Presumed: cited as applicable in {list}.",
    ),
    "rule:listed-in-ministry-draft": (
        "Suy đoán: có tên trong {list}. Văn bản đó còn là dự thảo.",
        "Presumed: listed in {list}. That text is still a draft.",
    ),
    "rule:amendment-follows-base": (
        "Suy đoán: theo tình trạng của quy chuẩn gốc {via}.",
        "Presumed: follows its base regulation {via}.",
    ),
    "badge:presumed": ("suy đoán", "presumed"),
    # kinds of source and trust
    "kind:official_page": ("trang danh mục chính thức", "official catalogue page"),
    "kind:legal_text": ("văn bản pháp luật", "legal text"),
    "kind:decision": ("quyết định công bố", "announcing decision"),
    "kind:list": ("danh mục tiêu chuẩn trong một văn bản", "list of standards in a document"),
    "kind:copy": ("bản sao trên trang khác", "copy on another site"),
    "kind:citation": ("trích dẫn trong tiêu chuẩn hoặc văn bản khác", "citation in another standard or text"),
    "kind:secretariat": ("ban thư ký xác nhận", "confirmed by the secretariat"),
    "kind:import": ("tệp nhập", "imported file"),
    "trust:official": ("chính thức", "official"),
    "trust:semi-official": ("bán chính thức", "semi-official"),
    "trust:secondary": ("thứ cấp", "secondary"),
    "trust:citation": ("trích dẫn, tên có thể bị rút gọn", "citation; the title may be shortened"),
    "trust:low": ("thấp, cần xác nhận", "low; needs confirming"),
    "trust:secretariat": ("ban thư ký", "secretariat"),
    # remarks on a record
    "remark:title_partial": ("Tên có thể chưa đầy đủ.", "The title may be incomplete."),
    "remark:ocr_typos": (
        "Tên chép từ bản quét nên có thể sai dấu.",
        "The title comes from a scanned copy and may have wrong diacritics.",
    ),
    "remark:date_in_source": (
        "Nguồn ghi {field} là “{value}”, không phải một ngày hợp lệ.",
        "The source gives the {field} as “{value}”, which is not a valid date.",
    ),
    "remark:date_shown": ("Nguồn ghi {field} là “{value}”.", "The source shows the {field} as “{value}”."),
    "remark:two_digit_year": (
        "Nguồn in năm bằng hai chữ số; năm được đọc là 19xx.",
        "The source prints a two-digit year, read as 19xx.",
    ),
    "remark:expanded_from_row": (
        "Tách từ một dòng danh mục ghi nhiều phần: {printed}.",
        "Split from a list row naming several parts: {printed}.",
    ),
    "remark:title_conflict": (
        "Các nguồn ghi những tên khác nhau: {titles}. Chưa chọn tên nào.",
        "Sources give different titles: {titles}. None has been chosen.",
    ),
    "remark:ics_unknown": (
        "Nguồn ghi mã ICS không có trong danh mục ISO: {codes}.",
        "A source gives ICS codes that are not in the ISO list: {codes}.",
    ),
    "remark:status_in_source": ("Nguồn ghi tình trạng: “{value}”.", "The source gives the status as “{value}”."),
    "remark:effective_date_front_matter": (
        "Ngày hiệu lực chỉ có ở phần đầu tệp của bản sao.",
        "The date in force appears only in the header of the copy.",
    ),
    "remark:named_only": (
        "Số hiệu được nêu trong một văn bản khác; chưa có tên.",
        "The number is named in another text; no title is known.",
    ),
    "remark:citation_only": (
        "Chỉ biết qua trích dẫn trong văn bản khác; tên có thể bị rút gọn.",
        "Known only from citations in other texts; the title may be shortened.",
    ),
    "problem:unknown_status": ("tình trạng chưa rõ", "unknown status"),
    "problem:no_title": ("chưa có tên", "no title"),
    "problem:no_ics": ("chưa có mã ICS", "no ICS code"),
    "problem:citation_only": ("chỉ có nguồn trích dẫn", "only citation-level sources"),
    "basisname:official": ("chính thức", "official"),
    "basisname:stated": ("theo nguồn trích dẫn", "stated by a source"),
    "basisname:presumed": ("suy đoán", "presumed"),
    "basisname:unknown": ("chưa rõ", "unknown"),
    "field:decision_date": ("ngày quyết định", "decision date"),
    "field:issue_date": ("ngày ban hành", "issue date"),
    "field:effective_date": ("ngày hiệu lực", "date in force"),
    # what a search says about itself (SearchResult.notices)
    "notice:truncated": ("Truy vấn quá dài đã được cắt ngắn.", "The query was too long and has been shortened."),
    "notice:simplified": (
        "Truy vấn đã được rút gọn: chỉ tìm các từ chính.",
        "The query was simplified: only its main words were searched.",
    ),
    "notice:type": ("Nhập từ khóa hoặc số hiệu tiêu chuẩn.", "Type words or a standard number."),
    "notice:nothing": (
        "Không tìm thấy kết quả. Thử bỏ bộ lọc, dùng từ khác hoặc duyệt theo ICS.",
        "Nothing found: try removing filters, other words, or browsing by ICS.",
    ),
    # counts, filters and decades on the results page
    "results:one": ("{n} kết quả", "{n} result"),
    "results:many": ("{n} kết quả", "{n} results"),
    "standards:one": ("{n} tiêu chuẩn", "{n} standard"),
    "standards:many": ("{n} tiêu chuẩn", "{n} standards"),
    "hs_lines:one": ("{n} dòng HS", "{n} HS line"),
    "hs_lines:many": ("{n} dòng HS", "{n} HS lines"),
    "decade": ("Thập niên {decade}", "{decade}s"),
    "chip:year_from": ("Năm từ {year}", "Year from {year}"),
    "chip:year_to": ("Năm đến {year}", "Year to {year}"),
}


def number(value: int, lang: str) -> str:
    """``11650`` as ``11.650`` in Vietnamese and ``11,650`` in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "vi" else text


def in_lang(text: str, lang: str) -> str:
    """A bilingual note written ``"tiếng Việt / English"`` in the page's language."""
    vi, sep, en = text.partition(" / ")
    return (en if lang == "en" else vi) if sep else text


def messenger(lang: str) -> Callable[..., str]:
    """``msg(key, **params)``: the message of :data:`MESSAGES` in ``lang``; an unknown key is returned as is."""
    index = 1 if lang == "en" else 0

    def msg(key: str, **params: Any) -> str:
        template = MESSAGES.get(key)
        if template is None:
            return key
        return template[index].format(**params)

    return msg


def plural(count: int, key: str, lang: str) -> str:
    """``"1 result"`` / ``"2 results"``: the ``<key>:one`` or ``<key>:many`` message with ``n`` formatted."""
    return messenger(lang)(f"{key}:{'one' if count == 1 else 'many'}", n=number(count, lang))


_QUOTED = re.compile(r"([“«])([^”»]*)([”»])")
_VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)


def mark_quotes(text: str | None, lang: str) -> Markup:
    """``text`` escaped; on an English page, each quotation in Vietnamese (record text quoted in a reason,
    “Mũ bảo hiểm”) is wrapped in ``<span lang="vi">`` so readers and screen readers know its language."""
    if not text:
        return Markup("")
    if lang != "en":
        return escape(text)
    out, last = [], 0
    for m in _QUOTED.finditer(text):
        out.append(escape(text[last : m.start()]))
        inner = escape(m.group(2))
        if _VIETNAMESE.search(m.group(2)):
            inner = Markup('<span lang="vi">') + inner + Markup("</span>")
        out.append(escape(m.group(1)) + inner + escape(m.group(3)))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def pick(requested: str | None) -> str:
    return requested if requested in LANGS else "vi"


def translator(lang: str) -> Callable[[str], str]:
    if lang == "en":
        return lambda text: EN.get(text, text)
    return lambda text: text


_CALL = ("name", "lparen", "string", "rparen")  # the tokens of _("literal")


class ConstantTranslations(Extension):
    """Translates ``_("literal")`` when a template is compiled, into the environment's ``page_lang``.

    The text then is part of the compiled template (escaped once, at compile time)
    instead of a call on every page: a results page made some 35 of them.  A call
    with anything but one string literal is left to the ``_`` of the page's context.
    Each language needs its own environment.
    """

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.extend(page_lang="vi")

    def filter_stream(self, stream: TokenStream) -> Any:
        translate = translator(self.environment.page_lang)  # type: ignore[attr-defined]
        pending: list[Token] = []  # tokens that may be such a call, held back
        before = None  # the type of the token before them: ``x._("…")`` is a method, not the translation
        for token in stream:
            pending.append(token)
            if pending[0].value == "_" and before != "dot" and [t.type for t in pending] == list(_CALL[: len(pending)]):
                if len(pending) == len(_CALL):
                    yield Token(pending[0].lineno, "string", translate(pending[2].value))
                    pending, before = [], "string"
                continue
            *done, last = pending
            yield from done
            if done:
                before = done[-1].type
            if last.type == "name" and last.value == "_" and before != "dot":
                pending = [last]  # may start a call
            else:
                pending, before = [], last.type
                yield last
        yield from pending
