"""A thesis in several files (issue 10): a folder under manuscript/ is one document, its `.md`
files joined in name order as `pandoc thesis/*.md` joins them, every problem still placed in
the file and line it came from."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pressroom.assemble import assemble
from pressroom.config import load_document, load_project
from pressroom.errors import PressroomError
from pressroom.sourcemap import SourceMap

from .conftest import Run, copy_project, run_build
from .readers import pdf_pages

CHAPTERS = ("01_introduction.md", "02_accounts.md", "03_conclusion.md")


@pytest.fixture(scope="session")
def chapters(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project("outside-chapters", tmp_path_factory.mktemp("outside-chapters"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_a_folder_is_one_document_its_files_joined_in_order(tmp_path: Path) -> None:
    project = load_project(copy_project("outside-chapters", tmp_path))
    assert project.documents == ("thesis",)
    assert [p.name for p in project.sources("thesis")] == list(CHAPTERS)
    doc = load_document(project, "thesis")
    # metadata.yml first, then each file's front matter: the last that sets a key wins.
    assert doc.meta["title"] == "Lock-Keepers of the Upper Navigation"
    assert doc.meta["authors"][0]["name"] == "Miriam Ashworth"
    assert doc.meta["date"] == "July 2025"
    assert doc.source == project.manuscript / "thesis" / CHAPTERS[0]
    reads: set[Path] = set()
    assembled = assemble(doc, project, {}, reads)
    text = assembled.markdown
    assert text.index("# Introduction") < text.index("# The Account") < text.index("# Conclusion")
    assert "\n\n# The Account Books" in text  # a blank line between files, as pandoc joins them
    folder = project.manuscript / "thesis"
    for needle, name in [
        ("@keepers1870", "02_accounts.md"),
        ("[@navigation1834]", "01_introduction.md"),
        ("[@navigation1834, 12]", "03_conclusion.md"),
    ]:
        origin = assembled.source_map.origin(_line_of(text, needle))
        own = (folder / name).read_text("utf-8")
        assert origin == ((folder / name).resolve(), _line_of(own, needle)), needle
    # Every file is an input of the document, its own metadata file too.
    assert {folder / n for n in (*CHAPTERS, "metadata.yml")} <= {p for p in assembled.inputs}


def test_joined_without_templating_maps_every_line() -> None:
    a, b = Path("/m/t/a.md"), Path("/m/t/b.md")
    text, source_map = SourceMap.joined(((a, "\n\none\ntwo\n"), (b, "three")), a)
    assert text == "\n\none\ntwo\n\n\nthree"
    assert source_map.origin(_line_of(text, "two")) == (a, 4)
    assert source_map.origin(_line_of(text, "three")) == (b, 1)
    assert source_map.origin(6) == (a, 5)  # the blank line between: the file before


def test_a_file_and_a_folder_of_one_name_is_an_error(tmp_path: Path) -> None:
    project = copy_project("outside-chapters", tmp_path)
    (project / "manuscript" / "thesis.md").write_text("# Also a thesis\n", "utf-8")
    with pytest.raises(PressroomError, match=r"both thesis\.md and the folder thesis/"):
        load_project(project)


def test_partials_stay_includes(tmp_path: Path) -> None:
    project = copy_project("outside-chapters", tmp_path)
    (project / "manuscript" / "partials").mkdir()
    (project / "manuscript" / "partials" / "note.md").write_text("A note.\n", "utf-8")
    assert load_project(project).documents == ("thesis",)


def test_problems_are_placed_in_their_own_file(tmp_path: Path) -> None:
    project = copy_project("outside-chapters", tmp_path)
    last = project / "manuscript" / "thesis" / CHAPTERS[2]
    last.write_text(last.read_text("utf-8") + "\nAs Pennock wrote.[@pennock1861]\n", "utf-8")
    run = run_build(project, "build", "thesis.html")
    assert run.code == 1
    line = _line_of(last.read_text("utf-8"), "@pennock1861")
    where = f"manuscript/thesis/{CHAPTERS[2]}:{line}: error:"
    assert where in run.stderr and "pennock1861" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_references_cross_files_in_every_output(chapters: Run) -> None:
    text = " ".join(" ".join(pdf_pages(chapters.build / "thesis.pdf")).split())
    assert "Chapter 2 sets out the books" in text and "gathered in table 1" in text
    assert "As the introduction (section 1) said" in text
    # The notes run on across files, 1 to 3, and the bibliography holds both sources.
    assert "1. Josiah Hebden, Report on the Upper Navigation" in text
    assert "3. Hebden, Report on the Upper Navigation, 12." in text
    assert "Oldroyd, Martha. The Keepers’ Returns" in text
    html = (chapters.build / "thesis.html").read_text("utf-8")
    assert re.search(r'href="#sec:accounts"', html) and 'id="sec:accounts"' in html
    assert (chapters.build / "thesis.docx").is_file()


def test_every_file_is_an_input_of_each_output(chapters: Run) -> None:
    for fmt in ("html", "docx", "pdf"):
        record = json.loads((chapters.build / ".deps" / f"thesis.{fmt}.json").read_text("utf-8"))
        for name in (*CHAPTERS, "metadata.yml", "locks.bib"):
            assert f"manuscript/thesis/{name}" in record, (fmt, name)


def test_a_warning_of_several_lines_names_its_file_and_first_line(chapters: Run) -> None:
    own = (chapters.project / "manuscript" / "thesis" / CHAPTERS[1]).read_text("utf-8")
    line = _line_of(own, r"\begin{tabbing}")
    where = f"manuscript/thesis/{CHAPTERS[1]}:{line}: warning: raw LaTeX '"
    assert where + r"\begin{tabbing}" in chapters.stderr, chapters.stderr


def test_pandoc_crossref_captions_of_a_thesis(chapters: Run) -> None:
    """phd_thesis_markdown's: a `: Caption {#lst:x}` paragraph after a code block without an
    id (codeBlockCaptions), a table named by an empty span in its caption."""
    text = " ".join(" ".join(pdf_pages(chapters.build / "thesis.pdf")).split())
    assert "is listing 1; its totals are in table 2." in text
    assert "Listing 1. Totalling the tolls" in text
    assert "Table 2. Boats at both locks." in text and "{#lst" not in text


def test_images_from_the_chapter_folder_or_from_manuscript(chapters: Run) -> None:
    """`figures/lock.png` from the chapters' folder; `thesis/figures/lock.png` as a thesis
    built by `pandoc thesis/*.md` from the folder above writes it, from manuscript/."""
    html = (chapters.build / "thesis.html").read_text("utf-8")
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', html)) == 2
    text = " ".join(" ".join(pdf_pages(chapters.build / "thesis.pdf")).split())
    assert "Figure 1. The lock at Weir End" in text
    assert "Figure 2. Millbank lock, drawn as Weir End in figure 1." in text
