"""Bookmarks after a table in the DOCX (render/docx_bookmarks.py): pandoc puts the bookmark of a
heading that directly follows a table between the two, where LibreOffice loses it and prints
"Error: Reference source not found" for its page in the contents. Checked on pandoc's own
DOCX: the marks move into the heading's paragraph, after its first run, and the part stays
valid WordprocessingML."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from pressroom import pandoc
from pressroom.render.docx import rewrite_parts
from pressroom.render.docx_bookmarks import after_tables

from .ooxml.validate import invalid_parts

SOURCE = """\
# First

Some text.

  Lock       Boats
  -------- -------
  Weir End     412

  : Boats at one lock. {#tbl-boats}

# Second

More text.

  Lock       Boats
  -------- -------
  Millbank     367

# Third

End.
"""


def _document(tmp_path: Path) -> tuple[bytes, str]:
    data, _ = pandoc.run(["-f", "markdown", "-t", "docx", "-o", "-"], SOURCE.encode("utf-8"))
    fixed = rewrite_parts(data, {"word/document.xml": after_tables})
    path = tmp_path / "fixed.docx"
    path.write_bytes(fixed)
    with zipfile.ZipFile(path) as z:
        return data, z.read("word/document.xml").decode("utf-8")


def _paragraph_with(xml: str, text: str) -> str:
    return next(p for p in re.findall(r"<w:p\b.*?</w:p>", xml, re.S) if f">{text}<" in p)


def test_pandoc_puts_the_bookmark_between_table_and_heading(tmp_path: Path) -> None:
    data, _ = _document(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        original = z.read("word/document.xml").decode("utf-8")
    # The case this module exists for (if pandoc changes, this says so).
    between = r'</w:tbl>(\s*<w:bookmarkEnd[^>]*/>)*\s*<w:bookmarkStart[^>]*"second"'
    assert re.search(between, original)


def test_bookmarks_after_a_table_move_into_the_next_paragraph(tmp_path: Path) -> None:
    _, xml = _document(tmp_path)
    assert not re.search(r"</w:tbl>\s*<w:bookmark", xml)
    for name, text in [("second", "Second"), ("third", "Third")]:
        heading = _paragraph_with(xml, text)
        # After the first run (LibreOffice keeps it there), still in the heading's paragraph.
        after_run = rf'</w:r>\s*(<w:bookmarkEnd[^>]*/>\s*)*<w:bookmarkStart[^>]*"{name}"'
        assert re.search(after_run, heading), name
    # The heading before any table keeps its bookmark where pandoc put it.
    assert re.search(r'<w:bookmarkStart[^>]*"first" />\s*<w:p>', xml)
    # Every bookmark still opens and closes once.
    starts = re.findall(r'<w:bookmarkStart w:id="(\d+)"', xml)
    ends = re.findall(r'<w:bookmarkEnd w:id="(\d+)"', xml)
    assert sorted(starts) == sorted(ends) and len(set(starts)) == len(starts)
    assert invalid_parts(tmp_path / "fixed.docx") == []


def test_a_document_without_tables_is_unchanged() -> None:
    xml = '<w:body><w:bookmarkStart w:id="1" w:name="a" /><w:p><w:r><w:t>A</w:t></w:r></w:p>'
    assert after_tables(xml) == xml
