"""make's stamp has one owner (stamp.py, called by the pipeline): only a build of everything with
the default settings sets it, whichever command ran the build."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import copy_project, run_build
from .test_incremental import make

A4_WIDTH, LETTER_WIDTH = 595, 612  # points


def width(pdf: Path) -> int:
    return round(float(PdfReader(pdf).pages[0].mediabox.width))


@pytest.mark.slow
def test_letter_submission_then_make_goes_back_to_a4(tmp_path: Path) -> None:
    """`make`, then `--paper letter submission`, then `make`: the paper is A4 again."""
    project = copy_project("incremental", tmp_path)
    assert make(project).returncode == 0
    paper = project / "build" / "paper.pdf"
    assert width(paper) == A4_WIDTH
    stamp = (project / "build" / ".deps" / "built").stat().st_mtime_ns
    letter = run_build(project, "--paper", "letter", "submission")
    assert letter.code == 0, letter.stderr
    assert width(paper) == LETTER_WIDTH
    assert (project / "build" / ".deps" / "built").stat().st_mtime_ns == stamp
    again = make(project)
    assert again.returncode == 0, again.stderr
    assert "build/paper.pdf (" in again.stderr
    assert width(paper) == A4_WIDTH


def test_a_partial_build_sets_no_stamp(tmp_path: Path) -> None:
    """`build paper` leaves the stamp alone; a full build sets it."""
    project = copy_project("incremental", tmp_path)
    stamp = project / "build" / ".deps" / "built"
    assert run_build(project, "build", "abstract").code == 0
    assert not stamp.exists()
    assert run_build(project).code == 0
    assert stamp.exists()
