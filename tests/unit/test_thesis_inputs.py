"""What a history dissertation kept as one pandoc file per chapter brings (built with `pandoc
ch1.diss.md -o ch1.diss.md.pdf`): a title block indented with a tab, a title written as
pandoc's line block, file names with dots, and a chapter whose photographs make a page of
more than 20 million characters; and a Quarto paper's index.qmd copied in as it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from pressroom import quarto, targets
from pressroom.config import load_document, load_project, split_front_matter
from pressroom.documents import Corpus
from pressroom.errors import PressroomError
from pressroom.quarto import for_format
from pressroom.render.docx import with_docx_meta
from pressroom.render.page import page_context
from pressroom.templating import MAX_OUTPUT, Loader, page_environment, render

from .conftest import write

# pandoc expands each tab to its tab stop (4) before it reads the front matter: the third title
# line, indented by a tab where the others have four spaces, is one more line of the block.
CHAPTER = (
    "---\nauthor:\n- 'Ada Marsh'\ntitle: |\n    | Chapter 4\n\t| A Place for Orchards\n"
    "\t| The Politics of the Valley\n...\n\nThe valley filled.^[A note.]\n"
)


def _thesis(tmp_path: Path) -> Path:
    return write(
        tmp_path / "thesis",
        {
            "manuscript/ch4.diss.Marsh.md": CHAPTER,
            "manuscript/intro.diss.Marsh.md": "---\ntitle: Introduction\n...\n\nIt begins.\n",
        },
    )


def test_a_front_matter_indented_with_tabs_reads_as_pandoc_reads_it(tmp_path: Path) -> None:
    front, body = split_front_matter(CHAPTER, tmp_path / "ch4.md")
    assert front["title"] == (
        "| Chapter 4\n| A Place for Orchards\n| The Politics of the Valley"
    )
    assert front["author"] == ["Ada Marsh"]
    assert body.count("\n") == CHAPTER.count("\n")  # lines kept for the source map


def test_a_title_written_as_a_line_block_is_set_as_its_lines(tmp_path: Path) -> None:
    root = _thesis(tmp_path)
    (root / "manuscript/ch4.diss.Marsh.md").write_text(CHAPTER.expandtabs(4), "utf-8")
    project = load_project(root)
    doc = load_document(project, "ch4.diss.Marsh")
    context = page_context(doc)
    assert str(context["heading"]) == (
        "Chapter 4<br />\nA Place for Orchards<br />\nThe Politics of the Valley"
    )
    # one line wherever markup cannot go: <title>, the running head, the PDF's metadata
    assert context["title"] == "Chapter 4 A Place for Orchards The Politics of the Valley"
    assert context["running_title"] == context["title"]
    title = with_docx_meta({"blocks": [], "meta": {}}, doc.meta)["meta"]["title"]
    assert title["t"] == "MetaInlines"
    assert [i["t"] for i in title["c"]].count("LineBreak") == 2
    assert "|" not in str(title)


def test_a_title_that_is_no_line_block_is_left_as_written(tmp_path: Path) -> None:
    root = _thesis(tmp_path)
    (root / "manuscript/intro.diss.Marsh.md").write_text(
        "---\ntitle: 'Orchards | Chips'\n...\n\nIt begins.\n", "utf-8"
    )
    doc = load_document(load_project(root), "intro.diss.Marsh")
    assert page_context(doc)["title"] == "Orchards | Chips"


def test_a_document_whose_name_has_dots_is_a_target(tmp_path: Path) -> None:
    project = load_project(_thesis(tmp_path))
    assert targets.select(project, ["ch4.diss.Marsh"]) == {
        "ch4.diss.Marsh.html",
        "ch4.diss.Marsh.docx",
        "ch4.diss.Marsh.pdf",
    }
    assert targets.select(project, ["build/ch4.diss.Marsh.pdf"]) == {"ch4.diss.Marsh.pdf"}
    assert targets.select(project, ["intro.diss.Marsh.docx"]) == {"intro.diss.Marsh.docx"}


def test_a_page_larger_than_the_template_cap_is_written_whole(tmp_path: Path) -> None:
    """The cap stops a template that writes without end, not a page of large images."""
    write(tmp_path, {"page.html.j2": "<main>{{ body }}</main>\n"})
    env = page_environment(Loader([tmp_path], set()))
    body = Markup("<img src='data:image/png;base64," + "A" * MAX_OUTPUT + "'>")
    html = render(env.get_template("page.html.j2"), {"body": body}, tmp_path / "page.html.j2")
    assert len(html) == len(body) + len("<main></main>\n")


def test_a_quarto_file_alone_is_an_error_that_says_to_rename_it(tmp_path: Path) -> None:
    """Not a build that makes nothing and reports everything up to date."""
    root = write(tmp_path / "q", {"manuscript/index.qmd": "---\ntitle: A\n---\n\nText.\n"})
    with pytest.raises(PressroomError) as caught:
        load_project(root)
    assert caught.value.kind == "config.no-documents"
    assert caught.value.path == root / "manuscript/index.qmd"
    assert "rename it index.md" in caught.value.message


def test_a_manuscript_folder_without_documents_is_an_error(tmp_path: Path) -> None:
    root = write(tmp_path / "e", {"manuscript/partials/a.md": "Text.\n"})
    with pytest.raises(PressroomError) as caught:
        load_project(root)
    assert (caught.value.kind, caught.value.path) == ("config.no-documents", root / "manuscript")


LIBRARY = (
    "- id: doe2000\n  type: book\n  title: A Valley Book\n  author: [{family: Doe, given: Jo}]\n"
)


def _cited(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    root = write(
        tmp_path / "c",
        {"manuscript/paper.md": text, "references/library.yaml": LIBRARY},
    )
    blocks: list[dict[str, Any]] = Corpus(load_project(root)).cited("paper").ast["blocks"]
    return blocks


def _nodes(node: Any) -> list[dict[str, Any]]:
    """Every element of a piece of pandoc's AST, in document order."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        node = node.get("c")
    if isinstance(node, list):
        for child in node:
            found += _nodes(child)
    return found


