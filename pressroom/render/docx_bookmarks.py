"""Bookmarks LibreOffice can find after a table. pandoc's Word writer puts each heading's (and
figure's, table's) bookmark between body blocks: `<w:bookmarkStart>` before the paragraph,
`<w:bookmarkEnd>` after its section. LibreOffice loses a bookmark that starts at the very start
of the paragraph right after a table (a PAGEREF to it, in the contents, then shows "Error:
Reference source not found"), though Word reads it. `after_tables` moves the bookmark marks
found between a table and the next paragraph into that paragraph, after its first run: the
same paragraph, so the same page for Word and LibreOffice alike."""

from __future__ import annotations

import re

_MARK = re.compile(r"<w:bookmark(?:Start|End)\b[^>]*/>")
# A table's end, the bookmark marks that follow it, then a paragraph (its properties, its first
# run): the marks go after that run.
_AFTER_TABLE = re.compile(
    r"(</w:tbl>)((?:\s*<w:bookmark(?:Start|End)\b[^>]*/>)+)\s*"
    r"(<w:p\b[^>]*>(?:\s*<w:pPr>(?:(?!</w:p>).)*?</w:pPr>)?\s*<w:r\b[^>]*>(?:(?!</w:p>).)*?</w:r>)",
    re.S,
)


def after_tables(document: str) -> str:
    """word/document.xml with every bookmark mark that lies between a table and the paragraph
    after it moved into that paragraph, after its first run."""
    return _AFTER_TABLE.sub(_move, document)


def _move(m: re.Match[str]) -> str:
    return m.group(1) + m.group(3) + "".join(_MARK.findall(m.group(2)))
