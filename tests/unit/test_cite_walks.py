"""The cite step's walks that are made only when they can change something (cite._filters,
crossref.lua's survey, rawtex.lua's blank paragraphs): each still does its work where the
syntax it acts on is present, and a document without that syntax comes out as it would have."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pressroom import pandoc, tree
from pressroom.cite import CROSSREF, RAWTEX, _citeproc, _filters
from pressroom.styles import package_styles


def cited(markdown: str, *filters: str) -> dict[str, Any]:
    """The JSON AST of `markdown` through the cite step's filters (rawtex.lua, crossref.lua)."""
    args = ["-f", "markdown-raw_attribute", "-t", "json"]
    for f in filters or (str(RAWTEX), str(CROSSREF)):
        args += ["--lua-filter", f]
    out, _ = pandoc.run(args, markdown.encode("utf-8"))
    ast: dict[str, Any] = json.loads(out)
    return ast


def kinds(ast: dict[str, Any]) -> list[str]:
    found: list[str] = []
    tree.walk(ast["blocks"], lambda n: found.append(n["t"]) and None)
    return found


def test_rawtex_runs_only_where_a_backslash_stands() -> None:
    assert str(RAWTEX) not in _filters("No LaTeX here, only @smith2020.\n", {"lang": "en-US"})
    assert str(RAWTEX) in _filters("A \\emph{word}.\n", {})
    # pandoc reads the metadata it is given as Markdown too
    assert str(RAWTEX) in _filters("Plain.\n", {"reference-section-title": "\\emph{Works}"})
    assert _filters("Plain.\n", {})[-1] == str(CROSSREF)


def test_a_paragraph_of_spacing_commands_alone_still_goes() -> None:
    ast = cited("Before.\n\n \\hfill \\vspace{1em}\n\nText^[ \\vspace{2mm}]\n\nAfter.\n")
    assert tree.text(ast["blocks"]) == "Before.\nText\nAfter."
    assert "RawInline" not in kinds(ast)
    note = next(tree.nodes(ast["blocks"], "Note"))
    assert note["c"] == [], "the note's only paragraph held a spacing command: it goes"


def test_a_document_without_cross_references_keeps_its_citations() -> None:
    markdown = "# Sources\n\nAs @smith2020 says [see @jones2019, 4].\n\n    code, not a listing\n"
    ast = cited(markdown)
    cites = [c["c"][0][0]["citationId"] for c in tree.nodes(ast["blocks"], "Cite")]
    assert cites == ["smith2020", "jones2019"]
    assert "Link" not in kinds(ast)
    assert tree.text(ast["blocks"]).startswith("1 Sources\nAs @smith2020 says")


def test_references_inside_notes_tables_and_captions_are_resolved() -> None:
    markdown = (
        "# Data {#sec-data}\n\n![A mill.](mill.png){#fig-mill}\n\n"
        "| a | b |\n|---|---|\n| @fig-mill | 2 |\n\n: Counts, after @sec-data. {#tbl-counts}\n\n"
        "Text.^[As @tbl-counts shows, and @smith2020.]\n"
    )
    ast = cited(markdown)
    text = tree.text(ast["blocks"])
    assert "\nFigure 1\n2\n" in text and "Table 1. Counts, after section 1." in text
    note = next(tree.nodes(ast["blocks"], "Note"))
    assert tree.text(note["c"]).startswith("As table 1 shows, and @smith2020")
    assert [c["c"][0][0]["citationId"] for c in tree.nodes(note, "Cite")] == ["smith2020"]


def test_a_listing_among_plain_code_blocks_is_numbered() -> None:
    markdown = (
        "```\nplain\n```\n\nListing: The loop.\n\n```{#lst-loop .python}\nfor x in y: pass\n```\n\n"
        "See @lst-loop.\n"
    )
    text = tree.text(cited(markdown)["blocks"])
    assert "Listing 1. The loop." in text and "See listing 1." in text


