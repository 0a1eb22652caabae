"""WeasyPrint's lazy computed values, with a short path for the values no rule sets.

WeasyPrint 70.0 computes a style property the first time it is read
(`ComputedStyle.__missing__`): about 6,000 times a page in pressroom's print layout
(873,000 at 145 pages), 10 % of the layout's CPU. Four reads in five are for a property that
no rule of the element sets (nothing cascaded): the value is then its parent's computed value
(an inherited property) or the property's initial value, stored as it is. WeasyPrint still
walks its whole function for them: the physical-to-logical mapping (a `partial` call), the
var() and math checks (`check_math` on every value), the text-decoration and `page` rules.

Here that case is answered in a few lines with the same value, stored in the same order, and
every other case goes through WeasyPrint's own function: a cascaded value, the root element,
`float`, `display`, `position`, `page`, text decorations, custom properties (`__`), a
physical property whose logical counterpart is cascaded, an initial value WeasyPrint computes
(`INITIAL_NOT_COMPUTED`) and any value that may hold a math function. Registered in
weasy_patch.py (group "fast"); tests/test_weasy_fast.py compares every computed value of
every box's style, and the PDF, with and without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Properties whose computation reads or sets another property, or is not a plain copy.
_RELEASED = frozenset(("float", "display", "position", "page"))

# Values read here: computed counts (a short path or WeasyPrint's), for the tests.
style_counts = {"short": 0, "released": 0}


def wrap_missing(original: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    """`ComputedStyle.__missing__` that copies an uncascaded property's inherited or initial
    value itself, and hands every other case to `original`."""
    from weasyprint.css import PHYSICAL_FUNCTIONS, check_math
    from weasyprint.css.properties import INHERITED, INITIAL_NOT_COMPUTED, INITIAL_VALUES

    plain = (str, int, float, bool, type(None))  # check_math answers no for these at once
    logical_names: dict[tuple[str, Any], str] = {}  # (property, direction) -> logical name

    def released(style: Any, key: str) -> Any:
        style_counts["released"] += 1
        return original(style, key)

    def __missing__(self: Any, key: str) -> Any:
        cascaded = self.cascaded
        if key in cascaded or key in _RELEASED or key[:2] == "__" or key[:16] == "text_decoration_":
            return released(self, key)
        to_logical = PHYSICAL_FUNCTIONS.get(key)
        if to_logical is not None:
            direction = self["direction"]  # read first, as WeasyPrint's own code does
            logical = logical_names.get((key, direction))
            if logical is None:
                logical = logical_names[(key, direction)] = to_logical(
                    block="ttb", inline=direction
                )
            if logical in cascaded:
                return released(self, key)
        if key in INHERITED:
            parent = self.parent_style
            if parent is None:
                return released(self, key)
            value = parent[key]
        elif key in INITIAL_NOT_COMPUTED:
            return released(self, key)
        else:
            value = INITIAL_VALUES[key]
        if type(value) not in plain and check_math(value):
            return released(self, key)
        style_counts["short"] += 1
        self[key] = value
        return value

    return __missing__
