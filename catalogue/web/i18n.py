"""Interface language: Vietnamese by default, English on request.

Contract: templates write Vietnamese text wrapped in ``_()``; :func:`translator`
returns the identity for ``vi`` and the English of :data:`EN` for ``en``.  A
string missing from :data:`EN` falls back to Vietnamese (a test lists every
``_()`` string of the templates, so none is forgotten).  The choice persists in
the ``lang`` cookie.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["EN", "LANGS", "pick", "translator"]

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
}


def pick(requested: str | None) -> str:
    return requested if requested in LANGS else "vi"


def translator(lang: str) -> Callable[[str], str]:
    if lang == "en":
        return lambda text: EN.get(text, text)
    return lambda text: text
