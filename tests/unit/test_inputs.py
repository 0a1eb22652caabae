"""Issue 10, inputs: what pandoc and Quarto users write in front matter, Zotero's and Better
BibTeX's libraries, and code that is not a template, read in-process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pressroom import bibtex, pandoc, tree
from pressroom.assemble import assemble
from pressroom.config import load_document, load_project
from pressroom.errors import PressroomError
from pressroom.references import load_library
from pressroom.verbatim import protect, restore


def _project(
    root: Path, paper: str, metadata: str = "", files: dict[str, str] | None = None
) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "paper.md").write_text(paper, "utf-8")
    if metadata:
        (root / "manuscript" / "metadata.yaml").write_text(metadata, "utf-8")
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


FRONT = """---
author:
  - name: Ines Duarte
    affiliation: [University of Westmarch, Institute of Maps]
    orcid: 0000-0001-0000-0001
    corresponding: true
  - name: {given: Pavel, family: Novak}
  - Lena Ortiz
keywords: maps, surveys
papersize: letterpaper
fontsize: 12
linestretch: "1.5"
date: 2023-05-02
csl: chicago-author-date.csl
link-citations: false
---
Text.
"""


def test_pandoc_front_matter_is_read_with_its_meaning(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path, FRONT))
    doc = load_document(project, "paper")
    meta = doc.meta
    assert [a["name"] for a in meta["authors"]] == ["Ines Duarte", "Pavel Novak", "Lena Ortiz"]
    assert meta["authors"][0]["affiliation"] == "University of Westmarch; Institute of Maps"
    assert meta["authors"][0]["affiliations"] == ["University of Westmarch", "Institute of Maps"]
    assert meta["authors"][0]["corresponding"] is True
    assert meta["keywords"] == ["maps", "surveys"]
    assert meta["paper-size"] == "letter"
    assert (meta["fontsize"], meta["linestretch"], meta["date"]) == ("12pt", 1.5, "2023-05-02")
    assert meta["link-citations"] is False
    assert "author" not in meta and "papersize" not in meta
    assert doc.warnings == ()
    # The style named in a document's front matter is the project's, located there.
    assert project.style == "chicago-author-date.csl"
    assert project.style_origin == (tmp_path.resolve() / "manuscript" / "paper.md", 14)


def test_pressroom_names_keep_working_and_both_spellings_are_refused(tmp_path: Path) -> None:
    meta = "authors: [{name: Ann Author, affiliation: Eastfield}]\npaper-size: letter\n"
    project = load_project(_project(tmp_path, "Text.\n", meta))
    assert project.metadata["authors"][0]["affiliation"] == "Eastfield"
    assert project.metadata["paper-size"] == "letter"
    (tmp_path / "manuscript" / "paper.md").write_text("---\nauthor: A\nauthors: [B]\n---\n")
    with pytest.raises(PressroomError) as err:
        load_document(project, "paper")
    assert err.value.line == 2 and err.value.kind == "config.value"


def test_unknown_keys_are_warnings_with_the_closest_key(tmp_path: Path) -> None:
    paper = "---\ntitel: A\nexecute: {echo: false}\nauthor: [{name: A, roles: [writing]}]\n---\n"
    project = load_project(_project(tmp_path, paper, "bibliograhpy: x.bib\n"))
    assert [w.format(tmp_path) for w in project.warnings] == [
        "manuscript/metadata.yaml:1: warning: unknown metadata key 'bibliograhpy', ignored "
        "(did you mean 'bibliography'?) [config.unknown]"
    ]
    doc = load_document(project, "paper")
    assert [w.format(tmp_path) for w in doc.warnings] == [
        "manuscript/paper.md:2: warning: unknown metadata key 'titel', ignored (did you mean "
        "'title'?) [config.unknown]",
        "manuscript/paper.md:3: warning: unknown metadata key 'execute', ignored [config.unknown]",
        "manuscript/paper.md:4: warning: unknown author key 'roles', ignored; valid keys: "
        "affiliation, affiliations, correspondence, corresponding, email, equal_contributor, "
        "institute, name, orcid, self-cite, url [config.unknown]",
    ]


def test_bibliography_selects_files_relative_to_the_file_naming_it(tmp_path: Path) -> None:
    entry = '[{"id": "a", "type": "book", "title": "A", "issued": {"date-parts": [["1990"]]}}]'
    files = {"manuscript/refs/lib.json": entry, "manuscript/refs/lib.yaml": "- {id: a, type: book}"}
    root = _project(tmp_path, "---\nbibliography: refs/lib.json\n---\n[@a]\n", files=files)
    project = load_project(root)
    assert project.reference_files == ((root / "manuscript/refs/lib.json").resolve(),)
    library = load_library(project)  # the .yaml beside it holds the same id: not read
    assert library.ids == {"a"} and not library.problems
    assert library.items[0]["issued"] == {"date-parts": [[1990]]}


def test_a_library_outside_the_project_only_by_an_explicit_path(tmp_path: Path) -> None:
    outside = tmp_path / "zotero" / "my.bib"
    outside.parent.mkdir()
    outside.write_text("@book{z, title = {Z}, year = {2001}}\n")
    root = _project(tmp_path / "p", "Text.\n", f"bibliography: {outside}\n")
    assert load_project(root).reference_files == (outside.resolve(),)
    (root / "manuscript" / "metadata.yaml").write_text("bibliography: ../../zotero/my.bib\n")
    with pytest.raises(PressroomError) as err:
        load_project(root)
    assert err.value.kind == "io.outside" and err.value.line == 1
    assert "absolute path or ~/" in err.value.message


ZOTERO = """[
  {"id": "s", "type": "article-magazine", "title": "S",
   "issued": {"date-parts": [["1921"]], "season": "Spring"}},
  {"id": "m", "type": "report", "title": "M", "issued": {"date-parts": [["2019", "21"]]}},
  {"id": "l", "type": "pamphlet", "title": "L", "issued": {"literal": "before 1914"}},
  {"id": "w", "type": "webpage", "title": "W", "issued": "Spring 2004"},
  {"id": "bad", "type": "misc-thing", "title": "Bad"},
  {"id": "s", "type": "book", "title": "Second copy"}
]"""


def test_zotero_csl_json_as_exported(tmp_path: Path) -> None:
    root = _project(tmp_path, "Text.\n", files={"references/zotero.json": ZOTERO})
    library = load_library(load_project(root))
    items = {i["id"]: i for i in library.items}
    assert items["s"]["issued"] == {"date-parts": [[1921]], "season": "Spring"}
    assert items["m"]["issued"] == {"date-parts": [[2019]], "season": 1}
    assert items["l"]["issued"] == {"literal": "before 1914"}
    assert items["w"]["issued"] == {"literal": "Spring 2004"}
    # Left out, kept as problems of their ids; each duplicate names both lines.
    assert set(library.problems) == {"bad", "s"}
    (dup,) = library.problems_of("S")
    assert (dup.line, dup.kind) == (8, "reference.duplicate")
    assert "first declared at zotero.json:2" in dup.message
    summary = library.summary({"m"})
    assert summary is not None and summary.message.startswith("2 library entries have problems")
    assert [e.line for e in library.uncited_problems({"s"})] == [7]


BIB = """@misc{ledger,
  title = {Traffic Ledger},
  library = {County Record Office},
  archive_location = {RLY/4/12},
  year = {[1893] 1984},
}
@report{brief,
  title = {Branch Lines},
  type = {Briefing {{Report}}},
  year = {Forthcoming},
}
@book{ledger, title = {Again}, year = 1900}
"""


def test_better_bibtex_entries_as_exported(tmp_path: Path) -> None:
    root = _project(tmp_path, "Text.\n", files={"references/library.bib": BIB})
    library = load_library(load_project(root))
    items = {i["id"]: i for i in library.items}
    ledger = items["ledger"]
    assert ledger["type"] == "document"  # @misc
    assert (ledger["archive"], ledger["archive_location"]) == ("County Record Office", "RLY/4/12")
    assert ledger["original-date"] == {"date-parts": [[1893]]}
    assert ledger["issued"] == {"date-parts": [[1984]]}
    assert items["brief"]["genre"] == "Briefing Report"
    assert items["brief"]["issued"] == {"literal": "Forthcoming"}
    (dup,) = library.problems_of("ledger")
    assert dup.line == 12 and "first declared at library.bib:1" in dup.message


def test_bibtex_fields_braced_quoted_and_joined() -> None:
    text = (
        '@comment{x}\n@book{k,\n  archive = "A {B} c",\n  year = 1999,\n  title = {T},\n'
        '  library = {x} # " y",\n}\n@book{m, date = {2001}}\n'
    )
    (entry,) = bibtex.entries(text)["k"]
    assert entry.line == 2
    assert entry.fields == {"archive": "A {B} c", "year": "1999", "library": "x y"}
    (other,) = bibtex.entries(text)["m"]
    assert (other.line, other.fields) == (8, {"date": "2001"})


CODE = """Prose with {{ meta.title }} and `{{ site.baseurl }}` inline.

