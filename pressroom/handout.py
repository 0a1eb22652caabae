"""The one-page handout: its QR code, and the check that the laid-out page really is one page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import PressroomError

LAYOUT = "handout"


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


def require_one_page(document: Any, source: Path, paper: str) -> None:
    """A handout that runs on fails the build with how much must go, not a second page."""
    from . import weasy  # the boundary reads the laid-out lines; only a PDF build pays for it

    pages, lines, height = weasy.overflow(document)
    if pages <= 1:
        return
    raise PressroomError(
        f"handout runs to {pages} pages on {paper}; it must fit on one "
        f"(about {lines} lines, {height / 72 * 25.4:.0f} mm of text too long)",
        source,
        None,
        "limit.pages",
    )
