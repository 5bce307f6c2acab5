"""The admin pages' words: every t() string of templates/admin has its English, and field labels."""

from __future__ import annotations

import re
from pathlib import Path

from catalogue.web.admin_text import ADMIN_EN, FIELDS, field_label, translator
from catalogue.web.i18n import EN

ROOT = Path(__file__).resolve().parents[1]


def test_every_admin_template_string_has_its_english() -> None:
    strings = set()
    for path in (ROOT / "templates" / "admin").glob("*.html"):
        strings |= set(re.findall(r"""\bt\(\s*["']([^"']+)["']\s*\)""", path.read_text(encoding="utf-8")))
    assert len(strings) > 50
    assert sorted(s for s in strings if s not in ADMIN_EN and s not in EN) == []


def test_the_translator_and_field_labels() -> None:
    en, vi = translator("en"), translator("vi")
    assert en("Nhật ký thay đổi") == "Audit log" and vi("Nhật ký thay đổi") == "Nhật ký thay đổi"
    assert en("Việc cần làm") == EN["Việc cần làm"]  # falls back to the public catalogue
    assert en("chưa dịch") == "chưa dịch"
    assert field_label("withdrawn_by", "en") == "Withdrawal decision" and field_label("zzz", "vi") == "zzz"
    assert all(vi and en for vi, en in FIELDS.values()) and all(v.strip() for v in ADMIN_EN.values())
