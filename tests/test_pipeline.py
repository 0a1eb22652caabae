"""The build pipeline on whole small projects: what a reader of each format sees."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from .conftest import Run, copy_project, run_build
from .readers import (
    docx_footnotes,
    docx_paragraphs,
    note_pages,
    pdf_fonts,
    pdf_info,
    pdf_pages,
)

FORMATS = ("pdf", "html", "docx")


def source_notes(run: Run) -> int:
    """How many notes the reader should get: one per note in the PDF's own numbering."""
    return len(note_pages(run.build / "paper.pdf"))


def test_every_output_is_built(notes_build: Run) -> None:
    for name in ("paper", "abstract"):
        for fmt in FORMATS:
            path = notes_build.build / f"{name}.{fmt}"
            assert path.stat().st_size > 1000, path
    assert "error" not in notes_build.stderr


def test_pdf_notes_sit_on_their_calls_page(notes_build: Run) -> None:
    pages = note_pages(notes_build.build / "paper.pdf")
    assert len(pages) == 56  # 28 citations, 27 notes of commentary, 1 multi-paragraph note
    assert list(pages) == list(range(1, 57)), "notes are numbered consecutively"
    misplaced = {n: p for n, p in pages.items() if p[0] is None or p[0] != p[1]}
    assert misplaced == {}
    assert "footnote-placement" not in notes_build.stderr


def test_pdf_note_text_is_at_the_foot_of_its_page(notes_build: Run) -> None:
    texts = pdf_pages(notes_build.build / "paper.pdf")
    pages = note_pages(notes_build.build / "paper.pdf")
    # The multi-paragraph note: both paragraphs, on the page of its call.
    long_note = next(n for n in pages if "second paragraph of this note" in texts[pages[n][1] - 1])
    page_text = texts[pages[long_note][1] - 1]
    assert "continues the argument" in page_text
    assert "Example Defense Agency, Defense of Example 1986, 325" in page_text.replace("\n", " ")


def test_pdf_reads_like_an_article(notes_build: Run) -> None:
    pdf = notes_build.build / "paper.pdf"
    texts = pdf_pages(pdf)
    first = texts[0]
    assert "Notes at the Foot of the Page" in first
    assert "Mariko Test" in first and "Department of Tests" in first
    assert "通商産業省" in first, "Japanese text comes through as text, not tofu"
    assert re.search(r"^1\s+Opening", first, re.M), "numbered section heading"
    assert "section 2" in first and "section 3" in first, "cross-references resolved"
    # Page numbers on every page; running heads from page 2 on.
    for i, text in enumerate(texts, 1):
        assert re.search(rf"(^|\n){i}\s*$", text.strip()), f"page number on page {i}"
    assert all(("Notes at the Foot" in t) or ("Test" in t) for t in texts[1:])
    # Bibliography with entries sorted by author.
    last = "\n".join(texts[-2:])
    assert "Bibliography" in last
    assert last.index("Example Defense Agency. Defense of Example 1986") < last.index(
        "Writer, Gail A."
    )


def test_pdf_metadata_and_fonts(notes_build: Run) -> None:
    pdf = notes_build.build / "paper.pdf"
    info = pdf_info(pdf)
    assert info["/Title"] == "Notes at the Foot of the Page: A Test of Footnote Placement"
    assert info["/Author"] == "Mariko Test"
    assert info["/Keywords"] == "footnotes, typesetting"
    fonts = pdf_fonts(pdf)
    assert fonts and all(fonts.values()), f"every font embedded: {fonts}"
    names = " ".join(fonts)
    assert "Libertine" in names and "Italic" in names, "a book serif with true italics"
    assert "IPAexMincho" in names, "a real CJK font for the Japanese"


def test_docx_has_one_word_footnote_per_note(notes_build: Run) -> None:
    path = notes_build.build / "paper.docx"
    notes = docx_footnotes(path)
    assert len(notes) == source_notes(notes_build)
    assert notes[0].startswith("Gail A. Writer, Guidelines for a Test of Long Report Titles")
    assert any("The second paragraph of this note" in n for n in notes)
    styles = docx_paragraphs(path)
    assert styles[0] == ("Title", "Notes at the Foot of the Page")
    assert ("Heading 1", "1 Opening") in styles
    bib = [t for s, t in styles if s == "Bibliography"]
    # Four sources cited; the unsigned newspaper item is cited in notes only.
    assert len(bib) == 3 and bib[0].startswith("Example Defense Agency.")


