"""What a reader sees in manuscripts of other kinds (tests/projects/reader): an article with
math, figures and raw LaTeX, a thesis that numbers its own chapters and runs past 100 notes,
and a programming lesson with long code lines and a wide table. One build, shared."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from bs4 import BeautifulSoup

from . import readers
from .conftest import ROOT, Run, copy_project, run_build

ZWSP = "\u200b"


@pytest.fixture(scope="session")
def reader_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project("reader", tmp_path_factory.mktemp("reader"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


def pdf_pages(path: Path) -> list[str]:
    return [text.replace(ZWSP, "") for text in readers.pdf_pages(path)]


def html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def docx_part(path: Path, part: str) -> str:
    return zipfile.ZipFile(path).read(part).decode("utf-8")


def alt_texts(path: Path) -> list[str]:
    """The /Alt of every element of the tagged PDF's structure tree (images, formulas)."""
    found: list[str] = []

    def walk(obj: Any) -> None:
        obj = obj.get_object()
        if isinstance(obj, pypdf.generic.DictionaryObject):
            if "/Alt" in obj:
                found.append(str(obj["/Alt"]))
            if "/K" in obj:
                walk(obj["/K"])
        elif isinstance(obj, pypdf.generic.ArrayObject):
            for item in obj:
                walk(item)

    walk(pypdf.PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
    return found


def note_numbers(pages: list[str]) -> list[int]:
    """The numbers that open the notes at the foot of each page ("12. Fol. 22.")."""
    return [int(n) for text in pages for n in re.findall(r"^(\d{1,3})\.\s", text, re.M)]


# --- the article: figures, equations, math, raw LaTeX, URLs, the running head ---------------


def test_article_figures_and_equations_numbered_and_resolved_in_every_format(
    reader_build: Run,
) -> None:
    text = " ".join(pdf_pages(reader_build.build / "article.pdf"))
    for expected in (
        "Figure 1 shows the seasonal pattern",  # @fig-prices opens the sentence
        "and figure 2 the three towns",  # pandoc-crossref's @fig:towns
        "The model of section 2",
        "in equation 1 a precise meaning",
        "By equation 2 the spread",
        "(the towns of Figure 2, by Equation 1)",
        "Figure 1. Mean price of wheat",
        "Figure 2. The three market towns",
        "(1)",
        "(2)",
    ):
        assert expected in text, expected
    assert "@fig" not in text and "@eq" not in text and "fig-prices" not in text

    page = html(reader_build.build / "article.html")
    refs = [(a["href"], a.get_text()) for a in page.select("a.cross-ref")]
    assert refs == [
        ("#fig-prices", "Figure 1"),
        ("#fig:towns", "figure 2"),
        ("#sec-model", "section 2"),
        ("#eq-swing", "equation 1"),
        ("#eq-bound", "equation 2"),
        ("#fig:towns", "2"),  # "Figure @fig:towns", as pandoc-fignos users write it
        ("#eq-swing", "Equation 1"),  # pandoc-xnos's "+@eq-swing"
    ]
    for target, _ in refs:
        assert page.find(id=target[1:]) is not None, target
    captions = [f.get_text(" ", strip=True) for f in page.find_all("figcaption")]
    assert captions[0].startswith("Figure 1. Mean price") and captions[1].startswith("Figure 2.")

    word = docx.Document(str(reader_build.build / "article.docx"))
    paragraphs = [p.text for p in word.paragraphs]
    assert any(p.startswith("Figure 1 shows the seasonal pattern") for p in paragraphs)
    assert any(p.startswith("Figure 2. The three market towns") for p in paragraphs)


def test_article_math_is_typeset_not_tex(reader_build: Run) -> None:
    pdf = reader_build.build / "article.pdf"
    text = " ".join(pdf_pages(pdf))
    assert "\\frac" not in text and "\\bar" not in text and "$" not in text
    # Each formula is drawn (an image in the tagged PDF) with its TeX as the alternative text.
    alts = alt_texts(pdf)
    assert any("\\frac{\\max_m" in a for a in alts)
    assert "p_t" in alts and "s \\le (1 + r + c)^{k}" in alts

    page = html(reader_build.build / "article.html")
    assert len(page.find_all("math")) >= 9
    for annotation in page.find_all("annotation"):  # the TeX a MathML reader may read out
        annotation.decompose()
    assert "\\frac" not in page.get_text() and "$$" not in page.get_text()

    xml = docx_part(reader_build.build / "article.docx", "word/document.xml")
    assert xml.count("<m:oMath>") >= 9 and "\\frac" not in xml.replace("m:", "")


def test_article_notes_continuous_with_a_citation_in_a_figure_caption(reader_build: Run) -> None:
    pages = pdf_pages(reader_build.build / "article.pdf")
    assert note_numbers(pages) == [1, 2, 3, 4, 5, 6]
    assert "4. Thorne, ‘Account Book of the Upper Mill’." in "".join(pages)
    footnotes = docx_part(reader_build.build / "article.docx", "word/footnotes.xml")
    assert footnotes.count("<w:footnote w:id=") == 6  # and two separators


def test_article_raw_latex_mapped_or_warned_never_dropped(reader_build: Run) -> None:
    text = " ".join(pdf_pages(reader_build.build / "article.pdf"))
    assert "river/road network" in text
    assert "the upper markets" in text and "the lower" in text
    # A command pandoc does not know is printed as written, and said at its line.
    assert "\\marginnote{checked twice}" in text.replace("\n", " ")
    assert "article.md:45: warning: raw LaTeX '\\marginnote{checked twice}'" in reader_build.stderr
    page = html(reader_build.build / "article.html")
    assert page.find("em", string="the upper markets") is not None
    assert "river/road" in page.get_text()


def test_article_urls_break_without_inserted_hyphens(reader_build: Run) -> None:
    pages = pdf_pages(reader_build.build / "article.pdf")
    joined = "".join(t.replace("\n", "") for t in pages)
    for url in (
        "https://maps.example.org/surveys/1675/road-book/sheet-12.html",
        "https://transcriptions.example.org/upper-mill/account-book/1702/folio-034-verso.html",
        "https://data.example.org/market-prices/weekly-grain_prices-1600-1800/release-2.1/index.html",
    ):
        assert url in joined, url  # an inserted hyphen (U+2010) would split it
    assert "\u2010" not in "".join(line for t in pages for line in t.splitlines() if "//" in line)


def test_running_head_escaped_once(reader_build: Run) -> None:
    pages = pdf_pages(reader_build.build / "thesis.pdf")
    # Set as Markdown, as in the text: the apostrophe curly.
    assert all(re.search(r"^The Weavers’ Letters$", t, re.M) for t in pages[2::2])
    assert not any("&#39;" in t or "&amp;" in t for t in pages)


# --- the thesis: its own chapter numbers, more than a hundred notes ----------------------------


def test_thesis_author_numbers_not_doubled(reader_build: Run) -> None:
    text = "\n".join(pdf_pages(reader_build.build / "thesis.pdf"))
    assert re.search(r"^Chapter 1: Introduction$", text, re.M)
    assert re.search(r"^1\.1 The Letter Books$", text, re.M)
    assert not re.search(r"^\d+(\.\d+)*[ \t]+(Chapter|\d+\.\d+ )", text, re.M)
    page = html(reader_build.build / "thesis.html")
    assert not page.select(".header-section-number")
    word = docx.Document(str(reader_build.build / "thesis.docx"))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Chapter 1: Introduction", "1.1 The Letter Books"]


def test_thesis_notes_past_one_hundred(reader_build: Run) -> None:
    pages = pdf_pages(reader_build.build / "thesis.pdf")
    numbers = note_numbers(pages)
    assert numbers == list(range(1, 148))
    # From note 100 on, the number keeps its distance from the note's text ("140. Fol. 126.").
    text = "\n".join(pages)
    assert re.search(r"^140\.\s+Fol\. 126\. Compare Prynne", text, re.M)
    assert not re.search(r"^1\d\d\.\S", text, re.M)
    footnotes = docx_part(reader_build.build / "thesis.docx", "word/footnotes.xml")
    assert footnotes.count("<w:footnote w:id=") == 147


# --- the lesson: headings from ##, code, a wide table -----------------------------------------


def test_lesson_numbered_from_its_top_level(reader_build: Run) -> None:
    text = "\n".join(pdf_pages(reader_build.build / "lesson.pdf"))
    assert re.search(r"^1\s+Lesson Goals$", text, re.M)
    assert re.search(r"^4\s+Exercises$", text, re.M)
    assert "0.1" not in text
    assert "Table 1 shows burials" in text
    # ... and set as sections: its `##` headings are the page's h2, as `#` would be.
    page = html(reader_build.build / "lesson.html")
    assert [h.get_text(" ", strip=True) for h in page.select("main h2")][:2] == [
        "1 Lesson Goals",
        "2 Reading the File",
    ]


def test_lesson_code_wrapped_with_a_mark_and_highlighted(reader_build: Run) -> None:
    text = "\n".join(pdf_pages(reader_build.build / "lesson.pdf"))
    assert "\u2192" in text  # the continuation mark
    flat = text.replace("\n", "").replace("\u2192", "").replace(" ", "")
    assert "if line.strip() and not line.startswith".replace(" ", "") in flat
    assert "--skip-comments--verbose" in flat
    assert "pdf.overflow" not in reader_build.stderr
    page = html(reader_build.build / "lesson.html")
    assert page.select("code span.kw") and "code span.kw" in page.find("style").get_text()


def test_lesson_wide_table_fits_the_measure(reader_build: Run) -> None:
    pages = pdf_pages(reader_build.build / "lesson.pdf")
    text = "\n".join(pages)
    for cell in ("Entries per page", "Lost names", "18.5", "20.4"):
        assert cell in text, cell


def test_no_warnings_but_the_raw_latex(reader_build: Run) -> None:
    warnings = [line for line in reader_build.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 1 and "[markdown.raw-tex]" in warnings[0], warnings


# --- a format that fails leaves the others written --------------------------------------------


def test_pdf_over_the_layout_limit_leaves_html_and_docx_written(tmp_path: Path) -> None:
    project = tmp_path / "long"
    (project / "manuscript").mkdir(parents=True)
    (project / "manuscript" / "metadata.yaml").write_text('title: "A Long Book"\n', "utf-8")
    words = " ".join(["The press ran all night."] * 40)
    (project / "manuscript" / "paper.md").write_text(f"# One\n\n{words}\n", "utf-8")
    env = {**os.environ, "PRESSROOM_PDF_TIMEOUT": "0.001"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--project", "long"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 1
    assert "[limit.time]" in proc.stderr and "Traceback" not in proc.stderr
    assert (project / "build" / "paper.html").is_file()
    assert (project / "build" / "paper.docx").is_file()
    assert not (project / "build" / "paper.pdf").exists()
