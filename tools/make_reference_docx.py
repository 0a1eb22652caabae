"""Regenerate templates/reference.docx: pandoc's default reference document, restyled.

Run with `make reference-docx` after changing the styles below. pandoc takes every style an
editor may want to restyle (Title, headings, Footnote Text, Bibliography...) from this file."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pressroom.pandoc import binary  # noqa: E402

SERIF = "Times New Roman"  # what Word and LibreOffice both have; an editor can restyle
CJK = "MS Mincho"  # Word's Japanese serif; LibreOffice substitutes its own


def set_font(
    style: docx.styles.style.BaseStyle,
    size: float | None = None,
    italic: bool | None = None,
    bold: bool | None = None,
    color: RGBColor | None = None,
) -> None:
    font = style.font
    font.name = SERIF
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), SERIF)
    fonts.set(qn("w:eastAsia"), CJK)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    if size is not None:
        font.size = Pt(size)
    if italic is not None:
        font.italic = italic
    if bold is not None:
        font.bold = bold
    font.color.rgb = color or RGBColor(0, 0, 0)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "reference.docx"
        subprocess.run(
            [binary(), "-o", str(base), "--print-default-data-file", "reference.docx"], check=True
        )
        d = docx.Document(str(base))
    styles = d.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text"):
        set_font(styles[name], 12)
    for name in ("Body Text", "First Paragraph"):
        pf = styles[name].paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.5
    styles["Body Text"].paragraph_format.first_line_indent = Cm(1.0)
    styles["First Paragraph"].paragraph_format.first_line_indent = Cm(0)
    quote = styles["Block Text"].paragraph_format
    quote.left_indent, quote.right_indent, quote.space_before, quote.space_after = (
        Cm(1),
        Cm(1),
        Pt(6),
        Pt(6),
    )
    set_font(styles["Block Text"], 11)
    set_font(styles["Title"], 18, bold=False)
    set_font(styles["Subtitle"], 14, italic=True)
    for name in ("Title", "Subtitle", "Author", "Date"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(styles["Author"], 12)
    set_font(styles["Date"], 11, italic=True)
    set_font(styles["Abstract"], 11)
    set_font(styles["Abstract Title"], 11, bold=False)
    abstract = styles["Abstract"].paragraph_format
    abstract.left_indent, abstract.right_indent, abstract.space_after = Cm(1.2), Cm(1.2), Pt(6)
    for level, size in ((1, 14), (2, 12), (3, 12)):
        h = styles[f"Heading {level}"]
        set_font(h, size, italic=level > 1, bold=level == 1)
        h.paragraph_format.space_before, h.paragraph_format.space_after = (
            Pt(18 if level == 1 else 12),
            Pt(6),
        )
        h.paragraph_format.keep_with_next = True
    set_font(styles["Footnote Text"], 10)
    styles["Footnote Text"].paragraph_format.space_after = Pt(3)
    set_font(styles["Bibliography"], 12)
    bib = styles["Bibliography"].paragraph_format
    bib.left_indent, bib.first_line_indent, bib.space_after = Cm(1.27), Cm(-1.27), Pt(6)
    set_font(styles["Table Caption"], 11, italic=False)
    # Citations link to the bibliography; in print they should read as plain text.
    link = styles["Hyperlink"]
    link.font.underline = False
    link.font.color.rgb = RGBColor(0, 0, 0)
    if "Label" not in [s.name for s in styles]:
        label = styles.add_style("Label", WD_STYLE_TYPE.PARAGRAPH)
        label.base_style = styles["Normal"]
        set_font(label, 11)
        label.font.small_caps = True
        label.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in d.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
    d.core_properties.author = ""
    d.core_properties.last_modified_by = ""
    d.core_properties.title = ""
    out = ROOT / "templates" / "reference.docx"
    d.save(str(out))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
