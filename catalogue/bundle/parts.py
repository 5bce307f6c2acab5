"""Rows that print several parts of a standard in one cell, expanded only as far as the row states them.

A row is expanded when its parts are stated explicitly:

* by its ``parts_note`` ("các phần 1-6", "các phần 1, 5", "các phần: từ 1 đến 23, 25, 29")
  on a number with a year (``TCVN 13566:2022``);
* by a part list printed in the number with a year (``TCVN 13937-1,2,3:2024``), when
  the title names every one of those parts ("Phần 1: ...");
* by several complete numbers in one cell, separated by ``;``.

A part's title is the series title followed by the title of that part when the
cell prints it ("... - Phần 2: Thiết kế"); otherwise the series title alone, which
is then flagged as partial.  Anything else (a number cut across the cell, no
year) is not expanded: :func:`expand` returns ``None`` and the builder reports it.
"""

from __future__ import annotations

import re

__all__ = ["Part", "expand", "parts_in_note"]

Part = tuple[str, str | None, bool]  # (number, title, title is partial)

_PART = re.compile(r"Phần\s+(\d+(?:-\d+)?)\s*[:.]?\s*", re.I)


def parts_in_note(note: str) -> list[str]:
    """``"các phần 1-6"`` → ``["1", ..., "6"]``; ``"từ 1 đến 23, 25"`` → ``["1", ..., "23", "25"]``."""
    body = re.sub(r"^\s*các phần\s*:?", "", note.strip(), flags=re.I)
    out: list[str] = []
    for piece in re.split(r"\s*,\s*", body):
        piece = piece.strip()
        span = re.fullmatch(r"(?:từ\s*)?(\d+)\s*(?:-|đến)\s*(\d+)", piece, re.I)
        if span:
            low, high = int(span.group(1)), int(span.group(2))
            if not 0 < low <= high <= 200:
                return []
            out += [str(n) for n in range(low, high + 1)]
        elif piece.isdigit():
            out.append(str(int(piece)))
        elif piece:
            return []  # a note this reader does not understand expands nothing
    return out


def _titles(title: str) -> tuple[str, dict[str, str]]:
    """The series title and ``{part: part title}`` printed in a cell."""
    marks = list(_PART.finditer(title))
    if not marks:
        return title.strip(" .;:"), {}
    series = title[: marks[0].start()].strip(" .;:-–—")
    parts = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(title)
        parts[m.group(1)] = title[m.end() : end].strip(" .;,")
    return series, parts


def _part_title(series: str, part: str, printed: dict[str, str]) -> tuple[str | None, bool]:
    if printed.get(part):
        return (f"{series} - Phần {part}: {printed[part]}" if series else f"Phần {part}: {printed[part]}"), not series
    return (series or None), True


def expand(number: str, title: str | None, parts_note: str | None) -> list[Part] | None:
    """The parts of a multi-part row, or ``None`` when the row does not state them."""
    title = title or ""
    if ";" in number:
        numbers = [n.strip() for n in number.split(";") if n.strip()]
        pieces = [t.strip() for t in title.split(";")]
        series = pieces[0].split(".", 1)[0] if pieces else ""
        out: list[Part] = []
        for i, n in enumerate(numbers):
            if not re.fullmatch(r"TCVN \d+(?:-\d+)+:\d{4}", n):
                return None
            piece = pieces[i] if i < len(pieces) else ""
            if i == 0:
                piece = piece[len(series) :].lstrip(". ")
            label = re.match(r"Phần\s+[\d-]+\s*:\s*(.+)", piece)
            out.append((n, f"{series} - {piece}" if label else (series or None), not label))
        return out
    series, printed = _titles(title)
    listed = re.fullmatch(r"(TCVN \d+)-(\d+(?:[,.]\d+)+):(\d{4})", number)
    if listed:
        base, year = listed.group(1), listed.group(3)
        wanted = re.split(r"[,.]", listed.group(2))
        if not all(p in printed for p in wanted):
            return None  # the title does not confirm the parts read from the number
        return [(f"{base}-{p}:{year}", *_part_title(series, p, printed)) for p in wanted]
    whole = re.fullmatch(r"(TCVN \d+):(\d{4})", number)
    if whole and parts_note:
        wanted = parts_in_note(parts_note)
        if not wanted:
            return None
        base, year = whole.group(1), whole.group(2)
        return [(f"{base}-{p}:{year}", *_part_title(series, p, printed)) for p in wanted]
    return None
