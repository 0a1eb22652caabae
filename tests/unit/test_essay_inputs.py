"""What a humanities essay built with `pandoc --citeproc` brings: `nocite`, a Zotero export's
escaped formatting commands in titles, an author whose name ends in a suffix, and the LaTeX that
styles its bibliography."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressroom import blind, pandoc, tree
from pressroom.bibtex import unescape_commands
from pressroom.cite import CROSSREF, RAWTEX
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.fields import split_names, surname
from pressroom.references import load_library
from pressroom.render.page import page_context

from .conftest import write

# Titles as Zotero writes a `\mkbibquote{...}` or `\mkbibemph{...}` typed into a title field:
# escaped, so that pandoc alone prints "\mkbibquoteHarbour" as text.
LIBRARY = r"""@book{okafor1998,
  title = {Rivers of Salt},
  author = {Okafor, Ngozi},
  date = {1998},
  publisher = {{Lakeside Press}}
}

@article{brandt2011,
  title = {Reading the \textbackslash mkbibquote\{\vphantom\}{{Harbour Ledger}}\vphantom\{\} in
    \textbackslash mkbibemph\{\vphantom\}{{Rivers of Salt}}\vphantom\{\}},
  author = {Brandt, Ilse},
  date = {2011},
  journaltitle = {Coastal Letters},
  volume = {12},
  pages = {3--19}
}

@article{hale2019,
  title = {Beyond the \mkbibquote{Harbour Ledger}},
  author = {Hale, Dorothy},
  date = {2019},
  journaltitle = {Coastal Letters},
  volume = {20}
}

@article{ross2021,
  title = {After the Harbourmasters'},
  author = {Ross, Ian},
  date = {2021},
  journaltitle = {Coastal Letters}
}

@incollection{leroux2013,
  title = {La carte comme outil : des cartes aux textes},
  booktitle = {Cartes et r\'ecits},
  author = {Leroux, Claire},
  date = {2013},
  pages = {10--20},
  publisher = {{Presses du Sud}},
  langid = {french}
}

@article{moreau2015,
  title = {$\backslash$mkbibemph\{\vphantom\}{{Salt}}\vphantom\{\} and Its Readers},
  author = {Moreau, Paul},
  date = {2015},
  journaltitle = {Coastal Letters}
}
"""


def _essay(tmp_path: Path, metadata: str) -> Path:
    return write(
        tmp_path / "p",
        {
            "manuscript/metadata.yaml": metadata,
            "manuscript/paper.md": "An essay on a novel [@okafor1998, 4].\n",
            "manuscript/library.bib": LIBRARY,
        },
    )


META = """\
title: An Essay
author:
  - name: Samuel Ortega Reyes, Jr.
bibliography: library.bib
"""


def test_escaped_zotero_commands_are_read_as_the_commands_they_were() -> None:
    text = LIBRARY
    out = unescape_commands(text)
    assert r"\mkbibquote{{{Harbour Ledger}}}" in out
    assert r"\mkbibemph{{{Salt}}} and Its Readers" in out
    assert "vphantom" not in out and "textbackslash" not in out
    assert out.count("\n") == text.count("\n")  # every entry keeps its line
    # Nothing else is touched: a .bib with no escaped command is returned as it is.
    plain = "@book{a, title = {A \\vphantom{x} b}}\n"
    assert unescape_commands(plain) == plain


def test_titles_of_an_escaped_export_are_set_with_quotation_marks_and_italics(
    tmp_path: Path,
) -> None:
    items = {i["id"]: i for i in load_library(load_project(_essay(tmp_path, META))).items}
    assert items["brandt2011"]["title"] == "Reading the “Harbour Ledger” in <i>Rivers of Salt</i>"
    assert items["moreau2015"]["title"] == "<i>Salt</i> and its readers"  # pandoc's reading


@pytest.mark.parametrize(
    ("nocite", "listed"),
    [
        ('"@*"', ["Brandt", "Hale", "Leroux", "Moreau", "Okafor", "Ross"]),
        ('"@moreau2015"', ["Moreau", "Okafor"]),
        (None, ["Okafor"]),
    ],
)
def test_nocite_lists_uncited_sources_in_the_bibliography(
    tmp_path: Path, nocite: str | None, listed: list[str]
) -> None:
    meta = META + (f"nocite: {nocite}\n" if nocite else "")
    cited = Corpus(load_project(_essay(tmp_path, meta))).cited("paper")
    entries = [
        tree.text(n["c"][1]).split(",")[0]
        for n in tree.nodes(cited.ast["blocks"], "Div")
        if "csl-entry" in n["c"][0][1]
    ]
    assert entries == listed
    # The cited source is still a note, and the one note of the essay.
    assert cited.notes == 1


@pytest.mark.parametrize(
    ("setting", "last"), [("", "Cite"), ("notes-after-punctuation: false\n", "Str")]
)
def test_notes_after_punctuation(tmp_path: Path, setting: str, last: str) -> None:
    """pandoc's default moves the note after the full stop; `false` leaves it before."""
    root = _essay(tmp_path, META + setting)
    (root / "manuscript/paper.md").write_text("A claim [@okafor1998].\n", "utf-8")
    para = Corpus(load_project(root)).cited("paper").ast["blocks"][0]["c"]
    kinds = [n["t"] for n in para if n != {"t": "Str", "c": ""}]
    assert kinds[-1] == last


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Samuel Ortega Reyes, Jr.", "Reyes"),
        ("Martin Luther King Jr.", "King"),
        ("Henrietta Vane III", "Vane"),
        ("Teresa de Lauretis", "de Lauretis"),
        ("Ludwig van der Berg", "van der Berg"),
        ("Reyes, Samuel Ortega", "Reyes"),
        ("Madonna", "Madonna"),
        ("Ann Author", "Author"),
    ],
)
def test_surname(name: str, expected: str) -> None:
    assert surname(name) == expected


