"""Line breaking of the default paper as a copy editor measures it (tests/typography.py),
on the PDFs of the session's one build of the default project."""

from __future__ import annotations

import pytest

from tests.conftest import Run
from tests.typography import Report, measure


@pytest.fixture(scope="module")
def paper(default_build: Run) -> Report:
    return measure(default_build.build / "paper.pdf")


def test_few_body_lines_are_hyphenated(paper: Report) -> None:
    # First fit set 22% (109 of 490 lines); LaTeX sets 6% of the same text.
    assert paper.body.lines > 400
    assert paper.body.hyphen_share <= 0.08, paper.body.hyphenated


def test_no_ladder_of_three_hyphens(paper: Report) -> None:
    assert paper.body.ladders3 == 0, paper.body.samples.get("ladder")
    assert paper.notes.ladders3 == 0, paper.notes.samples.get("ladder")


def test_no_word_divided_across_a_page(paper: Report) -> None:
    # First fit divided 4 (one just above the notes).
    assert paper.page_turns == []


def test_few_loose_lines(paper: Report) -> None:
    loose = paper.body.loose + paper.notes.loose
    assert loose <= 3, paper.body.samples.get("loose", []) + paper.notes.samples.get("loose", [])


def test_no_half_word_line_and_no_note_call_at_a_line_start(paper: Report) -> None:
    assert paper.body.half_words == paper.notes.half_words == 0
    assert paper.body.calls_at_start == 0, paper.body.samples.get("call")


def test_the_appendix_is_set_as_well(default_build: Run) -> None:
    appendix = measure(default_build.build / "appendix.pdf")
    assert appendix.body.hyphen_share <= 0.08
    assert appendix.body.ladders3 == 0 and appendix.page_turns == []
