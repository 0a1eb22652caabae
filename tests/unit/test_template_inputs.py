"""What a pandoc article template brings in its front matter (a historian's template for human
rights papers, built with `pandoc --defaults`): every variable pandoc's templates read listed
with no value, the Chicago style named by its Zotero address, a source written into the
metadata itself (`references:`, with pandoc-citeproc's `{year, month}` dates), and authors
written as Markdown links to their e-mail addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.config import load_document, load_project
from pressroom.documents import Corpus
from pressroom.errors import PressroomError
from pressroom.references import load_library
from pressroom.render.page import page_context
from pressroom.styles import resolve_style

from .conftest import write

FRONT = """\
---
title: 'Declarations'
author:
  - '[Ada Marsh](ada.marsh@example.org)'
  - '[Ben Okoro](https://example.org/okoro)'
bibliography: refs.bib
csl: https://www.zotero.org/styles/chicago-note-bibliography
references:
  - id: assembly1948
    author:
      - literal: General Assembly
    issued:
      - year: 1948
        month: 12
    title: A Declaration of Rights
    type: book
  - id: range1950
    title: Two Years
    type: book
    issued:
      - year: 1950
      - year: 1951
keywords: # listed in the template, left empty
fontsize:
linestretch:
papersize:
geometry:
---

The text [@assembly1948; @brown2016]. Then [@range1950].
"""

BIB = (
    "@book{brown2016,\n  title = {A Living Document},\n  editor = {Brown, Gordon},\n"
    "  year = {2016}\n}\n"
)


def _project(tmp_path: Path, front: str = FRONT) -> Path:
    return write(tmp_path / "t", {"manuscript/paper.md": front, "manuscript/refs.bib": BIB})


def test_variables_left_empty_set_nothing(tmp_path: Path) -> None:
    doc = load_document(load_project(_project(tmp_path)), "paper")
    assert not {"keywords", "fontsize", "linestretch", "papersize", "geometry"} & set(doc.meta)
    assert not [w for w in doc.warnings if "geometry" in w.message]


def test_a_style_named_by_its_address_is_the_installed_style(tmp_path: Path) -> None:
    """Never fetched: a build opens no connection."""
    project = load_project(_project(tmp_path))
    assert resolve_style(project).name == "chicago-shortened-notes-bibliography.csl"


def test_an_address_of_a_style_not_installed_says_where_to_save_it(tmp_path: Path) -> None:
    front = FRONT.replace("chicago-note-bibliography", "no-such-style-anywhere")
    with pytest.raises(PressroomError) as caught:
        resolve_style(load_project(_project(tmp_path, front)))
    assert caught.value.kind == "style.remote"
    assert "references/styles/no-such-style-anywhere.csl" in caught.value.message
    assert caught.value.line == 7


def test_references_in_the_front_matter_are_part_of_the_library(tmp_path: Path) -> None:
    root = _project(tmp_path)
    library = load_library(load_project(root))
    assert library.ids == {"assembly1948", "range1950", "brown2016"}
    items = {i["id"]: i for i in library.items}
    assert items["assembly1948"]["issued"] == {"date-parts": [[1948, 12]]}
    assert items["range1950"]["issued"] == {"date-parts": [[1950], [1951]]}
    assert library.places["assembly1948"] == (root / "manuscript/paper.md", 9)
    notes = Corpus(load_project(root)).cited("paper").ast
    assert "Assembly" in str(notes) and "Living" in str(notes)


def test_a_bad_date_in_the_front_matter_library_is_located(tmp_path: Path) -> None:
    front = FRONT.replace("        month: 12", "        month: 13")
    library = load_library(load_project(_project(tmp_path, front)))
    (problem,) = library.problems_of("assembly1948")
    assert (problem.kind, problem.line) == ("reference.date", 12)  # its `issued:`


def test_an_author_written_as_a_link_is_a_name_with_an_address(tmp_path: Path) -> None:
    doc = load_document(load_project(_project(tmp_path)), "paper")
    first, second = doc.meta["authors"]
    assert (first["name"], first["email"]) == ("Ada Marsh", "ada.marsh@example.org")
    assert second["name"] == "Ben Okoro" and not second.get("email")
    assert page_context(doc)["running_author"] == "Marsh and Okoro"
