"""Issue 10, inputs: a paper written for pandoc (front matter, a Better BibTeX library and a
Zotero CSL-JSON export side by side with a stale copy, code that shows template syntax) builds
unchanged, and reads right in every format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from pypdf import PdfReader

from .conftest import Run, copy_project, run_build
from .ooxml.validate import invalid_parts
from .readers import docx_paragraphs, docx_part, pdf_pages

PROJECT = "pandoc-paper"


@pytest.fixture(scope="session")
def pandoc_paper(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project(PROJECT, tmp_path_factory.mktemp("pandoc-paper"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


def test_builds_unchanged_with_warnings_only(pandoc_paper: Run) -> None:
    warnings = [line for line in pandoc_paper.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "pandoc-paper/manuscript/library.bib: warning: 2 library entries have problems and no "
        "document cites them; they are left out ('pressroom check' lists them) "
        "[reference.uncited-invalid]",
        "pandoc-paper/manuscript/paper.md:27: warning: unknown metadata key 'header-includes', "
        "ignored [config.unknown]",
        "pandoc-paper/manuscript/paper.md:29: warning: unknown metadata key 'format', ignored "
        "(did you mean 'formats'?) [config.unknown]",
    ]


def test_title_block_abstract_and_thanks_in_html(pandoc_paper: Run) -> None:
    soup = BeautifulSoup((pandoc_paper.build / "paper.html").read_text("utf-8"), "html.parser")
    header = soup.select_one("header.title-block")
    assert header is not None
    affiliations = [a.get_text() for a in header.select(".affiliation")]
    assert affiliations == [
        "Department of History, University of Eastfield; Centre for Print Culture"
    ]
    assert [n.get_text() for n in header.select(".author .name")] == [
        "Marta Kowalczyk",
        "Tomás Ferreira",
    ]
    thanks = header.select_one(".thanks")
    assert thanks is not None and thanks.select_one("strong").get_text() == "patient"
    abstract = soup.select_one(".abstract")
    assert abstract is not None and abstract.select_one("em").get_text() == "how"
    assert soup.html is not None and soup.html["lang"] == "en-GB"
    # Code shows template syntax as written; the escaped handle prints as text.
    codes = [c.get_text() for c in soup.select("code")]
    assert "{{ site.baseurl }}" in codes
    assert any("{% if page.next %}" in c for c in codes)
    assert "Contact the team at @eastfieldprint" in soup.get_text()


def test_library_entries_as_zotero_exports_them_in_pdf(pandoc_paper: Run) -> None:
    text = " ".join(" ".join(pdf_pages(pandoc_paper.build / "paper.pdf")).split())
    assert "The Railway Timetable and Its Readers (1893; Northgate Press, 1984)" in text
    assert "Briefing Report (Board of Trade, Forthcoming)" in text
    assert "RLY/4/12, Eastfield County Record Office" in text
    assert "Journal of Transport History 40, no. 2 (2019): 201–24" in text
    assert "{" not in text.replace("{{ site.baseurl }}", "").replace("{% if", "").replace(
        "{% endif", ""
    )
    assert "n.d." not in text and "?)" not in text
    assert "We thank the county archivists" in text and "Abstract" in text


def test_abstract_and_authors_in_docx(pandoc_paper: Run) -> None:
    paragraphs = docx_paragraphs(pandoc_paper.build / "paper.docx")  # (style, text)
    assert ("Abstract Title", "Abstract") in paragraphs
    (abstract,) = [s for s, t in paragraphs if t.startswith("Railway timetables printed")]
    assert abstract == "Abstract"
    assert any("Centre for Print Culture" in t for _, t in paragraphs)


def test_only_the_named_library_files_are_read_and_recorded(pandoc_paper: Run) -> None:
    record = json.loads((pandoc_paper.build / ".deps" / "paper.pdf.json").read_text())
    libraries = sorted(
        Path(p).name
        for p in record
        if re.search(r"\.(bib|json)$", p) and Path(p).parent.name == "manuscript"
    )
    assert libraries == ["library.bib", "zotero.json"]  # not library.json beside them


def test_check_lists_the_uncited_problems_in_full(pandoc_paper: Run) -> None:
    run = run_build(pandoc_paper.project, "check")
    assert run.code == 0, run.stderr
    problems = [
        line for line in run.stderr.splitlines() if "library.bib:" in line and "[reference." in line
    ]
    assert problems == [
        "pandoc-paper/manuscript/library.bib:31: warning: duplicate reference id 'unusedleaflet' "
        "(ids ignore case; first declared at library.bib:26) [reference.duplicate]",
        "pandoc-paper/manuscript/library.bib:37: warning: reference 'brokenuncited': 'issued' "
        "has month 13; months run 1 to 12 [reference.date]",
    ]


def test_strict_fails_on_an_unknown_key(tmp_path: Path) -> None:
    project = copy_project(PROJECT, tmp_path)
    meta = project / "manuscript" / "metadata.yaml"
    meta.write_text("title: A\neditor: visual\n", "utf-8")
    run = run_build(project, "--strict")
    assert run.code == 1
    assert run.stderr.strip() == (
        "pandoc-paper/manuscript/metadata.yaml:2: error: unknown metadata key 'editor', ignored "
        "(--strict) [config.unknown]"
    )
    assert not (project / "build" / "paper.pdf").exists()


def test_a_library_named_outside_the_project(tmp_path: Path) -> None:
    project = copy_project(PROJECT, tmp_path)
    zotero = tmp_path / "Zotero" / "export.bib"
    zotero.parent.mkdir()
    bib = (project / "manuscript" / "library.bib").read_text("utf-8")
    zotero.write_text(bib.replace("Northgate Press", "Outside Press"), "utf-8")
    paper = project / "manuscript" / "paper.md"
    text = paper.read_text("utf-8")
    text = text.replace("[library.bib, zotero.json]", f"[{zotero}, zotero.json]")
    paper.write_text(text.replace("format:\n  pdf: default\n", ""), "utf-8")
    (project / "manuscript" / "library.bib").unlink()
    run = run_build(project, "build", "paper.html")
    assert run.code == 0, run.stderr
    assert "Outside Press" in (project / "build" / "paper.html").read_text("utf-8")
    record = json.loads((project / "build" / ".deps" / "paper.html.json").read_text())
    assert str(zotero.resolve()) in record


# A thesis as pandoc users write one: `toc: true`, chapters split by \newpage, a note and a
# citation in headings, an unlisted heading, one level below toc-depth.
@pytest.fixture(scope="session")
def outside_thesis(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project("outside-thesis", tmp_path_factory.mktemp("outside-thesis"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


CONTENTS = [
    ("1 Introduction", 1),
    ("1.1 Sources and approach", 1),
    ("2 The Crossings and Their Keepers", 2),
    ("2.1 The upper ferry", 2),
    ("2.2 The Mill ferry and Pennock", 2),
    ("3 Conclusion", 3),
    ("References", 3),
]


def test_pdf_contents_give_the_page_of_each_heading(outside_thesis: Run) -> None:
    pages = pdf_pages(outside_thesis.build / "paper.pdf")
    lines = [" ".join(line.split()) for line in pages[0].splitlines()]
    start = lines.index("Contents")
    found = []
    for line in lines[start + 1 : start + 1 + len(CONTENTS)]:
        m = re.fullmatch(r"(.*?)[ .]*?(\d+)", line)
        assert m, line
        found.append((m.group(1).rstrip(" ."), int(m.group(2))))
    assert found == CONTENTS
    body = [" ".join(lines[start + 1 + len(CONTENTS) :]), *pages[1:]]  # page 1 after the list
    for title, page in CONTENTS:  # each heading is on the page its entry gives
        assert title in " ".join(body[page - 1].split()), (title, page)
    text = " ".join(" ".join(pages).split())
    assert "2.3 A note on sources" in text and "1.1.1 Reading a toll book" in text
    # The note in a heading is printed once: notes 1-3, not a copy from the contents.
    assert len(re.findall(r"The keepers’ names follow the leases", text)) == 1


def test_html_contents_link_every_listed_heading(outside_thesis: Run) -> None:
    soup = BeautifulSoup((outside_thesis.build / "paper.html").read_text("utf-8"), "html.parser")
    toc = soup.select_one("#toc")
    assert toc is not None and toc.get("role") == "doc-toc"
    links = toc.select("a")
    assert [" ".join(a.get_text().split()) for a in links] == [t for t, _ in CONTENTS]
    for a in links:
        assert soup.find(id=str(a["href"])[1:]) is not None, a["href"]
    assert not toc.select("sup, .footnote-ref, [id^=fn]"), "no note copied into the contents"
    nested = toc.select("ul ul a")
    assert nested[0].get_text().endswith("Sources and approach")


def test_docx_contents_paragraphs_with_page_fields(outside_thesis: Run) -> None:
    path = outside_thesis.build / "paper.docx"
    paragraphs = docx_paragraphs(path)
    toc = [(style, " ".join(text.split())) for style, text in paragraphs if style.startswith("toc")]
    assert toc == [("toc 2" if "." in title else "toc 1", title) for title, _ in CONTENTS]
    assert ("TOC Heading", "Contents") in paragraphs
    document = docx_part(path, "word/document.xml")
    fields = re.findall(r"PAGEREF (\S+) \\h", document)
    bookmarks = set(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"', document))
    assert len(fields) == len(CONTENTS) and set(fields) <= bookmarks
    assert document.count('<w:br w:type="page"/>') == 2, "each \\newpage is a page break"
    assert invalid_parts(path) == []


# A JOSS-style software paper (JOSS's front matter, pandoc-crossref's listings).
@pytest.fixture(scope="session")
def outside_article(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project("outside-article", tmp_path_factory.mktemp("outside-article"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


def test_listings_numbered_and_referenced_in_every_format(outside_article: Run) -> None:
    build = outside_article.build
    sentence = "as in listing 1, and its readings compared as in listing 2; listings 1 and 2"
    captions = ["Listing 1. Opening a ledger", "Listing 2. Comparing readings with the prediction"]
    pdf = " ".join(" ".join(pdf_pages(build / "paper.pdf")).split())
    assert sentence in pdf and all(c in pdf for c in captions)
    soup = BeautifulSoup((build / "paper.html").read_text("utf-8"), "html.parser")
    assert sentence in " ".join(soup.get_text().split())
    listings = [a["href"] for a in soup.select("a.cross-ref") if a["href"].startswith("#lst")]
    assert listings == ["#lst:open", "#lst:compare"] * 2
    for ident in ("lst:open", "lst:compare"):
        listing = soup.find(id=ident)
        assert listing is not None and listing.select_one("pre code") is not None
    paragraphs = docx_paragraphs(build / "paper.docx")
    assert [t for s, t in paragraphs if s == "Table Caption"] == [
        *captions,
        "Table 1. Ports read so far.",
        "Table 2. Monthly mean residuals, 1851.",
    ]
    assert any(sentence in t for _, t in paragraphs)
    assert ("Date", "2 March 2025") in paragraphs, "the date, as the PDF and HTML print it"


def test_latex_labels_and_references_read_as_cross_references(outside_article: Run) -> None:
    warnings = [line for line in outside_article.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "outside-article/manuscript/paper.md:3: warning: unknown metadata key 'tags', ignored "
        "(JOSS's; pressroom's is 'keywords') [config.unknown]",
        "outside-article/manuscript/paper.md:60: warning: '\\ref{sec:future}' refers to "
        "'sec:future', but no figure, table, equation, listing or heading has that \\label or "
        "id: printed as written [markdown.raw-tex]",
        # Math over several lines is placed at its first line of TeX.
        "outside-article/manuscript/paper.md:75: warning: math not fully typeset (pandoc could "
        "not read it as TeX math): ",
    ]
    sentence = (
        "the prediction of Eq.\u00a01; Figure 1 plots a week of them and Table 1 lists the ports "
        "read so far. The method follows Section 3, and (1) is the whole of it."
    )
    build = outside_article.build
    soup = BeautifulSoup((build / "paper.html").read_text("utf-8"), "html.parser")
    text = soup.get_text()
    assert "Eq.\u00a01;" in text, "LaTeX's tie is a no-break space"
    assert " ".join(sentence.split()) in " ".join(text.split())
    assert soup.select_one("figure#fig\\:residuals figcaption") is not None
    assert "\\label" not in text and "\\autoref" not in text
    pdf = " ".join(" ".join(pdf_pages(build / "paper.pdf")).split())
    assert "Figure 1. Residuals at Saltmouth" in pdf and "Table 1. Ports read so far." in pdf
    assert "Figure 1 plots a week of them" in pdf and "\\label" not in pdf
    paragraphs = docx_paragraphs(build / "paper.docx")
    assert any("Figure 1 plots a week" in t for _, t in paragraphs)
    assert not any("\\label" in t or "\\autoref" in t for _, t in paragraphs)


def test_word_equation_number_at_the_right_margin(outside_article: Run) -> None:
    path = outside_article.build / "paper.docx"
    document = docx.Document(str(path))
    (para,) = [p for p in document.paragraphs if p.style.name == "Display Equation"]
    assert para.text == "\t\t(1)"  # formula (math, not text) between two tabs, then its number
    runs = [
        child.tag.split("}")[1]
        for child in para._p.iter()
        if child.tag.endswith(("}tab", "}oMath", "}t"))
    ]
    assert runs[:2] == ["tab", "oMath"] and runs[-2:] == ["tab", "t"]
    section = document.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    # Stops are stored in twentieths of a point (635 EMU): equal to within one.
    center, right = para.style.paragraph_format.tab_stops
    assert center.alignment == WD_TAB_ALIGNMENT.CENTER and abs(center.position - width / 2) <= 635
    assert right.alignment == WD_TAB_ALIGNMENT.RIGHT and abs(right.position - width) <= 635
    assert invalid_parts(path) == []


def test_a_table_of_many_columns_on_a_landscape_page(outside_article: Run) -> None:
    reader = PdfReader(outside_article.build / "paper.pdf")
    turned = [
        " ".join((page.extract_text() or "").split())
        for page in reader.pages
        if page.mediabox.width > page.mediabox.height
    ]
    assert len(turned) == 1 and turned[0].startswith("Table 2. Monthly mean residuals, 1851.")
    assert "After the table" not in turned[0], "the text goes on on a portrait page"
    assert reader.pages[-1].mediabox.width < reader.pages[-1].mediabox.height


def test_a_table_of_many_columns_in_a_landscape_section_of_the_docx(outside_article: Run) -> None:
    document = docx.Document(str(outside_article.build / "paper.docx"))
    sizes = [(s.orientation, s.page_width > s.page_height) for s in document.sections]
    assert sizes == [
        (WD_ORIENT.PORTRAIT, False),
        (WD_ORIENT.LANDSCAPE, True),
        (WD_ORIENT.PORTRAIT, False),
    ]
    # The title page (no running head) is the first section's alone; every section has the
    # running head and the page number.
    assert [s.different_first_page_header_footer for s in document.sections] == [
        True,
        False,
        False,
    ]
    heads = [(s.header, s.footer) for s in document.sections]
    assert all(h.part is heads[0][0].part and f.part is heads[0][1].part for h, f in heads)
    body = document.element.body
    turned = body.xpath("./w:p[w:pPr/w:sectPr/w:pgSz/@w:orient='landscape']")[0]
    table = next(
        e for e in turned.itersiblings(preceding=True) if not e.tag.endswith("}bookmarkEnd")
    )
    assert table.tag.endswith("}tbl") and len(table.xpath("./w:tblGrid/w:gridCol")) == 13
    assert "<!--pressroom" not in docx_part(
        outside_article.build / "paper.docx", "word/document.xml"
    )


# A Programming Historian lesson as its Jekyll site keeps it: Liquid includes, highlight blocks.
@pytest.fixture(scope="session")
def outside_lesson(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project("outside-lesson", tmp_path_factory.mktemp("outside-lesson"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


def test_a_jekyll_lesson_builds_as_it_is(outside_lesson: Run) -> None:
    warnings = [line for line in outside_lesson.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "outside-lesson/manuscript/paper.md:4: warning: layout 'lesson' is another tool's: read "
        "as a Jekyll page (set as an article without section numbers, Liquid tags read as "
        "Jekyll's, no Jinja templating, @name as text); keys pressroom does not use are "
        "ignored: collection, slug, reviewers, difficulty, activity, topics, avatar_alt "
        "[config.unknown]",
        "outside-lesson/manuscript/paper.md:46: warning: Liquid tag '{% include alert.html "
        'text="Save your work often." %}\' has no meaning here: left out [jekyll.liquid]',
    ]
    build = outside_lesson.build
    pdf = " ".join(" ".join(pdf_pages(build / "paper.pdf")).split())
    assert "Contents Lesson Goals . . ." in pdf  # {% include toc.html %}; no numbers, as the site
    assert "Figure 1. Tolls by year" in pdf and "Figure 1. Figure 1." not in pdf
    assert 'rows = list(csv.reader(open("ledger.csv")))' in pdf  # {% highlight %}
    assert "{{ count }}" in pdf and "{%" not in pdf and "site.baseurl" not in pdf
    assert "@ferrykeeper a bot that posts one toll a day? — A reader (@tollreader)" in pdf
    soup = BeautifulSoup((build / "paper.html").read_text("utf-8"), "html.parser")
    assert soup.select_one("figure img[src]") is not None
    assert soup.select_one("pre.python, div.sourceCode pre") is not None
    assert [a["href"] for a in soup.select("main a") if "lessons" in a["href"]] == [
        "/en/lessons/reading-ledgers"
    ]
    paragraphs = docx_paragraphs(build / "paper.docx")
    assert ("Image Caption", "Figure 1. Tolls by year") in paragraphs
    assert not any("{%" in t for _, t in paragraphs)
