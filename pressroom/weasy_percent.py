"""WeasyPrint's used lengths of a box (margins, padding, sizes) resolved in one loop.

`resolve_percentages` (WeasyPrint 70.0, layout/percent.py) runs for every box laid out:
47,000 times at 145 pages, each time calling `resolve_one_percentage` and `percentage` for
fourteen properties (two function calls, a `getattr` and a `setattr` each), 5 % of the
layout in call overhead around a few arithmetic steps. Here the same fourteen values are
resolved in one loop, in the same order and by the same rules: a length in px is its value,
a percentage is that share of the containing block's width (or height), and anything else
(`auto`, None, a math function, a unit-less dimension) goes through WeasyPrint's own
`percentage`. The height rules for a containing block of `auto` height, the border widths
and the box-sizing adjustment are WeasyPrint's code, copied in its order. Registered in
weasy_patch.py (group "fast") for every WeasyPrint module that imports the function;
tests/test_weasy_fast.py compares every box's used values, and the PDF, with and without."""

from __future__ import annotations

from collections.abc import Callable
from math import inf
from typing import Any

# The properties resolved before the height, in WeasyPrint's order; True: against the
# containing block's height for a page box (its width for any other box).
_LENGTHS = (
    ("margin_left", False),
    ("margin_right", False),
    ("margin_top", True),
    ("margin_bottom", True),
    ("padding_left", False),
    ("padding_right", False),
    ("padding_top", True),
    ("padding_bottom", True),
    ("width", False),
    ("min_width", False),
    ("max_width", False),
)
_MINIMA = frozenset(("min_width", "min_height"))  # `auto` used as 0
_BORDERS = ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width")


def wrap_resolve_percentages(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """`resolve_percentages` with the fourteen lengths resolved in one loop."""
    from weasyprint.css.functions import check_math
    from weasyprint.css.properties import Dimension
    from weasyprint.formatting_structure.boxes import Box, PageBox
    from weasyprint.layout import percent

    def resolve(box: Any, style: Any, name: str, refer_to: Any) -> None:
        """`resolve_one_percentage(box, name, refer_to)` without its calls for a length."""
        value = style[name]
        if type(value) is Dimension and value.unit is not None:
            used = refer_to * value.value / 100 if value.unit == "%" else value.value
        else:
            used = percent.percentage(value, style, refer_to)
        setattr(box, name, used)
        if used == "auto" and name in _MINIMA:
            setattr(box, name, 0)

    def resolve_percentages(box: Any, containing_block: Any) -> None:
        if isinstance(containing_block, Box):
            cb_width, cb_height = containing_block.width, containing_block.height
        else:
            cb_width, cb_height = containing_block
        maybe_height = cb_height if isinstance(box, PageBox) else cb_width
        style = box.style
        for name, vertical in _LENGTHS:  # resolve() inlined: this loop is the hot part
            refer_to = maybe_height if vertical else cb_width
            value = style[name]
            if type(value) is Dimension and value.unit is not None:
                used = refer_to * value.value / 100 if value.unit == "%" else value.value
            else:
                used = percent.percentage(value, style, refer_to)
            setattr(box, name, used)
            if used == "auto" and name == "min_width":
                box.min_width = 0
        if cb_height == "auto":
            height = style["height"]
            if height == "auto" or check_math(height) or height.unit == "%":
                box.height = "auto"
            else:
                assert height.unit.lower() == "px"
                box.height = height.value
            resolve(box, style, "min_height", 0)
            resolve(box, style, "max_height", inf)
        else:
            resolve(box, style, "height", cb_height)
            resolve(box, style, "min_height", cb_height)
            resolve(box, style, "max_height", cb_height)
        collapse = style["border_collapse"] == "collapse"
        for prop in _BORDERS:
            if not (collapse and hasattr(box, prop)):
                setattr(box, prop, style[prop])
        percent.adjust_box_sizing(box, "width")
        percent.adjust_box_sizing(box, "height")

    return resolve_percentages
