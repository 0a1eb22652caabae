"""What a pandoc article template brings in its front matter (a historian's template for human
rights papers, built with `pandoc --defaults`): every variable pandoc's templates read listed
with no value, the Chicago style named by its Zotero address, a source written into the
metadata itself (`references:`, with pandoc-citeproc's `{year, month}` dates), and authors
written as Markdown links to their e-mail addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pressroom.config import load_document, load_project
from pressroom.depfile import make_inputs, read_record, write_record
from pressroom.documents import Corpus
from pressroom.errors import PressroomError
from pressroom.freshness import check
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


# The template's thesis: archival sources and literature in two files, listed apart, as
# pandoc's multiple-bibliographies filter reads `bibliography_NAME` and `::: {#refs_NAME}`.
THESIS = """\
---
bibliography_sources: sources.bib
bibliography_main: references.bib
bibliography: other.yaml
---

A letter [@letter1947] and a study [@brown2016] and a note [@other2001].

# Bibliography

## Sources

::: {#refs_sources}
:::

## Literature

::: {#refs_main}
:::
"""

SOURCES = (
    "@book{letter1947,\n  author = {Cassin, René},\n  title = {Letter to the Commission},\n"
    "  year = {1947}\n}\n"
)


def _ids(div: dict[str, Any]) -> list[str]:
    return [entry["c"][0][0] for entry in div["c"][1]]


def test_several_bibliographies_each_list_their_own_file(tmp_path: Path) -> None:
    root = write(
        tmp_path / "m",
        {
            "manuscript/paper.md": THESIS,
            "manuscript/sources.bib": SOURCES,
            "manuscript/references.bib": BIB,
            "manuscript/other.yaml": "- id: other2001\n  type: book\n  title: Elsewhere\n",
        },
    )
    project = load_project(root)
    assert not [w for w in load_document(project, "paper").warnings if "bibliography_" in w.message]
    blocks = Corpus(project).cited("paper").ast["blocks"]
    divs = {b["c"][0][0]: b for b in blocks if b["t"] == "Div"}
    assert _ids(divs["refs_sources"]) == ["ref-letter1947"]
    assert _ids(divs["refs_main"]) == ["ref-brown2016"]
    assert "csl-bib-body" in divs["refs_main"]["c"][0][1]  # set as a bibliography
    assert ["custom-style", "Bibliography"] in divs["refs_main"]["c"][0][2]  # in Word too
    assert _ids(divs["refs"]) == ["ref-other2001"]  # no list of its own: where citeproc put it
    assert blocks[-1] is divs["refs"]


def test_raw_latex_with_a_raw_attribute_is_read_as_latex(tmp_path: Path) -> None:
    """```{=latex} blocks, as the template's thesis sets its pages: a page break, a list of
    figures, a line spacing; not "{=latex} \\clearpage" printed as code."""
    text = (
        "Text `\\emph{set}`{=latex} here.\n\n```{=latex}\n\\clearpage\n```\n\n"
        "~~~{=tex}\n%FIXME spacing for the appendix\n\\setstretch{1}\n~~~\n\n"
        "````markdown\n```{=latex}\n\\clearpage\n```\n````\n"
    )
    root = write(tmp_path / "r", {"manuscript/paper.md": text})
    cited = Corpus(load_project(root)).cited("paper")
    blocks = cited.ast["blocks"]
    assert [b["t"] for b in blocks] == ["Para", "Div", "CodeBlock"]
    assert blocks[0]["c"][2] == {"t": "Emph", "c": [{"t": "Str", "c": "set"}]}
    assert blocks[1]["c"][0][1] == ["page-break"]
    assert blocks[2]["c"][1] == "```{=latex}\n\\clearpage\n```"  # a code sample stays one
    assert not [w for w in cited.warnings if w.kind == "markdown.raw-tex"]


def test_a_thesis_template_department_and_pandoc_citeproc_dates(tmp_path: Path) -> None:
    """A Master's thesis template (R Markdown, CSL YAML written by pandoc-citeproc): the
    department as `institute:` text, and dates as `- literal:` or with a `season:`."""
    library = (
        "references:\n"
        "- id: interview2013\n  type: webpage\n  title: An Interview\n"
        "  author: [{family: Connor, given: Mia}]\n  issued:\n    - literal: 10-7-13\n"
        "- id: spring2009\n  type: article-journal\n  title: Humanities Now\n"
        "  author: [{family: Svensson, given: Per}]\n  issued:\n    - year: 2009\n"
        "      season: 2\n"
    )
    root = write(
        tmp_path / "u",
        {
            "manuscript/paper.md": (
                "---\nauthor: 'Petra Muster'\ninstitute: 'Historisches Seminar'\n"
                "bibliography: refs.yaml\n---\n\nText [@interview2013; @spring2009].\n"
            ),
            "manuscript/refs.yaml": library,
        },
    )
    project = load_project(root)
    (author,) = load_document(project, "paper").meta["authors"]
    assert author["affiliation"] == "Historisches Seminar"
    items = {i["id"]: i for i in load_library(project).items}
    assert items["interview2013"]["issued"] == {"literal": "10-7-13"}
    assert items["spring2009"]["issued"] == {"date-parts": [[2009]], "season": 2}


def test_a_metadata_file_added_after_a_build_makes_its_outputs_stale(tmp_path: Path) -> None:
    """A legal memo built first with the default style, then given `metadata.yaml` naming the
    author's own CSL: the build looked for that file and found none, so its appearing counts."""
    build = tmp_path / "build"
    source, metadata = tmp_path / "manuscript/paper.md", tmp_path / "manuscript/metadata.yaml"
    write(tmp_path, {"manuscript/paper.md": "The leading case is @hayes.\n"})
    output = build / "paper.html"
    write(build, {"paper.html": "out"})
    write_record(build, output, [source, metadata])
    assert check(build, output) == (True, False)
    assert make_inputs(read_record(build, output) or {}) == {source, metadata.parent}
    metadata.write_text("citation-style: allard-factum\n", "utf-8")
    assert check(build, output) == (False, False)
