"""Code on the printed page: lines longer than the measure wrap, each continuation opening
with a mark, inside pandoc's highlighted HTML (so every token keeps its colour)."""

from __future__ import annotations

import re

# Columns of code on a printed line: the measure (A4 162 mm, Letter 168 mm: print.css's
# margins) at elements.css's 8.5 pt Linux Libertine Mono, whose advance is 0.64 em, holds 84;
# two spare for a quotation's or list's indent are left to pre-wrap.
COLUMNS = 82
MARK = "\u2192 "  # "→ ": Libertine Mono has the arrow (it has no hook arrow)
CONTINUATION = f'\n<span class="code-cont" aria-hidden="true">{MARK}</span>'

_PRE = re.compile(r"(<pre\b[^>]*>)(.*?)(</pre>)", re.S)
_PIECE = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]")  # a tag, an entity, or one character


def wrap(body: str, columns: int = COLUMNS) -> str:
    """Every <pre> of a pandoc HTML body with its long lines broken at `columns`."""
    return _PRE.sub(lambda m: m.group(1) + _wrap_pre(m.group(2), columns) + m.group(3), body)


def _wrap_pre(content: str, columns: int) -> str:
    return "\n".join(_wrap_line(line, columns) for line in content.split("\n"))


def _wrap_line(line: str, columns: int) -> str:
    """One source line; a break goes after the last space that fits, else at the measure."""
    pieces = _PIECE.findall(line)
    visible = [i for i, p in enumerate(pieces) if not p.startswith("<")]
    if len(visible) <= columns:
        return line
    # A continuation stands under the line's own indentation, after the mark.
    indent = 0
    while indent < len(visible) and pieces[visible[indent]] == " ":
        indent += 1
    indent = min(indent, columns // 3)
    breaks: list[int] = []  # indices into pieces before which a continuation starts
    start, room = 0, columns
    while len(visible) - start > room:
        end = start + room  # the first visible piece that does not fit
        cut = end
        for k in range(end, start + room // 2, -1):  # after a space, if there is one
            if pieces[visible[k - 1]] == " ":
                cut = k
                break
        breaks.append(visible[cut])
        start, room = cut, columns - len(MARK) - indent
    out = []
    marks = set(breaks)
    for i, piece in enumerate(pieces):
        if i in marks:
            out.append(CONTINUATION + " " * indent)
        out.append(piece)
    return "".join(out)
