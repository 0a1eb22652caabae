"""An inline block's shrink-to-fit width left uncomputed where its min-width decides it.

WeasyPrint 70.0's `inline_block_width` (layout/inline.py) gives an inline block of width
`auto` the shrink-to-fit width, min(max(min-content, available), max-content), then clamps
it to `max-width`, then to `min-width` (`handle_min_max_width`: min-width wins, CSS 2.1
§10.4). When the max-content width is already at most the min-width, the shrink-to-fit width
is too, and the clamps make the width the min-width whatever the min-content width was: so
here the max-content width alone is measured and the min-content width, a second measure of
the same text, is left out. pressroom's note numbers (`a.fn-marker`: inline-block, min-width
1.6em, "12.") are such boxes: their layout was 8 % of the layout at 145 pages, shrink-to-fit
43 % of that, and three quarters of it the min-content width. Any other inline block (wider
content, a width set) is sized as released. Registered in weasy_patch.py (group "fast");
tests/test_weasy_fast.py compares widths, places and the PDF with WeasyPrint's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Widths given from the min-width ("decided") or left to WeasyPrint ("asked"), for the tests.
shrink_counts = {"decided": 0, "asked": 0}


def wrap_inline_block_width(original: Callable[..., None]) -> Callable[..., None]:
    """`inline_block_width` that measures only the max-content width when min-width decides."""
    from weasyprint.layout import preferred

    def inline_block_width(box: Any, context: Any, containing_block: Any) -> None:
        minimum = box.min_width
        if (
            box.width == "auto"  # (an inline table's width is set before: table_wrapper_width)
            and isinstance(minimum, int | float)
            and minimum > 0
            and preferred.max_content_width(context, box, outer=False) <= minimum
        ):
            shrink_counts["decided"] += 1
            box.width = minimum  # what the clamp would set: shrink-to-fit <= max-content
            return
        shrink_counts["asked"] += 1
        original(box, context, containing_block)

    return inline_block_width
