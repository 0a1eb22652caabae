"""A numbered table split across pages says so where it goes on: "Table 3 (continued)" above
its repeated header (Chicago 3.84; the copy editor's review of the default paper's Table 1).

The print page gives every numbered table with a header one more header row, first, holding
the label (`label_rows`, called by render/pdf.py). WeasyPrint repeats a table's header on
every page the table reaches; the patch below (registered in weasy_patch.py) leaves the label
row out of the table's first part, so only the repeated headers print it. Rows are never
moved between parts, so the label is all a split changes.

Only tables with separate borders (pressroom's print style) get the label: WeasyPrint
draws collapsed borders from a grid of the table's rows made before layout, which a row left
out of one part would shift (`label_rows` is not called when a print stylesheet collapses
borders)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

LABEL = "table-continued"  # the class of the label row
LABELLED = "continued-label"  # the class of a table that has one

_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_OPENING = re.compile(r"<table\b([^>]*)>")
_NUMBER = re.compile(r'<span class="table-number">(.*?)</span>', re.S)
_THEAD = re.compile(r"<thead\b[^>]*>")
_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
_CELL = re.compile(r"<t[hd]\b([^>]*)>")
_SPAN = re.compile(r'colspan="(\d+)"')
_TAGS = re.compile(r"<[^>]+>")


def label_rows(body: str) -> str:
    """Every numbered table with a header gets the label row as its header's first row, and
    the class that moves its top rule below the label (print.css)."""

    def one(m: re.Match[str]) -> str:
        table = m.group(0)
        number, head = _NUMBER.search(table), _THEAD.search(table)
        if not number or not head:
            return table
        name = html.unescape(_TAGS.sub("", number.group(1))).strip().rstrip(".:")
        row = _ROW.search(table, head.end())
        if not name or not row:
            return table
        cells = _CELL.findall(row.group(0))
        columns = sum(int(s.group(1)) if (s := _SPAN.search(a)) else 1 for a in cells)
        label = (
            f'<tr class="{LABEL}"><th colspan="{max(columns, 1)}"><span class="table-number">'
            f"{html.escape(name)}</span> (continued)</th></tr>"
        )
        opening = _OPENING.match(table)
        assert opening is not None  # _TABLE matched
        attrs = opening.group(1)
        if 'class="' in attrs:
            attrs = attrs.replace('class="', f'class="{LABELLED} ', 1)
        else:
            attrs += f' class="{LABELLED}"'
        rest = table[opening.end() : head.end()]
        return f"<table{attrs}>{rest}{label}{table[head.end() :]}"

    return _TABLE.sub(one, body)


def wrap_table_layout(original: Callable[..., Any]) -> Callable[..., Any]:
    """`table_layout` that lays out a table's first part without its label row."""

    def table_layout(
        context: Any, table: Any, bottom_space: float, skip_stack: Any, *rest: Any
    ) -> Any:
        if skip_stack is None:  # the table's first part (or all of it)
            table = _without_label(table)
        return original(context, table, bottom_space, skip_stack, *rest)

    return table_layout


def _without_label(table: Any) -> Any:
    header = table.children[0] if table.children else None
    if header is None or not header.is_header or not header.children:
        return table
    element = header.children[0].element
    if element is None or LABEL not in (element.get("class") or "").split():
        return table
    if table.style["border_collapse"] == "collapse":  # never labelled (see above): keep all
        return table
    shorter = header.copy_with_children(header.children[1:])
    return table.copy_with_children([shorter, *table.children[1:]])
