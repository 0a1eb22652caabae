"""WeasyPrint's background pass, told early that a box has no background.

After each page is laid out, `layout_box_backgrounds` (WeasyPrint 70.0) visits every box of
it (35,000 at 145 pages) and computes, for each, its border-image and mask-border sources,
visibility, image orientation, background images and colour and box shadow, to learn in
nearly every case that the box has no background (`box.background = None`). Each of those
properties is computed on first reading, one by one, for every element's style.

A box whose style gives none of background-color, background-image, box-shadow,
border-image-source and mask-border-source a value of its own (none of them is inherited)
has their initial values: transparent, no image, no shadow, no border image, no mask. For
it WeasyPrint's code ends in `box.background = None` whatever the visibility, having set
nothing else; here that box gets the same without reading the rest. The border radii are
still resolved and the children visited as before; the page box, the canvas and any box
with a value of its own go through WeasyPrint's function. Registered in weasy_patch.py
(group "fast"); tests/test_weasy_fast.py compares every box's background and the PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The properties whose initial values mean "no background" (as the pinned release has them).
_KEYS = (
    "background_color",
    "background_image",
    "box_shadow",
    "border_image_source",
    "mask_border_source",
)
_MISSING = object()

# Boxes told here that they have no background ("none") or left to WeasyPrint ("released").
background_counts = {"none": 0, "released": 0}


def _initial_values_mean_none(initial: dict[str, Any]) -> bool:
    """Whether the release's initial values are the ones this module relies on."""
    return (
        getattr(initial["background_color"], "alpha", None) == 0
        and initial["background_image"] == (("none", None),)
        and initial["box_shadow"] == ()
        and initial["border_image_source"] == ("none", None)
        and initial["mask_border_source"] == ("none", None)
    )


def wrap_layout_box_backgrounds(original: Callable[..., None]) -> Callable[..., None]:
    """`layout_box_backgrounds` that sets `background = None` on boxes whose style leaves every
    background property at its initial value, and runs `original` for any other box."""
    from weasyprint.css import AnonymousStyle, ComputedStyle
    from weasyprint.css.properties import INHERITED, INITIAL_VALUES
    from weasyprint.layout import background

    if not _initial_values_mean_none(INITIAL_VALUES) or any(k in INHERITED for k in _KEYS):
        return original

    def initial(style: Any) -> bool:
        """Whether `style` leaves the five properties at their initial values."""
        kind = type(style)
        if kind is ComputedStyle:
            cascaded = style.cascaded
        elif kind is AnonymousStyle:
            cascaded = ()  # an anonymous box's style: non-inherited properties are initial
        else:
            return False
        for key in _KEYS:
            if key in cascaded:
                return False
            computed = dict.get(style, key, _MISSING)  # already read: the initial value itself
            if computed is not _MISSING and computed is not INITIAL_VALUES[key]:
                return False
        return True

    def layout_box_backgrounds(
        page: Any,
        box: Any,
        get_image_from_uri: Any,
        layout_children: bool = True,
        style: Any = None,
    ) -> None:
        if style is not None or box is page or not initial(box.style):
            background_counts["released"] += 1
            original(page, box, get_image_from_uri, layout_children, style)
            return
        background_counts["none"] += 1
        background.resolve_radii_percentages(box)
        if layout_children:
            for child in box.all_children():
                background.layout_box_backgrounds(page, child, get_image_from_uri)
        box.background = None

    return layout_box_backgrounds
