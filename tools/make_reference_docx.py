"""Regenerate pressroom/templates/reference.docx: pandoc's default reference document, restyled.

Run with `make reference-docx` after changing the styles below. pandoc takes every style an
editor may want to restyle (Title, headings, Footnote Text, Bibliography...) from this file, and
also its section: page size, margins, footnote numbering, header and footer."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pressroom.pandoc import binary  # noqa: E402

SERIF = "Times New Roman"  # what Word and LibreOffice both have; an editor can restyle
CJK = "MS Mincho"  # Word's Japanese serif; LibreOffice substitutes its own
TEXT_WIDTH = Cm(16.0)  # A4's 21 cm less the 2.5 cm margins (main() sets both)


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


def element(tag: str, **attrs: str) -> etree._Element:
    """A WordprocessingML element, `element("w:jc", val="right")`."""
    return etree.Element(qn(tag), {qn(f"w:{k}"): v for k, v in attrs.items()})


def field(paragraph: docx.text.paragraph.Paragraph, instruction: str, shown: str) -> None:
    """A simple field (PAGE, DOCPROPERTY...) that Word and LibreOffice update when they open the
    file; `shown` is the text until they do."""
    fld = element("w:fldSimple", instr=f" {instruction} ")
    run = etree.SubElement(fld, qn("w:r"))
    etree.SubElement(run, qn("w:t")).text = shown
    paragraph._p.append(fld)


def header_and_footer(section: docx.section.Section) -> None:
    """Running head (the document's title, right; none on the first page) and page number
    (centred at the foot, every page): a manuscript an editor prints or a journal's system
    splits must have numbered pages.
    The title comes from the document's own properties (TITLE is core.xml's dc:title, which
    pandoc fills from the metadata), so one reference.docx serves every document."""
    head = section.header.paragraphs[0]
    head.style = "Header"
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    field(head, "TITLE", "Title")
    # The first page carries the title itself: no running head there, but its number.
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].style = "Header"
    for footer in (section.footer, section.first_page_footer):
        foot = footer.paragraphs[0]
        foot.style = "Footer"
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field(foot, "PAGE", "1")


def continuous_notes(d: docx.document.Document, section: docx.section.Section) -> None:
    """Footnotes numbered 1..n through the whole document. pandoc's default reference document
    says `numRestart eachSect`, which LibreOffice reads as "restart at every chapter" (each
    level-1 heading); Word happens to show 1..n only because there is one section."""
    sect = section._sectPr
    for old in sect.findall(qn("w:footnotePr")):
        sect.remove(old)
    props = element("w:footnotePr")
    props.append(element("w:numRestart", val="continuous"))
    sect.insert(0, props)


def table_rules(styles: docx.styles.styles.Styles) -> None:
    """Tables as a journal sets them: a rule above, one under the header row, one at the end."""
    tblpr = styles["Table"].element.find(qn("w:tblPr"))
    for old in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(old)
    borders = element("w:tblBorders")
    for edge in ("top", "bottom"):
        borders.append(element(f"w:{edge}", val="single", sz="8", space="0", color="000000"))
    # tblBorders comes after tblInd in CT_TblPr's sequence.
    tblpr.find(qn("w:tblInd")).addnext(borders)


def text_styles(styles: docx.styles.styles.Styles) -> None:
    """Header, footer and table-cell paragraphs."""
    for name in ("Header", "Footer"):
        if name not in [s.name for s in styles]:
            styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
        set_font(styles[name], 10)
    styles["Header"].font.italic = True
    # "Compact" (table cells, tight lists) is based on Body Text: without this every cell's first
    # line would be indented 1 cm and set at 1.5 lines.
    compact = styles["Compact"].paragraph_format
    compact.first_line_indent, compact.line_spacing = Cm(0), 1.0
    compact.space_before, compact.space_after = Pt(2), Pt(2)
    for name in ("Affiliation", "Email"):
        if name not in [s.name for s in styles]:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Author"]
        set_font(styles[name], 11, italic=name == "Affiliation")
    styles["Author"].paragraph_format.space_after = Pt(0)
    draft_marker(styles)
    contents_styles(styles)
    display_equation(styles)


def contents_styles(styles: docx.styles.styles.Styles) -> None:
    """The table of contents (`toc: true`): "TOC Heading" over "toc 1", "toc 2"... (Word's own
    names, so Word's Update Table keeps them), each level further in, the page number at the
    right margin after a dotted leader (a right tab stop at the text's width, A4 less margins)."""
    set_font(styles["TOC Heading"], 14)
    heading = styles["TOC Heading"].paragraph_format
    heading.space_before, heading.space_after = Pt(12), Pt(6)
    for level in (1, 2, 3):
        name = f"toc {level}"
        if name not in [s.name for s in styles]:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            # Word's built-in style, by its own id, not a custom one of the same name.
            style.element.set(qn("w:styleId"), f"TOC{level}")
            style.element.attrib.pop(qn("w:customStyle"), None)
        set_font(styles[name], 12)
        pf = styles[name].paragraph_format
        pf.left_indent, pf.first_line_indent = Cm(0.75 * (level - 1)), Cm(0)
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(3), 1.0
        pf.tab_stops.clear_all()
        pf.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def display_equation(styles: docx.styles.styles.Styles) -> None:
    """A numbered equation's paragraph: the formula on a centre tab stop in the middle of the
    text, its number on a right tab stop at the right margin (the DOCX writer sets a tab before
    each)."""
    name = "Display Equation"
    if name not in [s.name for s in styles]:
        styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    set_font(styles[name], 12)
    pf = styles[name].paragraph_format
    pf.first_line_indent, pf.left_indent, pf.right_indent = Cm(0), Cm(0), Cm(0)
    pf.space_before, pf.space_after, pf.line_spacing = Pt(6), Pt(6), 1.0
    pf.tab_stops.clear_all()
    pf.tab_stops.add_tab_stop(TEXT_WIDTH // 2, WD_TAB_ALIGNMENT.CENTER)
    pf.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)


def draft_marker(styles: docx.styles.styles.Styles) -> None:
    """The character style of a draft marker, [text]{.todo}: shaded yellow like the PDF's and
    the web page's highlight, so that an editor sees every one."""
    if "Draft Marker" not in [s.name for s in styles]:
        styles.add_style("Draft Marker", WD_STYLE_TYPE.CHARACTER)
    rpr = styles["Draft Marker"].element.get_or_add_rPr()
    for old in rpr.findall(qn("w:shd")):
        rpr.remove(old)
    rpr.append(element("w:shd", val="clear", color="auto", fill="FFF1A8"))


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
    # The keywords under the abstract, at its measure (the div's custom-style "Keywords").
    if "Keywords" not in [s.name for s in styles]:
        styles.add_style("Keywords", WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Abstract"]
    set_font(styles["Keywords"], 11)
    keywords = styles["Keywords"].paragraph_format
    keywords.first_line_indent, keywords.line_spacing = Cm(0), 1.0
    keywords.space_before, keywords.space_after = Pt(3), Pt(12)
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
    text_styles(styles)
    table_rules(styles)
    for section in d.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
        # pgMar's header, footer and gutter are required by the schema (CT_PageMar).
        section.header_distance = section.footer_distance = Cm(1.25)
        section.gutter = Cm(0)
        continuous_notes(d, section)
        header_and_footer(section)
    d.core_properties.author = ""
    d.core_properties.last_modified_by = ""
    d.core_properties.title = ""
    out = ROOT / "pressroom" / "templates" / "reference.docx"
    d.save(str(out))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