def test_running_head_and_blind_check_use_the_surname_not_the_suffix(tmp_path: Path) -> None:
    project = load_project(_essay(tmp_path, META))
    corpus = Corpus(project)
    context = page_context(corpus.cited("paper").doc)
    assert context["running_author"] == "Reyes"
    assert ("surname", "Reyes") in blind.identities(project)


# What a LaTeX template's essay adds after its text to style the bibliography (pandoc reads
# this .tex as Markdown, the last input file): a heading, then lengths, spacing and type size.
BIBLIOGRAPHY_PREAMBLE = """\
It ends.

\\section{References}
\\setlength{\\parindent}{-0.2in}
\\SingleSpacing
\\small
\\setlength{\\leftskip}{0.2in}
\\vspace*{-0.4in}
\\noindent
"""


def test_lengths_and_type_sizes_before_a_bibliography_are_left_to_the_stylesheet() -> None:
    args = ["-f", "markdown", "-t", "json", "--lua-filter", str(RAWTEX)]
    out, _ = pandoc.run([*args, "--lua-filter", str(CROSSREF)], BIBLIOGRAPHY_PREAMBLE.encode())
    blocks = json.loads(out)["blocks"]
    # Nothing printed as written, no empty paragraph: the heading closes the document, so it
    # is the bibliography's heading, unnumbered.
    assert [b["t"] for b in blocks] == ["Para", "Header"]
    assert "unnumbered" in blocks[1]["c"][1][1]
    assert tree.text(blocks[1]["c"][2]) == "References"


@pytest.mark.parametrize(
    "tex",
    ["\\setlength{\\parskip}{8pt} kept", "\\small kept", "\\DoubleSpacing kept"],
)
def test_a_style_command_goes_and_its_text_stays(tex: str) -> None:
    out, _ = pandoc.run(
        ["-f", "markdown", "-t", "plain", "--lua-filter", str(RAWTEX)], tex.encode()
    )
    assert out.decode().split() == ["kept"]