```liquid
{% include toc.html %}
<a href="{{ site.baseurl }}">
```

~~~~
{{ unclosed
~~~~
After the code, {{ meta.title }} again.
"""


def test_code_is_not_a_template(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    protected = protect(CODE, path)
    assert protected.count("\n") == CODE.count("\n")
    assert protected.count("{{ meta.title }}") == 2  # prose stays a template
    assert "{{ site" not in protected and "{% include" not in protected
    assert restore(protected) == CODE
    root = _project(tmp_path / "p", "---\ntitle: Maps\n---\n" + CODE)
    project = load_project(root)
    doc = load_document(project, "paper")
    a = assemble(doc, project, {"meta": doc.meta}, set())
    lines = a.markdown.split("\n")
    assert lines[3] == "Prose with Maps and `{{ site.baseurl }}` inline."
    assert "{{ unclosed" in lines and lines[-2] == "After the code, Maps again."
    paper = (root / "manuscript" / "paper.md").resolve()
    assert a.source_map.origin(len(lines) - 1) == (paper, 14)


def test_liquid_in_prose_is_refused_at_its_line_and_templating_can_be_off(tmp_path: Path) -> None:
    with pytest.raises(PressroomError) as err:
        protect("One.\n\nTwo {{ page.url | relative_url }}.\n", tmp_path / "x.md")
    assert (err.value.line, err.value.kind) == (3, "jinja.liquid")
    paper = "---\ntemplating: false\n---\n{% include toc.html %} and {{ x }}\n"
    root = _project(tmp_path / "p", paper)
    project = load_project(root)
    doc = load_document(project, "paper")
    a = assemble(doc, project, {"meta": doc.meta}, set())
    assert a.markdown.split("\n")[3] == "{% include toc.html %} and {{ x }}"
    assert a.source_map.origin(4) == (doc.source, 4)


def test_pandoc_scholar_authors_and_institutes(tmp_path: Path) -> None:
    paper = """---
author:
  - Ada Quill:
      institute: [lib, uni]
      correspondence: "yes"
  - Ben Rook:
      institute: uni
institute:
  - lib: {name: Public Library of Northgate}
  - uni: University of Northgate
---
Text.
"""
    project = load_project(_project(tmp_path, paper))
    doc = load_document(project, "paper")
    assert doc.warnings == ()
    ada, ben = doc.meta["authors"]
    assert ada["name"] == "Ada Quill" and ada["corresponding"] is True
    assert ada["affiliation"] == "Public Library of Northgate; University of Northgate"
    assert (ben["name"], ben["affiliation"]) == ("Ben Rook", "University of Northgate")


def test_joss_affiliations_and_a_pandoc_metadata_file(tmp_path: Path) -> None:
    root = _project(tmp_path, "---\ntags: [Python]\n---\nText.\n")
    (root / "manuscript" / "metadata.yml").write_text(
        '---\nauthors:\n  - name: Ada Quill\n    affiliation: "1, 2"\n  - name: Ben Rook\n'
        "    affiliation: 2\naffiliations:\n  - name: Northgate Library\n    index: 1\n"
        "  - name: Northgate University\n    index: 2\n---\n",
        "utf-8",
    )
    project = load_project(root)
    assert project.metadata_path.name == "metadata.yml" and project.warnings == ()
    ada, ben = project.metadata["authors"]
    assert ada["affiliations"] == ["Northgate Library", "Northgate University"]
    assert ben["affiliation"] == "Northgate University"


def test_another_tools_layout_is_a_warning_and_the_document_an_article(tmp_path: Path) -> None:
    # A Programming Historian lesson's Jekyll front matter: `layout: lesson`.
    root = _project(tmp_path, "---\ntitle: Counting Words\nlayout: lesson\n---\nText.\n")
    doc = load_document(load_project(root), "paper")
    assert [w.format(root) for w in doc.warnings] == [
        "manuscript/paper.md:3: warning: layout 'lesson' is another tool's: read as a Jekyll "
        "page (set as an article without section numbers, Liquid tags read as Jekyll's, no Jinja "
        "templating, @name as text) "
        "[config.unknown]"
    ]
    assert "layout" not in doc.meta and doc.meta["templating"] is False
    (root / "manuscript" / "paper.md").write_text("---\nlayout: handout\n---\nText.\n")
    doc = load_document(load_project(root), "paper")
    assert doc.warnings == () and doc.meta["layout"] == "handout"


def test_typed_citations_read_as_plain_ones() -> None:
    from pressroom.cite import _citation_types

    ids = frozenset({"towbin1979", "method:odd"})
    text = "See [@method:towbin1979; @uses_method_in:towbin1979], @method:odd and @foo:towbin1979."
    assert _citation_types(text, ids) == (
        "See [@towbin1979; @towbin1979], @method:odd and @foo:towbin1979."
    )


def test_fontsize_and_linestretch_set_the_print_page(tmp_path: Path) -> None:
    from pressroom.render.page import render_page

    paper = "---\nfontsize: 12\nlinestretch: 1.5\nthanks: With *thanks*.\ntoc: true\n---\nX\n"
    project = load_project(_project(tmp_path / "p", paper))
    doc = load_document(project, "paper")
    assert doc.warnings == () and doc.meta["toc"] is True
    html, _ = render_page("print.html.j2", ("print.css",), doc, project, "<p>Text.</p>")
    assert "html { font-size: 12pt; }" in html and "html { line-height: 2.1; }" in html
    assert '<p class="thanks">With <em>thanks</em>.</p>' in html
    (tmp_path / "p" / "manuscript" / "paper.md").write_text("---\nfontsize: big; }\n---\nX\n")
    with pytest.raises(PressroomError) as err:
        load_document(project, "paper")
    assert (err.value.line, err.value.kind) == (2, "config.value")


def test_ref_of_an_entry_left_out_says_what_is_wrong(tmp_path: Path) -> None:
    from pressroom.documents import Corpus

    library = "- id: good\n  type: book\n  title: Good\n- id: bad\n  type: boook\n"
    paper = "Listed: {{ ref('bad').entry }}\n"
    root = _project(tmp_path, paper, files={"references/library.yaml": library})
    with pytest.raises(PressroomError) as err:
        Corpus(load_project(root)).cited("paper")
    assert err.value.format(root) == (
        "references/library.yaml:5: error: reference 'bad': unknown type 'boook' (did you mean "
        "'book'?) [reference.invalid]"
    )


def test_contents_entries_from_the_top_level_used() -> None:
    from pressroom import toc

    markdown = (
        "## One {#one}\n\n#### Deep\n\n### Two^[A note.] [@key] [site](http://x.org)\n\n"
        "## Hidden {.unlisted}\n\n## *Three*\n"
    )
    out, _ = pandoc.run(["-f", "markdown", "-t", "json"], markdown.encode("utf-8"))
    ast = json.loads(out)
    found = toc.entries(ast, 2)
    assert [(e.level, e.ident, tree.text(e.inlines)) for e in found] == [
        (1, "one", "One"),
        (2, "two-key-site", "Two [@key] site"),  # a citation, unformatted here
        (1, "three", "Three"),
    ]
    assert not list(tree.nodes([e.inlines for e in found], "Note"))
    assert not list(tree.nodes([e.inlines for e in found], "Link"))
    meta = {"toc": True, "toc-depth": 3, "toc-title": "Table of Contents"}
    div = toc.with_toc(ast, meta)["blocks"][0]
    assert div["c"][0][0] == "toc" and tree.text(div["c"][1][0]) == "Table of Contents"
    # #### under ## nests once: One > [Deep, Two]
    (first, _three) = div["c"][1][1]["c"]
    assert [tree.text(item) for item in first[1]["c"]] == ["Deep", "Two [@key] site"]
    assert toc.with_toc(ast, {"toc": False}) is ast


def test_a_landscape_div_is_a_turned_word_section() -> None:
    import io
    import zipfile

    from pressroom.config import TOOLKIT_TEMPLATES
    from pressroom.render import docx_sections

    markdown = (
        "Before.\n\n::: landscape\nWide.\n:::\n\nBetween.\n\n::: landscape\nWide again.\n:::\n"
    )
    out, _ = pandoc.run(["-f", "markdown", "-t", "json"], markdown.encode("utf-8"))
    marked = docx_sections.mark(json.loads(out))
    reference = str(TOOLKIT_TEMPLATES / "reference.docx")
    data, _ = pandoc.run(
        ["-f", "json", "-t", "docx", "--reference-doc", reference, "-o", "-"],
        pandoc.to_json(marked),
    )
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    document = docx_sections.sections(xml)
    assert "pressroom:landscape" not in document
    sizes = re.findall(r"<w:pgSz ([^>]*?)\s*/>", document)
    turned = 'w:w="16838" w:h="11906" w:orient="landscape"'
    assert sizes == ['w:h="16838" w:w="11906"', turned] * 2 + ['w:h="16838" w:w="11906"']
    assert document.count("<w:titlePg") == 1 and document.index("<w:titlePg") < document.index(
        "Wide."
    )
    assert docx_sections.sections(xml.replace("pressroom:landscape", "x")) == xml.replace(
        "pressroom:landscape", "x"
    )


def test_a_numbered_equation_inside_a_paragraph_gets_a_word_paragraph_of_its_own() -> None:
    from pressroom.cite import CROSSREF
    from pressroom.render.docx_equations import with_equation_tabs

    markdown = (
        "A function $f$:\n$$ y = x $$ {#eq:line}\nwhere $x$ is real.\n\n$$ z = 1 $$ {#eq:one}\n"
    )
    out, _ = pandoc.run(
        ["-f", "markdown", "-t", "json", "--lua-filter", str(CROSSREF)], markdown.encode("utf-8")
    )
    blocks = with_equation_tabs(json.loads(out))["blocks"]
    styles = [
        tree.attr_value(b["c"][0], "custom-style") if b["t"] == "Div" else b["t"] for b in blocks
    ]
    assert styles == ["Para", "Display Equation", "First Paragraph", "Display Equation"]
    assert [tree.text(b) for b in blocks] == [
        "A function :",
        "(1)",
        "where  is real.",
        "(2)",
    ]  # (math is not text)
    (para,) = blocks[1]["c"][1]
    (span,) = para["c"]
    tab, math, tab2, _number = span["c"][1]
    assert span["c"][0][0] == "eq:line" and tab == tab2 and tab["c"][1] == "<w:r><w:tab/></w:r>"
    assert math["c"] == [{"t": "InlineMath"}, "\\displaystyle  y = x "]


def test_other_tools_keys_say_what_pressroom_does_instead(tmp_path: Path) -> None:
    root = _project(
        tmp_path, "---\ntags: [Python]\nfigPrefix: [Fig., Figs.]\nkeywrods: x\n---\nX\n"
    )
    doc = load_document(load_project(root), "paper")
    assert [w.format(root) for w in doc.warnings] == [
        "manuscript/paper.md:2: warning: unknown metadata key 'tags', ignored (JOSS's; "
        "pressroom's is 'keywords') [config.unknown]",
        "manuscript/paper.md:3: warning: unknown metadata key 'figPrefix', ignored "
        "(pandoc-crossref's setting; pressroom numbers and names cross-references its own way) "
        "[config.unknown]",
        "manuscript/paper.md:4: warning: unknown metadata key 'keywrods', ignored (did you mean "
        "'keywords'?) [config.unknown]",
    ]


def test_contents_and_lists_where_latex_puts_them() -> None:
    from pressroom import toc
    from pressroom.cite import CROSSREF, RAWTEX

    markdown = (
        "\\pagenumbering{gobble}\n\n\\tableofcontents\n\n\\newpage\\listoffigures\n\n"
        "# Mills\n\n![A mill.](m.png)\n\n![A weir.](w.png){#fig:weir}\n\n"
        "| a |\n|---|\n| 1 |\n\n: Tolls.\n\n\\listoftables\n"
    )
    args = [
        "-f",
        "markdown",
        "-t",
        "json",
        "--lua-filter",
        str(RAWTEX),
        "--lua-filter",
        str(CROSSREF),
    ]
    out, _ = pandoc.run(args, markdown.encode("utf-8"))
    cited = json.loads(out)
    before = json.dumps(cited)
    blocks = toc.with_toc(cited, {})["blocks"]
    assert json.dumps(cited) == before, "the cited AST is left as it is"
    kinds = [b["c"][0][1] if b["t"] == "Div" else b["t"] for b in blocks]
    assert kinds == [
        ["toc", "toc"],
        ["page-break"],
        ["toc", "lof"],
        "Header",
        "Figure",
        "Figure",
        "Table",
        ["toc", "lot"],
    ]
    lof = blocks[2]["c"][1][1]
    assert [tree.text(item) for item in lof["c"]] == ["Figure 1. A mill.", "Figure 2. A weir."]
    links = [n["c"][2][0] for n in tree.nodes(lof, "Link")]
    figures = [b["c"][0][0] for b in blocks if b["t"] == "Figure"]
    assert links == ["#figure-1", "#fig:weir"] and figures == ["figure-1", "fig:weir"]
    assert toc.with_toc(json.loads(before), {"toc": False})["blocks"][0]["c"][0][1] == [
        "toc",
        "toc",
    ]


def test_tex_math_in_a_bibtex_title_reads_as_text(tmp_path: Path) -> None:
    bib = (
        "@article{shah2014, title = {{Student}-$t$ Processes and the $\\beta$ and $\\Sigma$ of "
        "$2$ Models, $x^2 + 1$}, author = {Shah, Amar}, journal = {Stats}, year = {2014}}\n"
    )
    root = _project(tmp_path, "Text.\n", files={"references/library.bib": bib})
    (item,) = load_library(load_project(root)).items
    assert item["title"] == (
        "Student-<i>t</i> processes and the <i>β</i> and <i>Σ</i> of 2 models, $x^2 + 1$"
    )