def test_display_math_is_numbered_and_unlabelled_math_loses_its_environment() -> None:
    markdown = (
        "$$ a = b $$ {#eq-one}\n\n$$\\begin{equation} c = d \\end{equation}$$\n\nBy @eq-one.\n"
    )
    ast = cited(markdown)
    maths = [m["c"][1].strip() for m in tree.nodes(ast["blocks"], "Math")]
    assert maths == ["a = b", "c = d"]
    assert "By equation 1." in tree.text(ast["blocks"])


def test_a_table_named_by_an_empty_span_takes_its_id() -> None:
    markdown = "| a |\n|---|\n| 1 |\n\n: Counts []{#tbl:counts}\n\nIn @tbl:counts.\n"
    ast = cited(markdown, str(CROSSREF))
    table = next(tree.nodes(ast["blocks"], "Table"))
    assert table["c"][0][0] == "tbl:counts"
    assert "In table 1." in tree.text(ast["blocks"])


def test_a_reference_in_a_notes_definition_term_is_resolved_as_before() -> None:
    """A term of a definition list in a note is reached only through the paragraph that holds
    the note (whose text, without the note, has no '@'); a line block's lines never were."""
    markdown = (
        "# Data {#sec-data}\n\nText.[^1] And a line block:\n\n| See @sec-data.\n\n"
        "[^1]: Terms.\n\n    @sec-data\n    :   its definition.\n"
    )
    ast = cited(markdown, str(CROSSREF))
    note = next(tree.nodes(ast["blocks"], "Note"))
    term = next(tree.nodes(note["c"], "DefinitionList"))["c"][0][0]
    assert tree.text(term) == "Section 1" and term[0]["t"] == "Link"
    line_block = next(tree.nodes(ast["blocks"], "LineBlock"))
    assert tree.text(line_block) == "See @sec-data."


def test_citeproc_runs_only_for_a_document_that_can_cite(tmp_path: Path) -> None:
    """A document without an '@' cites nothing: citeproc is left out, and its output is the one
    citeproc would have given (a bibliography div, notes, the bibliography's title)."""
    library = tmp_path / "library.json"
    library.write_text('[{"id": "smith2020", "type": "book", "title": "Mills"}]')
    styles = package_styles()
    assert styles is not None
    args = pandoc.citeproc_args(styles / "chicago-notes-bibliography.csl", library)
    assert _citeproc("As @smith2020 says.\n", {}, args) == args
    assert _citeproc("No citation.\n", {"nocite": "@*"}, args) == args
    kept = _citeproc("No citation.\n", {"lang": "en-US"}, args)
    assert "--citeproc" not in kept and [a for a in args if a != "--citeproc"] == kept
    markdown = (
        "---\nreference-section-title: Works Cited\n---\n\n# Notes on mills\n\n"
        "He said \"it's 'x'.\" Text.^[A note.] More[^a].\n\n[^a]: B.\n\n::: {#refs}\n:::\n"
    )
    reader = ["-f", "markdown-raw_attribute", "-t", "json", "--lua-filter", str(CROSSREF)]
    with_citeproc, _ = pandoc.run([*reader, *args], markdown.encode("utf-8"))
    without, _ = pandoc.run([*reader, *kept], markdown.encode("utf-8"))
    assert with_citeproc == without


def test_every_way_of_writing_a_key_is_found_after_its_at_sign() -> None:
    """A paragraph is walked for references when a key that resolves follows one of its '@'s:
    after another key with no space, in braces, with a capital, as a section's own id."""
    markdown = (
        "# Data\n\n![A mill.](mill.png){#fig-mill}\n\n"
        "See [@smith2020;@fig-mill], @{fig-mill}, @Fig-mill and @sec:data.\n"
    )
    ast = cited(markdown, str(CROSSREF))
    para = ast["blocks"][-1]
    links = [tree.text(n["c"][1]) for n in tree.nodes(para, "Link")]
    assert links == ["figure 1", "figure 1", "Figure 1", "section 1"]
    assert [c["c"][0][0]["citationId"] for c in tree.nodes(para, "Cite")] == ["smith2020"]
