"""The admin pages' words in the reader's language.

Contract: admin templates write Vietnamese wrapped in ``t()``; :func:`translator`
returns the identity for ``vi`` and, for ``en``, the English of :data:`ADMIN_EN`
(falling back to the public catalogue :data:`catalogue.web.i18n.EN`, then to the
Vietnamese).  A test lists every ``t()`` string of ``templates/admin`` so none is
forgotten.  Field names of the audit log have labels too (:func:`field_label`).

:func:`page` renders every admin page (the workspace, the worklist) with ``t``,
the audit helpers and the one-time message a redirect left in the server-side
session (:func:`flash`), shown once in the admin's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from catalogue.auditlog import action_label, local_time, readable
from catalogue.web.i18n import EN

if TYPE_CHECKING:
    from catalogue.accounts import Session
    from catalogue.web.http import Site

__all__ = ["ADMIN_EN", "FIELDS", "field_label", "flash", "page", "translator"]

ADMIN_EN: dict[str, str] = {
    "Quản trị": "Administration",
    "Quản trị tiêu chuẩn": "Standards administration",
    "Tổng quan": "Overview",
    "Tiêu chuẩn": "Standards",
    "Thêm mới": "Add new",
    "Nhập tệp": "Import",
    "Thu thập": "Crawl",
    "Nhóm sản phẩm": "Product groups",
    "Nhật ký": "Audit log",
    "Tài khoản": "Accounts",
    "Đăng xuất": "Log out",
    "Đã lưu.": "Saved.",
    "Đã hủy bỏ tiêu chuẩn.": "The standard was withdrawn.",
    "Đã chấp nhận bản ghi.": "The record was accepted.",
    "Nhật ký thay đổi": "Audit log",
    "Tải CSV": "Download CSV",
    "Lúc": "When",
    "Người": "Who",
    "Việc": "Action",
    "Đối tượng": "Record",
    "Thay đổi": "Changes",
    "Chưa có.": "None yet.",
    "Lọc": "Filter",
    "Tất cả": "All",
    "Người dùng": "User",
    "Số hiệu": "Number",
    "Từ ngày": "From (date)",
    "Đến ngày": "To (date)",
    "Giờ Việt Nam": "Vietnam time",
    "Lịch sử": "History",
    "Sửa": "Edit",
    "Trang công khai": "Public page",
    "Thêm tiêu chuẩn": "Add a standard",
    "Khác biệt với bản đã lưu": "Differences from the saved version",
    "Trường": "Field",
    "Bản của bạn": "Your version",
    "Bản đã lưu": "Saved version",
    "Bản đã lưu được hiển thị bên dưới; thay đổi của bạn chưa bị mất — sao chép lại từ bảng trên.": (
        "The saved version is shown below; your changes are not lost: copy them from the table above."
    ),
    "Tên tiếng Việt": "Vietnamese title",
    "Tên tiếng Anh": "English title",
    "Tình trạng": "Status",
    "Phạm vi áp dụng": "Scope",
    "Mã ICS (mỗi dòng một mã)": "ICS codes (one per line)",
    "Thay thế cho": "Replaces",
    "Thay thế bằng": "Replaced by",
    "Tương đương quốc tế": "International equivalent",
    "Mức tương đương": "Degree of equivalence",
    "Quyết định ban hành": "Issuing decision",
    "Ngày quyết định (YYYY-MM-DD)": "Decision date (YYYY-MM-DD)",
    "Ngày ban hành (YYYY-MM-DD)": "Issue date (YYYY-MM-DD)",
    "Ngày hiệu lực (YYYY-MM-DD)": "In force from (YYYY-MM-DD)",
    "Ban kỹ thuật": "Technical committee",
    "Số trang": "Pages",
    "Lưu": "Save",
    "Hủy bỏ": "Withdraw",
    "Quyết định hủy bỏ": "Withdrawal decision",
    "Ngày hủy bỏ (YYYY-MM-DD)": "Withdrawal date (YYYY-MM-DD)",
    "Hủy bỏ tiêu chuẩn": "Withdraw the standard",
    "Thay thế bằng bản mới": "Replace with a new edition",
    "Số hiệu bản mới (đã có trong danh mục)": "Number of the new edition (already in the catalogue)",
    "Liên kết thay thế": "Link the replacement",
    "Xác nhận hủy bỏ": "Confirm the withdrawal",
    "Tiêu chuẩn sẽ được đánh dấu hết hiệu lực theo quyết định hủy bỏ dưới đây. Quyết định ban hành giữ nguyên.": (
        "The standard will be marked withdrawn by the decision below. The issuing decision stays as it is."
    ),
    "Đồng ý hủy bỏ": "Yes, withdraw it",
    "Quay lại, không hủy bỏ": "Go back without withdrawing",
    "không có": "none",
    "Nhập CSV / JSONL": "Import CSV / JSONL",
    "Tệp": "File",
    "Xem trước": "Preview",
    "Dòng": "Row",
    "Kết quả": "Outcome",
    "hợp lệ": "valid",
    "Áp dụng (dòng lỗi được cách ly)": "Apply (bad rows go to the quarantine)",
    "Tệp (.csv hoặc .jsonl)": "File (.csv or .jsonl)",
    "Tải tệp mẫu (CSV)": "Download the template (CSV)",
    "Các cột": "Columns",
    "Cột": "Column",
    "Ý nghĩa": "Meaning",
    "Thu thập và cách ly": "Crawl and quarantine",
    "Các lần thu thập": "Crawl runs",
    "chưa xong": "not finished",
    "Bản ghi bị cách ly": "Quarantined records",
    "Nguồn": "Source",
    "Sửa và chấp nhận": "Fix and accept",
    "Không có bản ghi nào bị cách ly.": "No record is quarantined.",
    "Lý do": "Reason",
    "Mã ICS": "ICS codes",
    "Thay đổi gần đây": "Recent changes",
    "Lần thu thập gần nhất": "Latest crawls",
    "trường": "fields",
    "Tìm": "Search",
    "lịch sử": "history",
    "Đăng nhập ban thư ký": "Secretariat login",
    "Tên đăng nhập": "User name",
    "Mật khẩu": "Password",
    "Đăng nhập": "Log in",
    "đã khóa": "disabled",
    "Khóa": "Disable",
    "Vai trò": "Role",
    "Mật khẩu (≥ 10 ký tự)": "Password (at least 10 characters)",
    "Thêm tài khoản": "Add the account",
    "Sửa nhóm": "Edit group",
    "Từ đồng nghĩa (mỗi dòng một từ)": "Synonyms (one per line)",
    "Mã HS": "HS codes",
    "QCVN | căn cứ (legal hoặc title), mỗi dòng một liên kết": "QCVN | basis (legal or title), one link per line",
    "TCVN chính": "Main TCVN",
    "Lưu nhóm": "Save the group",
}

# the record's fields as the audit log and the import help name them: (vi, en)
FIELDS: dict[str, tuple[str, str]] = {
    "number": ("Số hiệu", "Number"),
    "title_vi": ("Tên tiếng Việt", "Vietnamese title"),
    "title_en": ("Tên tiếng Anh", "English title"),
    "scope_vi": ("Phạm vi áp dụng", "Scope"),
    "status": ("Tình trạng", "Status"),
    "status_basis": ("Căn cứ tình trạng", "Status basis"),
    "status_reason": ("Bằng chứng tình trạng", "Status evidence"),
    "replaces": ("Thay thế cho", "Replaces"),
    "replaced_by": ("Thay thế bằng", "Replaced by"),
    "ics": ("Mã ICS", "ICS codes"),
    "equivalents": ("Tương đương quốc tế", "International equivalents"),
    "equivalent": ("Tương đương quốc tế (số hiệu)", "International equivalent (number)"),
    "degree": ("Mức tương đương (IDT, MOD, NEQ)", "Degree (IDT, MOD, NEQ)"),
    "technical_committee": ("Ban kỹ thuật", "Technical committee"),
    "decision": ("Quyết định ban hành", "Issuing decision"),
    "decision_date": ("Ngày quyết định", "Decision date"),
    "issue_date": ("Ngày ban hành", "Issue date"),
    "effective_date": ("Ngày hiệu lực", "In force from"),
    "withdrawn_by": ("Quyết định hủy bỏ", "Withdrawal decision"),
    "withdrawn_date": ("Ngày hủy bỏ", "Withdrawal date"),
    "pages": ("Số trang", "Pages"),
    "sources": ("Nguồn", "Sources"),
    "source": ("Nguồn (địa chỉ hoặc tên văn bản)", "Source (address or document)"),
    "notes": ("Ghi chú", "Notes"),
    "extra": ("Thông tin khác", "Other details"),
    "amendments": ("Sửa đổi", "Amendments"),
}


def field_label(name: str, lang: str = "vi") -> str:
    """A field's label; an unknown one is shown as its name."""
    labels = FIELDS.get(name)
    return name if labels is None else labels[1 if lang == "en" else 0]


def translator(lang: str) -> Callable[[str], str]:
    if lang == "en":
        return lambda text: ADMIN_EN.get(text) or EN.get(text, text)
    return lambda text: text


def flash(request: Request, message: str) -> None:
    """Leave ``message`` (Vietnamese, a key of :data:`ADMIN_EN`) for the next admin page to show once."""
    request.session["flash"] = message


def page(site: Site, request: Request, name: str, session: Session | None, status: int = 200, **ctx: Any) -> Response:
    """``templates/admin/<name>`` in the reader's language, with the pending :func:`flash` message."""
    lang = site.lang(request)
    t = translator(lang)
    message = request.session.pop("flash", None) if session is not None else None
    return site.render(
        request,
        f"admin/{name}",
        status,
        session=session,
        t=t,
        flash=t(message) if message else None,
        action_label=lambda action: action_label(action, lang),
        field_label=lambda field: field_label(field, lang),
        local_time=local_time,
        readable=readable,
        **ctx,
    )