@pytest.mark.parametrize(
    ("setting", "blocks"),
    [
        ("reference-section-title: Works Cited\n", ["Para", "Header", "Div"]),
        ("suppress-bibliography: true\n", ["Para"]),
        ("", ["Para", "Div"]),
    ],
)
def test_pandocs_bibliography_heading_and_suppression(
    tmp_path: Path, setting: str, blocks: list[str]
) -> None:
    cited = Corpus(load_project(_essay(tmp_path, META + setting))).cited("paper")
    assert [b["t"] for b in cited.ast["blocks"]] == blocks
    if "Header" in blocks:
        header = cited.ast["blocks"][1]["c"]
        assert tree.text(header[2]) == "Works Cited"
        assert "unnumbered" in header[1][1]


@pytest.mark.parametrize(
    ("lang", "note", "entry"),
    [
        ("en-US", "Ledger,’”", "Ledger.’”"),
        ("en-GB", "Ledger”’,", "Ledger”’."),  # British: outside, left alone
    ],
)
def test_a_quotation_ending_a_quoted_title_closes_with_the_mark_inside_both(
    tmp_path: Path, lang: str, note: str, entry: str
) -> None:
    """American usage puts the period or comma inside both quotation marks; citeproc sets it
    inside the outer one only."""
    root = _essay(tmp_path, META + f"lang: {lang}\nnocite: '@hale2019'\n")
    (root / "manuscript/paper.md").write_text("A claim [@hale2019, 4].\n", "utf-8")
    ast = Corpus(load_project(root)).cited("paper").ast
    (cite,) = tree.nodes(ast["blocks"], "Cite")
    printed_note = tree.text(cite["c"][1][0]["c"]).replace(" ", "")
    entries = [
        tree.text(d) for d in tree.nodes(ast["blocks"], "Div") if "csl-entry" in d["c"][0][1]
    ]
    assert note in printed_note, printed_note
    assert entry in entries[0].replace(" ", ""), entries


def test_an_apostrophe_ending_a_quoted_title_is_not_a_quotation_mark(tmp_path: Path) -> None:
    root = _essay(tmp_path, META)
    (root / "manuscript/paper.md").write_text("A claim [@ross2021, 4].\n", "utf-8")
    ast = Corpus(load_project(root)).cited("paper").ast
    (cite,) = tree.nodes(ast["blocks"], "Cite")
    assert "Harbourmasters’,”" in tree.text(cite["c"][1][0]["c"])


def test_a_short_note_of_a_french_title_has_no_space_before_its_comma(tmp_path: Path) -> None:
    """pandoc cuts the short title at the colon, which French sets after a space."""
    root = _essay(tmp_path, META)
    paper = "One [@leroux2013, 11]. Two [@okafor1998]. Three [@leroux2013, 12].\n"
    (root / "manuscript/paper.md").write_text(paper, "utf-8")
    ast = Corpus(load_project(root)).cited("paper").ast
    notes = [tree.text(c["c"][1][0]["c"]) for c in tree.nodes(ast["blocks"], "Cite")]
    assert notes[2] == "Leroux, “La carte comme outil,” 12."


@pytest.mark.parametrize(
    ("name", "people"),
    [
        ("Ada Brook, Cyril Dane", ["Ada Brook", "Cyril Dane"]),
        ("Ada Brook and Cyril Dane", ["Ada Brook", "Cyril Dane"]),
        ("Samuel Ortega Reyes, Jr.", ["Samuel Ortega Reyes, Jr."]),
        ("Reyes, Samuel Ortega", ["Reyes, Samuel Ortega"]),
    ],
)
def test_split_names(name: str, people: list[str]) -> None:
    assert split_names(name) == people


def test_two_authors_in_one_string_both_in_the_running_head(tmp_path: Path) -> None:
    """pandoc's `author: A, B` is one string; the title block prints it so, the head names both."""
    project = load_project(
        _essay(tmp_path, "title: T\nauthor: Ada Brook, Cyril Dane\nbibliography: library.bib\n")
    )
    context = page_context(Corpus(project).cited("paper").doc)
    assert context["running_author"] == "Brook and Dane"
    assert {("surname", "Brook"), ("surname", "Dane")} <= set(blind.identities(project))