def test_html_notes_bibliography_and_landmarks(notes_build: Run) -> None:
    soup = BeautifulSoup((notes_build.build / "paper.html").read_text("utf-8"), "html.parser")
    assert soup.html["lang"] == "en-US"
    assert soup.find("main") and soup.find("header")
    assert [h.name for h in soup.find_all(["h1", "h2"])][:2] == ["h1", "h2"], "heading order"
    refs = soup.select("a.footnote-ref")
    notes = soup.select("section.footnotes li")
    assert len(refs) == len(notes) == source_notes(notes_build)
    first = notes[0]
    assert first.select_one("a.footnote-back")["href"] == "#" + refs[0]["id"], "links both ways"
    entries = soup.select("div.csl-entry")
    assert len(entries) == 3, "the unsigned newspaper item is cited in notes only"
    assert soup.select_one('a.cross-ref[href="#sec-middle"]').get_text() == "section 2"
    assert soup.select_one('span[lang="ja"]').get_text() == "通商産業省"


def test_pdf_language_and_bookmarks(notes_build: Run) -> None:
    from pypdf import PdfReader

    reader = PdfReader(notes_build.build / "paper.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["1 Opening", "2 Middle", "3 Close", "Bibliography"]


def test_bibtex_library_as_better_bibtex_writes_it(tmp_path: Path) -> None:
    project = copy_project("bibtex", tmp_path)
    run = run_build(project, "build", "paper.pdf", "paper.docx")
    assert run.code == 0, run.stderr
    notes = docx_footnotes(project / "build" / "paper.docx")
    assert notes == [
        "Gregg A. Rubinstein, Guidelines for Increase of U.S.-Japanese Defense Technology "
        "Cooperation, Backgrounder (Heritage Foundation, 1987), 3.",
        "Japan Defense Agency, Defense of Japan 1986 (Japan Times, 1986), 325.",
        "Japan Defense Agency, Defense of Japan 1986, 325.",
        "Rubinstein, Guidelines for Increase, 5.",
    ]


def test_citation_style_is_one_setting_away(tmp_path: Path) -> None:
    project = copy_project("bibtex", tmp_path)
    meta = project / "manuscript" / "metadata.yaml"
    meta.write_text(
        meta.read_text() + "citation-style: chicago-notes-bibliography-subsequent-ibid\n"
    )
    run = run_build(project, "build", "paper.docx")
    assert run.code == 0, run.stderr
    notes = docx_footnotes(project / "build" / "paper.docx")
    assert notes[2] == "Ibid."
    meta.write_text(meta.read_text().replace("-notes-bibliography-subsequent-ibid", "-author-date"))
    run = run_build(project, "build", "paper.docx")
    assert run.code == 0, run.stderr
    assert docx_footnotes(project / "build" / "paper.docx") == []  # author-date: no notes
    text = " ".join(t for _, t in docx_paragraphs(project / "build" / "paper.docx"))
    assert "(Rubinstein 1987, 3)" in text


def test_without_the_patch_the_relayout_loop_still_places_every_note(tmp_path: Path) -> None:
    project = copy_project("notes", tmp_path)
    run = run_build(project, "build", "paper.pdf", env={"PRESSROOM_WEASYPRINT_PATCH": "0"})
    assert run.code == 0, run.stderr
    pages = note_pages(project / "build" / "paper.pdf")
    assert len(pages) == 56
    assert {n: p for n, p in pages.items() if p[0] != p[1]} == {}


def test_a_note_longer_than_a_page_is_an_error_not_a_cut(tmp_path: Path) -> None:
    project = copy_project("notes", tmp_path)
    paper = project / "manuscript" / "paper.md"
    huge = " ".join("{{ s[" + str(i % 12) + "] }}" for i in range(40))
    paper.write_text(
        paper.read_text().replace(
            "# Close {#sec-close}",
            f"A paragraph with a very long note.[^huge]\n\n[^huge]: {huge}\n\n    {huge}\n\n"
            "# Close {#sec-close}",
        )
    )
    run = run_build(project, "build", "paper.pdf")
    assert run.code == 1
    assert run.stderr.strip() == (
        "notes/manuscript/paper.md: error: note 56 is too long to print at the foot of a page "
        "(notes may take 60% of a page and cannot continue on the next): shorten it, or move "
        "part of it into the text [pdf.footnote-too-long]"
    )
    assert not (project / "build" / "paper.pdf").exists()
