"""A numbered table split across pages says so on its later parts, "Table 1 (continued)" above
its repeated header, and nowhere else: not on its first part, not on a table that fits one page,
not in the HTML or the DOCX (pressroom/weasy_tables.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pressroom import weasy_tables
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.render import pdf

from .conftest import Run, run_build
from .readers import pdf_pages

ROWS = "\n".join(
    f"| {1950 + i} | Event {i} of a long chronology, with words enough to fill a line. |"
    for i in range(70)
)
PAPER = f"""---
title: Tables
author: A. Writer
---

# Chronology

The long table runs over a page.[^1]

[^1]: A note on the first page.

| Year | Event |
|:-----|:--------------------------|
{ROWS}

: A long chronology {{#tbl:long}}

A short one follows (@tbl:short).

| Party | Seats |
|:------|------:|
| A     | 120   |
| B     | 80    |

: Seats {{#tbl:short}}
"""


def write_project(root: Path, css: str | None = None) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "paper.md").write_text(PAPER, "utf-8")
    if css is not None:
        (root / "templates").mkdir()
        (root / "templates" / "print.css").write_text(css, "utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_build(write_project(tmp_path_factory.mktemp("tables") / "tables"))
    assert run.code == 0, run.stderr
    return run


def test_a_split_table_says_continued_above_its_repeated_header(built: Run) -> None:
    pages = pdf_pages(built.build / "paper.pdf")
    assert len(pages) >= 2
    first, second = pages[0], pages[1]
    assert "Table 1. A long chronology" in first and "(continued)" not in first
    assert first.count("Year") == 1 and second.count("Year") == 1  # the header, repeated
    lines = [line.strip() for line in second.splitlines() if line.strip()]
    label = next(k for k, line in enumerate(lines) if "(continued)" in line)
    assert lines[label].endswith("Table 1 (continued)")
    assert lines[label + 1].startswith("Year")
    assert "".join(pages).count("(continued)") == 1, "the short table and the first part: none"


def test_the_label_is_print_only(built: Run) -> None:
    assert "(continued)" not in (built.build / "paper.html").read_text("utf-8")
    with zipfile.ZipFile(built.build / "paper.docx") as docx:
        assert "(continued)" not in docx.read("word/document.xml").decode("utf-8")


def test_label_rows_span_the_header_and_skip_unnumbered_tables() -> None:
    numbered = (
        '<table class="wide"><caption><span class="table-number">Table 2.</span> Votes</caption>'
        '<thead><tr class="header"><th colspan="2">Party</th><th>Seats</th></tr></thead>'
        "<tbody><tr><td>A</td><td>x</td><td>1</td></tr></tbody></table>"
    )
    out = weasy_tables.label_rows(numbered)
    assert '<table class="continued-label wide">' in out
    assert (
        '<thead><tr class="table-continued"><th colspan="3"><span class="table-number">'
        'Table 2</span> (continued)</th></tr><tr class="header">'
    ) in out
    plain = "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    headless = '<table><caption><span class="table-number">Table 3.</span></caption></table>'
    assert weasy_tables.label_rows(plain + headless) == plain + headless


def test_collapsed_borders_get_no_label(tmp_path: Path) -> None:
    """WeasyPrint draws collapsed borders from a grid of all the rows: a stylesheet that
    collapses them gets no label row at all (and so no row left out of a first part)."""
    css = "table { border-collapse: collapse; }"
    project = load_project(write_project(tmp_path / "collapsed", css))
    doc = Corpus(project).cited("paper").doc
    assert not pdf._labels_continued_tables(doc, project)
    plain = load_project(write_project(tmp_path / "separate"))
    assert pdf._labels_continued_tables(Corpus(plain).cited("paper").doc, plain)
