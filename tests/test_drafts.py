"""Draft markers ([text]{.todo}): highlighted in every format of a normal build, listed by
`check` with their lines, refused by `submission`; and unsigned press items cited in notes only."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from .conftest import Run, copy_project, run_build
from .readers import docx_footnotes


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = copy_project("draft", tmp_path_factory.mktemp("draft"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


def test_markers_are_highlighted_in_every_format(draft: Run) -> None:
    soup = BeautifulSoup((draft.build / "paper.html").read_text("utf-8"), "html.parser")
    marked = [s.get_text() for s in soup.select("span.todo")]
    assert marked == ["Check the day of signing", "to be confirmed"]
    assert re.search(r"\.todo\s*\{[^}]*background", soup.style.get_text())
    with zipfile.ZipFile(draft.build / "paper.docx") as z:
        styled = [
            re.findall(rb'<w:rStyle w:val="DraftMarker"', z.read(part))
            for part in ("word/document.xml", "word/footnotes.xml")
        ]
        assert [len(s) for s in styled] == [1, 1]
        assert b'w:styleId="DraftMarker"' in z.read("word/styles.xml")
    # The PDF paints the highlight (#fff1a8) behind the marked words.
    page = PdfReader(draft.build / "paper.pdf").pages[0]
    drawing = page.get_contents().get_data().decode("latin-1")
    assert re.search(r"\b1 0?\.94\d* 0?\.65\d* rg", drawing), "the highlight's fill colour"


def test_check_lists_each_marker_at_its_line(draft: Run) -> None:
    run = run_build(draft.project, "check")
    assert run.code == 0, run.stderr
    assert (
        'manuscript/paper.md:3: warning: draft marker: "Check the day of signing" [draft.todo]'
        in run.stderr
    )
    assert (
        'manuscript/paper.md:8: warning: draft marker: "to be confirmed" [draft.todo]' in run.stderr
    )
    assert "draft markers: 2" in run.stderr


def test_submission_refuses_a_paper_with_markers(draft: Run) -> None:
    run = run_build(draft.project, "submission")
    assert run.code == 1
    errors = [line for line in run.stderr.splitlines() if ": error: " in line]
    left = "error: draft marker left in the text:"
    assert errors == [
        f'draft/manuscript/paper.md:3: {left} "Check the day of signing" [draft.todo]',
        f'draft/manuscript/paper.md:8: {left} "to be confirmed" [draft.todo]',
    ]
    assert "Traceback" not in run.stderr
    assert not (draft.build / "submission").exists()


def test_unsigned_press_is_cited_in_notes_only(draft: Run) -> None:
    notes = docx_footnotes(draft.build / "paper.docx")
    assert any("Daily Example, July 7, 1987, 16." in n for n in notes)
    soup = BeautifulSoup((draft.build / "paper.html").read_text("utf-8"), "html.parser")
    entries = [e.get_text(" ", strip=True) for e in soup.select("#refs .csl-entry")]
    assert len(entries) == 1 and entries[0].startswith("Mutual Defense Assistance Agreement")
    assert not soup.select('a[href="#ref-news1987"]'), "no link to an entry that is not there"


def test_a_paper_without_markers_is_submitted(tmp_path: Path) -> None:
    project = copy_project("draft", tmp_path)
    paper = project / "manuscript" / "paper.md"
    paper.write_text(re.sub(r"\[([^\]]*)\]\{\.todo\}", r"\1", paper.read_text("utf-8")), "utf-8")
    run = run_build(project, "submission")
    assert run.code == 0, run.stderr
    assert (project / "build" / "submission" / "paper.docx").is_file()
