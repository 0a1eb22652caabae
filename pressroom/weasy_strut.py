"""WeasyPrint's strut (a line's height and baseline from its style) kept on the style object.

Inline layout asks `strut(style)` (WeasyPrint 70.0, text/line_break.py) for every line box and
inline box it makes: 31,000 times at 145 pages. Each call builds its cache key afresh: 16
style reads formatted into one string (`str` of a tuple holding the font family list and
the features), 4 % of the layout, to find a result that was computed once per font setting.
The result depends only on the style's values, and a computed style's values do not change
once read; so here the first answer for a style object is kept on that object and given
again for it. Only the computed styles of boxes (`ComputedStyle`, `AnonymousStyle`) are kept;
any other mapping (an SVG text's) is asked as released. Registered in weasy_patch.py (group
"fast") for inline layout's `strut`; tests/test_weasy_fast.py compares every kept answer with
WeasyPrint's own at the end of a layout, and the PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEPT = "_pressroom_strut"  # the attribute on the style object holding its answer

# Struts answered from the style object ("kept") or by WeasyPrint ("asked"), for the tests.
strut_counts = {"kept": 0, "asked": 0}


def wrap_strut(original: Callable[[Any], tuple[float, float]]) -> Callable[[Any], Any]:
    """`strut` that answers a box's computed style from the answer kept on it."""
    from weasyprint.css import AnonymousStyle, ComputedStyle

    kinds = (ComputedStyle, AnonymousStyle)

    def strut(style: Any) -> tuple[float, float]:
        if type(style) not in kinds:
            return original(style)
        found: tuple[float, float] | None = style.__dict__.get(KEPT)
        if found is not None:
            strut_counts["kept"] += 1
            return found
        strut_counts["asked"] += 1
        found = style.__dict__[KEPT] = original(style)
        return found

    return strut