def _text(node: Any) -> str:
    return "".join(n["c"] for n in _nodes(node) if n.get("t") == "Str")


def test_an_epigraph_environment_is_a_block_quotation_with_its_source(tmp_path: Path) -> None:
    """`\\begin{aquote}{Who}` (a thesis class's own epigraph) was printed as LaTeX source."""
    blocks = _cited(
        tmp_path,
        "\\begin{aquote}{Yi--Fu Tuan, \\textit{Space}}\n"
        "A geographer speaks.\\footnote{Tuan, \\textit{Space and Place}, 200.}\n"
        "\\end{aquote}\n\nThe valley [@doe2000].\n",
    )
    quote = blocks[0]
    assert quote["t"] == "BlockQuote"
    first, source = quote["c"]
    assert [n["t"] for n in first["c"]][-1] == "Note"
    assert _text(source) == "\u2014Yi\u2013Fu" + "Tuan,Space"  # a dash, then the source
    assert any(n.get("t") == "Emph" for n in _nodes(source))
    assert "aquote" not in json.dumps(blocks)


@pytest.mark.parametrize("own", ["", "# Bibliography\n\n::: {#refs}\n:::\n\n"])
def test_printbibliography_is_where_the_bibliography_goes(tmp_path: Path, own: str) -> None:
    """biblatex's command, kept by a Quarto paper for its LaTeX output: not printed as text;
    the bibliography stands there, or at the author's own `::: {#refs}`, once."""
    blocks = _cited(
        tmp_path,
        f"The valley [@doe2000].\n\n{own}\\printbibliography\n\n\\appendix\n\n"
        "# Appendix\n\nTables.\n",
    )
    refs = [b for b in blocks if b["t"] == "Div" and b["c"][0][0] == "refs"]
    assert len(refs) == 1 and "AValleyBook" in _text(refs[0])
    appendix = next(b for b in blocks if b["t"] == "Header" and _text(b).endswith("Appendix"))
    assert blocks.index(refs[0]) < blocks.index(appendix)
    assert "printbibliography" not in json.dumps(blocks) and "appendix" not in _text(blocks)


