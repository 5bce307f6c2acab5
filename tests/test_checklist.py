"""The compliance checklist: rows, CSV and XLSX hold the same, formulas are neutralised."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from catalogue.engine import Engine
from catalogue.recommend.checklist import COLUMNS, build, neutralise, read_xlsx, to_csv, to_xlsx


@pytest.fixture(scope="module")
def helmet(engine: Engine):
    return build(engine.recommender.recommend("mũ bảo hiểm"), "vi")


def test_sections_in_order_with_the_editions_and_the_circular(helmet) -> None:
    keys = [r["key"] for r in helmet.rows]
    assert keys == sorted(keys, key=["mandatory", "sector", "may_apply", "voluntary", "hs"].index)
    first = helmet.rows[0]
    assert first["key"] == "mandatory" and first["number"] == "QCVN 2:2021/BKHCN"
    assert first["named"] == "QCVN 2:2008/BKHCN" and "Thông tư 23/2009/TT-BKHCN" in first["basis"]
    assert first["circular"]
    hs = [r for r in helmet.rows if r["key"] == "hs"]
    assert hs and hs[0]["number"] == "6506.10.10" and "Hàng hóa nhóm 2" in hs[0]["basis"]
    assert helmet.catalogue_date and "khoảng 800 QCVN" in helmet.coverage
    assert "không phải tư vấn pháp lý" in helmet.disclaimer


def test_sector_rows_say_why(engine: Engine) -> None:
    checklist = build(engine.recommender.recommend("mì ăn liền"), "en")
    sector = [r for r in checklist.rows if r["key"] == "sector"]
    assert {r["number"] for r in sector} >= {"QCVN 8-1:2011/BYT", "QCVN 8-2:2011/BYT", "QCVN 8-3:2012/BYT"}
    assert all("1902" in r["reason"] for r in sector)
    assert checklist.outcome == "none_known" and "No mandatory QCVN is known" in checklist.message


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\t=x", "\r=x"])
def test_formulas_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("QCVN 2:2021/BKHCN") == "QCVN 2:2021/BKHCN"


def test_csv_and_xlsx_hold_the_same_rows(helmet) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(helmet).lstrip("\ufeff"))))
    start = rows.index([c[1] for c in COLUMNS])
    assert rows[start + 1 :] == helmet.table()
    headers, table = read_xlsx(to_xlsx(helmet))
    assert headers == [c[1] for c in COLUMNS] and table == helmet.table()


def test_a_hostile_product_name_is_not_a_formula_in_the_exports(engine: Engine) -> None:
    checklist = build(engine.recommender.recommend('=HYPERLINK("http://x","mũ bảo hiểm")'), "vi")
    ws = load_workbook(io.BytesIO(to_xlsx(checklist))).active
    assert ws["B1"].value.startswith("'=HYPERLINK")
    assert ws["B1"].data_type == "s"
    assert "'=HYPERLINK" in to_csv(checklist)


def test_downloads(http: httpx.Client) -> None:
    params = {"product": "ổ cắm điện"}
    page = http.get("/recommend/checklist", params=params)
    assert page.status_code == 200 and "QCVN 25:2025/BKHCN" in page.text and "@page" not in page.text
    csv_r = http.get("/recommend/checklist.csv", params=params)
    assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv")
    assert 'filename="checklist-o-cam-dien.csv"' in csv_r.headers["content-disposition"]
    xlsx = http.get("/recommend/checklist.xlsx", params=params)
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    _, table = read_xlsx(xlsx.content)
    assert any(row[1] == "QCVN 25:2025/BKHCN" for row in table)
    assert http.get("/recommend/checklist.xlsx", params={"hs": "abc"}).status_code == 400
    assert http.get("/recommend/checklist").status_code == 400
