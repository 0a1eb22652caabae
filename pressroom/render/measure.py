"""What a reader must be able to read on the printed page: wide tables set to fit the measure,
and anything that still runs past the text's right edge found after layout."""

from __future__ import annotations

import html
import re
from typing import Any

_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
_CELL = re.compile(r"<t[hd]\b")
# Columns from which a table is set smaller (elements.css: table.wide, table.very-wide), and
# from which it is printed on a landscape page of its own (.landscape).
WIDE, VERY_WIDE, LANDSCAPE = 6, 9, 12
SLACK = 1.0  # CSS px past the right edge that is rounding, not overflow


def mark_wide_tables(body: str) -> str:
    """Give a table of many columns the class that sets it in smaller type with wrapped cells;
    one of very many columns goes on a landscape page."""

    def one(m: re.Match[str]) -> str:
        columns = max((len(_CELL.findall(r)) for r in _ROW.findall(m.group(2))), default=0)
        cls = "very-wide" if columns >= VERY_WIDE else "wide" if columns >= WIDE else ""
        if not cls:
            return m.group(0)
        attrs = m.group(1)
        if 'class="' in attrs:
            attrs = attrs.replace('class="', f'class="{cls} ', 1)
        else:
            attrs += f' class="{cls}"'
        table = f"<table{attrs}>{m.group(2)}</table>"
        return f'<div class="landscape">{table}</div>' if columns >= LANDSCAPE else table

    return _TABLE.sub(one, body)


def overflowing(pages: list[Any]) -> list[tuple[int, str]]:
    """(page, text) of each piece of body text or image that runs past the right edge of the
    text area: once per block, in page order."""
    found: list[tuple[int, str]] = []
    seen: set[int] = set()
    for number, page in enumerate(pages, 1):
        box = page._page_box  # the laid-out box tree (private to WeasyPrint's Page)
        right = box.content_box_x() + box.width + SLACK
        _walk(box, right, number, None, found, seen)
    return found


def _walk(
    box: Any, right: float, page: int, block: Any, found: list[tuple[int, str]], seen: set[int]
) -> None:
    kind = type(box).__name__
    if kind == "MarginBox":
        return
    element = getattr(box, "element", None)
    if element is not None and (
        element.get("data-b") is not None or getattr(box, "element_tag", "") in ("pre", "table")
    ):
        block = element
    if kind in ("TextBox", "InlineReplacedBox", "BlockReplacedBox"):
        # The border box: an over-wide block's auto margins go negative, so its margin box
        # would seem to fit.
        end = float(box.border_box_x()) + float(box.border_width())
        key = id(block if block is not None else box)
        if end > right and key not in seen:
            seen.add(key)
            text = getattr(box, "text", None) or (element.get("alt") if element is not None else "")
            found.append((page, html.unescape(str(text or "")).strip()))
        return
    for child in getattr(box, "children", []):
        _walk(child, right, page, block, found, seen)
