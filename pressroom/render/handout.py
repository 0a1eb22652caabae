"""The one-page handout: a PDF set in its own grid (templates/handout.*), and the check that
the laid-out page really is one page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import PressroomError

LAYOUT = "handout"


def is_handout(meta: dict[str, Any]) -> bool:
    return meta.get("layout") == LAYOUT


def require_one_page(document: Any, source: Path, paper: str) -> None:
    """A handout that runs on fails the build with how much must go, not a second page."""
    from .. import weasy  # the boundary reads the laid-out lines; only a PDF build pays for it

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