def test_tex_skips_are_left_to_the_page(tmp_path: Path) -> None:
    """A dissertation's bibliography spaces its groups with TeX's `\\vskip 0.75in`."""
    blocks = _cited(tmp_path, "Archives.\n\n\\vskip 0.75in\n\nBooks.\\hskip 1em And more.\n")
    assert [_text(b) for b in blocks] == ["Archives.", "Books.Andmore."]


def test_quarto_page_break_is_a_page_break_and_other_shortcodes_say_what_to_write(
    tmp_path: Path,
) -> None:
    """A Quarto paper copied in as paper.md: Jinja would stop at '{{<' with "unexpected '<'"."""
    blocks = _cited(tmp_path, "Text.\n\n{{< pagebreak >}}\n\nMore `{{< pagebreak >}}`.\n")
    assert blocks[1]["t"] == "Div" and blocks[1]["c"][0][1] == ["page-break"]
    assert "{{< pagebreak >}}" in json.dumps(blocks[2])  # code stays as written
    with pytest.raises(PressroomError) as caught:
        _cited(tmp_path / "i", "Text.\n\n{{< include _part.qmd >}}\n")
    assert (caught.value.kind, caught.value.line) == ("jinja.quarto", 3)
    assert '{% include "partials/part.md" %}' in caught.value.message


# A Quarto paper's conditional blocks (its bibliography placed in the HTML-only one, as the
# CHR 2025 paper does, beside `\printbibliography` for LaTeX).
CONDITIONAL = """\
Shared [@doe2000].

::: {.content-visible when-format="html"}
Only on the web.
:::

::: {.content-hidden when-format="docx"}
Not in Word.
:::

::: {.content-visible unless-format="html"}
Not on the web.
:::

:::: {.content-visible when-format="html"}
::: {#refs}
:::
::::

::: {.content-visible when-format="latex"}
\\printbibliography
:::
"""


def test_quarto_conditional_blocks_are_for_their_formats(tmp_path: Path) -> None:
    blocks = _cited(tmp_path, CONDITIONAL)
    docx = for_format({"blocks": blocks}, "docx")["blocks"]
    texts = [_text(b) for b in docx]
    assert "Notontheweb." in texts and "Onlyontheweb." not in texts and "NotinWord." not in texts
    shown = {fmt: [_text(b) for b in blocks if quarto.shown(b, fmt)] for fmt in ("html", "pdf")}
    assert "Onlyontheweb." in shown["html"] and "Notontheweb." not in shown["html"]
    assert "Notontheweb." in shown["pdf"] and "Onlyontheweb." not in shown["pdf"]
    # the bibliography in every format, once
    refs = [b for b in _nodes(blocks) if b.get("t") == "Div" and b["c"][0][0] == "refs"]
    assert len(refs) == 1 and "AValleyBook" in _text(refs[0])
    holder = next(b for b in blocks if refs[0] in _nodes(b))
    assert all(quarto.shown(holder, fmt) for fmt in quarto.ANSWERS)


def test_the_pages_stylesheets_hide_what_is_for_other_formats() -> None:
    """The web and print pages share one AST; their stylesheets decide (as pandoc writes a
    div's attributes: data-when-format)."""
    from weasyprint import CSS, HTML

    html = (
        '<main><div class="content-visible" data-when-format="html"><p>web</p></div>'
        '<div class="content-visible" data-when-format="pdf"><p>print</p></div>'
        '<div class="content-hidden" data-when-format="latex"><p>not latex</p></div>'
        '<div class="content-visible" data-unless-format="html"><p>not web</p></div></main>'
    )
    templates = Path(quarto.__file__).parent / "templates"
    for sheet, seen in (("print.css", ["print", "not web"]), ("web.css", ["web", "not latex"])):
        pages = HTML(string=html).render(stylesheets=[CSS(filename=str(templates / sheet))]).pages
        texts = [b.text for p in pages for b in _boxes(p._page_box) if hasattr(b, "text")]
        assert [t for t in texts if not t.isdigit()] == seen, sheet  # (not the page number)


def _boxes(box: Any) -> list[Any]:
    found = [box]
    for child in getattr(box, "children", []):
        found += _boxes(child)
    return found
