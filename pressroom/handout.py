"""The one-page handout: its QR code, and the check that the laid-out page really is one page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import PressroomError

LAYOUT = "handout"
PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px (1/96 in); a point is 1/72 in


def is_handout(meta: dict[str, Any]) -> bool:
    return meta.get("layout") == LAYOUT


def qr(url: Any) -> str:
    """An SVG QR code for `url` as a data: URL (segno: ISO/IEC 18004, error level M).

    Dark modules on a transparent ground, with the 4-module quiet zone the standard asks for,
    so a phone reads it off paper at arm's length."""
    import segno  # the handout alone pays for it

    if not url:
        raise PressroomError("qr(): no URL given (set `url:` in metadata.yaml)", None, None)
    code = segno.make(str(url), error="m", micro=False)
    # svg_data_uri writes the xmlns a browser needs to show an SVG given as an image.
    return str(code.svg_data_uri(scale=4, border=4, dark="#000", light=None, omitsize=True))


def _line_heights(box: Any, out: list[float]) -> None:
    """Every line of body text in a page's boxes (margin boxes, the running heads, left out)."""
    kind = type(box).__name__
    if kind == "MarginBox":
        return
    if kind == "LineBox":
        out.append(float(box.height))
        return
    for child in getattr(box, "children", []):
        _line_heights(child, out)


def overflow(document: Any) -> tuple[int, int, float]:
    """(pages, lines past the first page, their height in points) of a laid-out handout.

    With two columns the overflow is what pages 2.. hold, column by column: the sum of their
    line heights, in lines of the page's median line height."""
    pages = len(document.pages)
    if pages <= 1:
        return pages, 0, 0.0
    first: list[float] = []
    _line_heights(document.pages[0]._page_box, first)
    rest: list[float] = []
    for page in document.pages[1:]:
        _line_heights(page._page_box, rest)
    height = sum(rest)
    typical = sorted(first)[len(first) // 2] if first else 12.0
    lines = max(1, round(height / typical)) if rest else 1
    return pages, lines, height * PT_PER_PX


def require_one_page(document: Any, source: Path, paper: str) -> None:
    """A handout that runs on fails the build with how much must go, not a second page."""
    pages, lines, height = overflow(document)
    if pages <= 1:
        return
    raise PressroomError(
        f"handout runs to {pages} pages on {paper}; it must fit on one "
        f"(about {lines} lines, {height / 72 * 25.4:.0f} mm of text too long)",
        source,
        None,
        "limit.pages",
    )
