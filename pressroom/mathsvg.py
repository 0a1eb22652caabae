"""Math for print: pandoc's MathML in the print page becomes SVG drawn by ziamath.

WeasyPrint does not lay out MathML (it prints the TeX annotation as text). ziamath typesets
MathML with the STIX Two Math font's own OpenType MATH table and draws every glyph as a path,
so the PDF needs no math font and shows real fractions, radicals and scripts."""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .errors import LoggedWarnings

_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.S)
_ANNOTATION = re.compile(r"<annotation\b[^>]*>(.*?)</annotation>", re.S)
# What pandoc's writer leaves of TeX it could not convert (it warns only on its own stderr).
_UNREAD = re.compile(r'<span class="math (inline|display)">(.*?)</span>', re.S)
_SEMANTICS = re.compile(r"</?semantics>")
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')
SIZE = 20.0  # the size ziamath draws at; the image is scaled to the text's em by CSS units


@dataclass(frozen=True)
class Failed:
    """A formula ziamath could not draw: its TeX (to locate it) and why."""

    tex: str
    reason: str


def typeset(body: str, failed: Callable[[Failed], None]) -> str:
    """Replace every <math> element of a pandoc HTML body with an <img> of its SVG; a formula
    that cannot be drawn stays as its TeX source, in a code span, and is reported."""

    def one(m: re.Match[str]) -> str:
        mathml = m.group(0)
        tex = _tex(mathml)
        display = 'display="block"' in mathml[: mathml.find(">")]
        try:
            width, height, depth, svg, notes = _draw(
                _SEMANTICS.sub("", _ANNOTATION.sub("", mathml))
            )
        except Exception as exc:  # ziamath raises bare errors for MathML it does not know
            failed(Failed(tex, str(exc) or type(exc).__name__))
            return f'<code class="math-failed">{html.escape(tex)}</code>'
        for note in notes:  # drawn, but something in it was left out
            failed(Failed(tex, note))
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        cls = "math display" if display else "math inline"
        style = (
            f"width:{width:.3f}em;height:{height:.3f}em;vertical-align:-{depth:.3f}em"
        )
        return (
            f'<img class="{cls}" alt="{html.escape(tex, quote=True)}" style="{style}" '
            f'src="data:image/svg+xml;base64,{data}">'
        )

    def unread(m: re.Match[str]) -> str:
        tex = html.unescape(m.group(2)).strip("$ ")
        failed(Failed(tex, "pandoc could not read it as TeX math"))
        return f'<code class="math-failed">{m.group(2)}</code>'

    return _UNREAD.sub(unread, _MATH.sub(one, body))


def _tex(mathml: str) -> str:
    found = _ANNOTATION.search(mathml)
    return html.unescape(found.group(1)) if found else re.sub(r"<[^>]+>", "", mathml)


@lru_cache(maxsize=4096)
def _draw(mathml: str) -> tuple[float, float, float, str, tuple[str, ...]]:
    """(width, height, depth below the baseline) in em of the text, the SVG, and what ziamath
    said it left out (it logs through the root logger: caught here, not printed)."""
    import ziamath  # here: only documents with math pay for it (0.3 s)

    root = logging.getLogger()
    collect = LoggedWarnings()
    root.addHandler(collect)
    try:
        svg = ziamath.Math(mathml, size=SIZE).svg()
    finally:
        root.removeHandler(collect)
    box = _VIEWBOX.search(svg)
    if box is None:
        raise ValueError("ziamath drew no box")
    _x, y, w, h = (float(v) for v in box.groups())
    return w / SIZE, h / SIZE, (h + y) / SIZE, svg, tuple(collect.messages)
