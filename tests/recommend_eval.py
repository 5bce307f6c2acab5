"""Evaluation set for the recommender, and `make eval`.

Each case is a real product an enterprise might type, with the product group and
the mandatory QCVN we expect.  Every expectation is drawn from the data's legal
bases: a row of catalogue/data/product_regulations.jsonl (a legal text names the
QCVN for the product; where that text names an older edition, the catalogue's
current edition is expected), or the QCVN's own title naming the product.  The
`basis` column says which.  HS-only, unaccented and colloquial inputs are mixed in.

    python tests/recommend_eval.py      # prints recall@3, recall@5 and MRR
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Case:
    text: str
    hs: str | None
    group: str
    qcvn: str
    basis: str  # "legal: <row>" or "title"
    style: str = "accented"  # accented | unaccented | colloquial | hs


CASES = [
    # fuels: QĐ 3810/QĐ-BKHCN annex (product_regulations rows 1-4)
    Case("Xăng không chì", None, "xang-dau-nhien-lieu", "QCVN 1:2015/BKHCN", "legal: Xăng không chì"),
    Case("xăng E5", None, "xang-dau-nhien-lieu", "QCVN 1:2015/BKHCN", "legal: Xăng pha ethanol", "colloquial"),
    Case("dầu diesel", None, "xang-dau-nhien-lieu", "QCVN 1:2015/BKHCN", "legal: Nhiên liệu điezen"),
    Case("dau diesel B5", None, "xang-dau-nhien-lieu", "QCVN 1:2015/BKHCN", "legal: điêzen B5", "unaccented"),
    Case("", "2710.12.21", "xang-dau-nhien-lieu", "QCVN 1:2015/BKHCN", "legal: HS of Xăng không chì", "hs"),
    Case("", "27101971", "xang-dau-nhien-lieu", "QCVN 1:2015/BKHCN", "legal: HS of diesel", "hs"),
    # household electrical accessories: TT 01/2025/TT-BKHCN (QCVN 25:2025/BKHCN)
    Case("aptomat chống giật RCBO", None, "phu-kien-dien", "QCVN 25:2025/BKHCN", "legal: RCBO", "colloquial"),
    Case("ổ cắm điện gia đình", None, "phu-kien-dien", "QCVN 25:2025/BKHCN", "legal: socket-outlets"),
    Case("phích cắm điện", None, "phu-kien-dien", "QCVN 25:2025/BKHCN", "legal: plugs"),
    Case("ổ cắm kéo dài", None, "phu-kien-dien", "QCVN 25:2025/BKHCN", "legal: extension cord sets"),
    Case("", "8536.69.92", "phu-kien-dien", "QCVN 25:2025/BKHCN", "legal: HS of plugs", "hs"),
    Case("cong tac dien", None, "phu-kien-dien", "QCVN 25:2025/BKHCN", "legal: switches", "unaccented"),
    # appliances and IT: TT 36/2026/TT-BKHCN annexes
    Case("nồi cơm điện", None, "thiet-bi-dien-gia-dung", "QCVN 4:2009/BKHCN", "legal: Nồi cơm điện"),
    Case("", "8516.60.10", "thiet-bi-dien-gia-dung", "QCVN 4:2009/BKHCN", "legal: HS of rice cooker", "hs"),
    Case("tai nghe bluetooth", None, "dien-thoai-vo-tuyen", "QCVN 91:2015/BTTTT", "legal: wireless earphones"),
    Case("", "8518.30.10", "dien-thoai-vo-tuyen", "QCVN 91:2015/BTTTT", "legal: HS of earphones", "hs"),
    Case("bóng đèn LED", None, "chieu-sang-led", "QCVN 19:2025/BKHCN", "legal: LED bulbs"),
    Case("", "8539.52.10", "chieu-sang-led", "QCVN 19:2025/BKHCN", "legal: HS of LED bulbs", "hs"),
    Case("pin laptop", None, "pin-lithium", "QCVN 101:2020/BTTTT", "legal: lithium batteries", "colloquial"),
    Case("", "8507.60.10", "pin-lithium", "QCVN 101:2020/BTTTT", "legal: HS of lithium batteries", "hs"),
    # salt: TT 39/2018/TT-BNNPTNT
    Case("muối i-ốt", None, "muoi", "QCVN 9-1:2011/BYT", "legal: muối bổ sung i-ốt"),
    Case("muoi tinh", None, "muoi", "QCVN 8-2:2011/BYT", "legal: Muối tinh", "unaccented"),
    # vehicles, helmets, fuels: older legal texts naming older editions -> current edition expected
    Case("xe gắn máy nhập khẩu", None, "xe-co-gioi", "QCVN 14:2024/BGTVT", "legal: TT 143/2015 (QCVN 14:2015)"),
    Case("mũ bảo hiểm", None, "mu-bao-hiem", "QCVN 2:2021/BKHCN", "legal: TT 23/2009 (QCVN 2:2008) + title"),
    Case("non bao hiem tre em", None, "mu-bao-hiem", "QCVN 2:2021/BKHCN", "title", "unaccented"),
    Case("", "6506.10", "mu-bao-hiem", "QCVN 2:2021/BKHCN", "title + group-2 HS 6506.10", "hs"),
    # agriculture
    Case("thuốc thú y", None, "thuoc-thu-y", "QCVN 01-187:2018/BNNPTNT", "legal: TT 09/2024/TT-BNNPTNT"),
    Case("cám gà", None, "thuc-an-chan-nuoi", "QCVN 01-183:2024/BNNPTNT", "legal: TT 20/2024", "colloquial"),
    Case("thức ăn chăn nuôi cho gia cầm", None, "thuc-an-chan-nuoi", "QCVN 01-183:2024/BNNPTNT", "legal: TT 20/2024"),
    Case("keo dán gỗ", None, "keo-dan-go", "QCVN 03-01:2022/BNNPTNT", "legal: TT 16/2022/TT-BNNPTNT"),
    Case("phân bón NPK", None, "phan-bon", "QCVN 01-189:2019/BNNPTNT", "title"),
    Case("thuốc trừ sâu", None, "thuoc-bao-ve-thuc-vat", "QCVN 01-188:2018/BNNPTNT", "title", "colloquial"),
    # medical X-ray: TT 14/2018/TT-BKHCN
    Case("máy X-quang di động", None, "thiet-bi-x-quang", "QCVN 15:2018/BKHCN", "legal: X-quang di động"),
    Case("máy X-quang răng", None, "thiet-bi-x-quang", "QCVN 17:2018/BKHCN", "legal: X-quang răng"),
    # building materials: QCVN 16:2023/BXD Table 1
    Case("xi măng poóc lăng", None, "xi-mang-vat-lieu-xay-dung", "QCVN 16:2023/BXD", "legal: Xi măng pooc lăng"),
    Case("cát nghiền cho bê tông", None, "xi-mang-vat-lieu-xay-dung", "QCVN 16:2023/BXD", "legal: Cát nghiền"),
    Case("", "2523.29.90", "xi-mang-vat-lieu-xay-dung", "QCVN 16:2023/BXD", "legal: HS of cement", "hs"),
    Case("tro bay", None, "xi-mang-vat-lieu-xay-dung", "QCVN 16:2023/BXD", "legal: Phụ gia tro bay"),
    Case("ximang", None, "xi-mang-vat-lieu-xay-dung", "QCVN 16:2023/BXD", "legal: Xi măng", "colloquial"),
    # regulations whose titles name the product
    Case("đồ chơi trẻ em", None, "do-choi", "QCVN 03:2019/BKHCN", "title"),
    Case("", "9503.00", "do-choi", "QCVN 03:2019/BKHCN", "title + group-2 HS 9503", "hs"),
    Case("thép thanh vằn", None, "thep-cot-be-tong", "QCVN 07:2019/BKHCN", "title"),
    Case("sat thep xay dung", None, "thep-cot-be-tong", "QCVN 07:2019/BKHCN", "title", "unaccented"),
    Case("nước uống đóng chai", None, "nuoc-uong-dong-chai", "QCVN 6-1:2010/BYT", "title"),
    Case("nuoc suoi dong chai", None, "nuoc-uong-dong-chai", "QCVN 6-1:2010/BYT", "title", "unaccented"),
    Case("bia", None, "ruou-bia", "QCVN 6-3:2010/BYT", "title", "colloquial"),
    Case("rượu vang", None, "ruou-bia", "QCVN 6-3:2010/BYT", "title"),
    Case("nước ngọt có ga", None, "do-uong-khong-con", "QCVN 6-2:2010/BYT", "title", "colloquial"),
    Case("sữa bột", None, "sua", "QCVN 5-2:2010/BYT", "title"),
    Case("sữa chua", None, "sua", "QCVN 5-5:2010/BYT", "title (sữa lên men)"),
    Case("bình gas", None, "lpg-binh-gas", "QCVN 08:2019/BKHCN", "title", "colloquial"),
    Case("thuốc lá điếu", None, "thuoc-la", "QCVN 16-1:2015/BYT", "title"),
    Case("dầu nhớt xe máy", None, "dau-nhon", "QCVN 14:2018/BKHCN", "title", "colloquial"),
    Case("camera IP", None, "camera-giam-sat", "QCVN 11:2026/BCA", "title"),
    Case("điện thoại di động", None, "dien-thoai-vo-tuyen", "QCVN 117:2020/BTTTT", "title"),
    Case("hop nhua dung thuc pham", None, "bao-bi-tiep-xuc-thuc-pham", "QCVN 12-1:2011/BYT", "title", "unaccented"),
    Case("lốp xe máy", None, "xe-co-gioi", "QCVN 36:2024/BGTVT", "title"),
    Case("nước đá viên", None, "nuoc-da", "QCVN 10:2011/BYT", "title"),
]


def evaluate(recommender) -> dict[str, float]:
    """recall@3 / recall@5 of the expected QCVN among mandatory results, group hit rate, MRR."""
    r3 = r5 = groups = rr = 0.0
    misses = []
    for case in CASES:
        result = recommender.recommend(case.text, case.hs)
        mandatory = [r.number for r in result.recommendations if r.mandatory]
        slugs = [g.slug for g in result.groups]
        rank = mandatory.index(case.qcvn) + 1 if case.qcvn in mandatory else None
        r3 += bool(rank and rank <= 3)
        r5 += bool(rank and rank <= 5)
        rr += 1 / rank if rank else 0
        groups += case.group in slugs[:3]
        if not rank or rank > 3:
            misses.append((case.text or case.hs, case.qcvn, mandatory[:5], slugs))
    n = len(CASES)
    return {"cases": n, "recall@3": r3 / n, "recall@5": r5 / n, "mrr": rr / n, "group@3": groups / n, "misses": misses}


def main() -> int:
    from catalogue.engine import Engine
    from catalogue.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine.open(Settings.load({"data_dir": tmp}, environ={}))
        report = evaluate(engine.recommender)
        engine.close()
    styles = {}
    for case in CASES:
        styles[case.style] = styles.get(case.style, 0) + 1
    print(f"cases: {report['cases']} ({', '.join(f'{k} {v}' for k, v in sorted(styles.items()))})")
    print(
        f"recall@3 {report['recall@3']:.3f}   recall@5 {report['recall@5']:.3f}   MRR {report['mrr']:.3f}"
        f"   group@3 {report['group@3']:.3f}"
    )
    for miss in report["misses"]:
        print("  miss:", miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
