"""Ranking the QCVN of an answer: an explicit ordered list of rules.

A :class:`Candidate` is one QCVN (current edition) with the evidence that
brought it.  :func:`rank` sorts candidates by :data:`RULES`, in order: the
first rule decides, the next breaks its ties, and so on.  Each rule returns a
number, larger first, and has its constants here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["BASIS_STRENGTH", "RULES", "Candidate", "rank"]

# How strongly a basis covers the product (rule 4).
BASIS_STRENGTH = {
    "legal": 4,  # a legal text names the QCVN for this product
    "hs_group2": 3,  # a group-2 tariff line of this product, listed by the ministry that issued the QCVN
    "cover": 2,  # the group link says the QCVN covers this product; the title names it
    "title": 1,  # the QCVN's own title names the product
    "group": 0,  # the QCVN covers some products of the group
}
FACILITY_WORDS = ("cơ sở", "điều kiện bảo đảm", "điều kiện đảm bảo", "cửa hàng", "trạm", "kho")
ROLE_BONUS = 1  # a regulation of production sites, for a maker


@dataclass
class Candidate:
    number: str  # current edition
    mandatory: bool
    basis: str  # a key of BASIS_STRENGTH
    group_rank: int  # 0: the head product's group; title hits after every group
    specificity: int = 0  # words of the product phrase the covered product's name matched
    overlap: int = 0  # content words of the reading found in the QCVN's title
    title_score: float = 0.0
    facility: bool = False
    role: str | None = None
    status: str = "unknown"
    order: int = 0  # first seen, for a stable last resort
    extra: dict = field(default_factory=dict)


def mandatory_first(c: Candidate) -> float:
    """Rule 1: mandatory QCVN before those that may also apply."""
    return 1 if c.mandatory else 0


def head_group_first(c: Candidate) -> float:
    """Rule 2: the head product's group before conjoined groups, groups before bare title matches."""
    return -c.group_rank


def specific_product_first(c: Candidate) -> float:
    """Rule 3: a QCVN that covers the named product itself before one that covers its group."""
    return c.specificity


def stronger_basis_first(c: Candidate) -> float:
    """Rule 4: legal text, then group-2 tariff line, then covered product, then title, then group."""
    return BASIS_STRENGTH.get(c.basis, 0)


def role_fits(c: Candidate) -> float:
    """Rule 5: regulations of production sites rank up for a maker and down for importers and sellers."""
    if not c.facility:
        return 0
    return ROLE_BONUS if c.role == "make" else -ROLE_BONUS if c.role in ("import", "sell", "export") else 0


def title_overlap_first(c: Candidate) -> float:
    """Rule 6: more of the reading's words in the QCVN's title, then a better title score."""
    return c.overlap + c.title_score


def current_status_first(c: Candidate) -> float:
    """Rule 7: an edition known to be in force before one of unknown status."""
    return {"active": 2, "unknown": 1}.get(c.status, 0)


def first_seen(c: Candidate) -> float:
    """Rule 8: the order the evidence produced them."""
    return -c.order


RULES: list[Callable[[Candidate], float]] = [
    mandatory_first,
    head_group_first,
    specific_product_first,
    stronger_basis_first,
    role_fits,
    title_overlap_first,
    current_status_first,
    first_seen,
]


def rank(candidates: list[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: tuple(-rule(c) for rule in RULES))
