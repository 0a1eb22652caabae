"""crossref.lua and rawtex.lua run by the real pandoc on small inputs: numbering of headings,
figures, tables and equations, the reference forms of Quarto, pandoc-crossref and pandoc-xnos,
and raw LaTeX."""

from __future__ import annotations

import html
import re

import pytest

from pressroom import pandoc
from pressroom.cite import CROSSREF, RAWTEX


def plain(markdown: str, *filters: str) -> str:
    """The text a reader sees in pandoc's HTML, one line per block."""
    args = ["-f", "markdown", "-t", "html", "--wrap=none"]
    for f in filters or (str(CROSSREF),):
        args += ["--lua-filter", f]
    out, _ = pandoc.run(args, markdown.encode("utf-8"))
    text = re.sub(r"<math.*?</math>", "", out.decode("utf-8"), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


FIGURE = "![A mill.](mill.png){#fig-mill}\n\n![A town.](town.png){#fig:town}\n\n"


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("@fig-mill opens a sentence.", "Figure 1 opens a sentence."),
        ("It is in @fig-mill and @fig:town.", "It is in figure 1 and figure 2."),
        ("It is in @Fig-mill.", "It is in Figure 1."),
        ("Done. @fig:town follows.", "Done. Figure 2 follows."),
        ("See +@fig:town, *@fig:town and !@fig:town.", "See Figure 2, figure 2 and 2."),
        ("As Figure @fig-mill and Fig. @fig:town show.", "As Figure 1 and Fig. 2 show."),
        ("[see @fig-mill]", "see figure 1"),
    ],
)
def test_figure_references(text: str, printed: str) -> None:
    out = plain(FIGURE + text + "\n")
    assert "Figure 1. A mill." in out and "Figure 2. A town." in out
    assert out.rstrip().endswith(printed)


def test_every_captioned_figure_is_numbered_with_an_id_or_without() -> None:
    """As LaTeX numbers every captioned figure, and Chicago's figures run in one sequence: the
    numbers a reader sees have no gaps. An image without a caption is not a figure."""
    out = plain(
        "![A mill.](mill.png){#fig-mill}\n\n![A town, with no id.](town.png)\n\n"
        "![](bare.png)\n\n![A quay.](quay.png){#fig-quay}\n\nSee @fig-quay.\n"
    )
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines == [
        "Figure 1. A mill.",
        "Figure 2. A town, with no id.",
        "Figure 3. A quay.",
        "See figure 3.",
    ]


def test_equations_numbered_and_referenced() -> None:
    out = plain(
        "$$ a = b $$ {#eq-first}\n\n$$\nc = d\n$$ {#eq:second}\n\nBy @eq-first and @eq:second.\n"
    )
    assert "(1)" in out and "(2)" in out and "{#eq" not in out
    assert "By equation 1 and equation 2." in out


def test_headings_numbered_from_the_top_level_used() -> None:
    out = plain("## Goals\n\n### Scope {#sec-scope}\n\n## Method\n\nSee @sec-scope.\n")
    assert out.splitlines()[0] == "1 Goals"  # pandoc's HTML: the number, a space, the title
    assert "1.1 Scope" in out and "2 Method" in out and "See section 1.1." in out


def test_author_numbers_are_not_doubled() -> None:
    out = plain(
        "# Chapter 1: Origins {#sec-origins}\n\n## 1.1 Sources\n\n# Chapter 2: Trade\n\n"
        "# Bibliography {.unnumbered}\n\nAs @sec-origins shows.\n"
    )
    lines = [line for line in out.splitlines() if line]
    assert lines[:4] == ["Chapter 1: Origins", "1.1 Sources", "Chapter 2: Trade", "Bibliography"]
    assert "As section 1 shows." in out


def test_roman_and_dotted_author_numbers() -> None:
    out = plain("# I. Before\n\n# II. After\n\n# III. Since\n")
    assert [line for line in out.splitlines() if line] == ["I. Before", "II. After", "III. Since"]
    out = plain("# 1. Introduction\n\n# 2. Method\n\n# Appendix\n")
    assert [line for line in out.splitlines() if line][:2] == ["1. Introduction", "2. Method"]


def test_a_citation_in_a_figure_caption_is_not_copied_into_the_image() -> None:
    out, _ = pandoc.run(
        ["-f", "markdown", "-t", "native", "--lua-filter", str(CROSSREF)],
        b"![A map.[@smith2001]](map.png)\n",
    )
    assert out.decode().count("citationId") == 1


@pytest.mark.parametrize(
    ("tex", "printed"),
    [
        ("river\\slash{}road", "river/road"),
        ("\\textit{upper} and \\emph{lower}", "upper and lower"),
        ("\\url{https://example.org/a-b}", "https://example.org/a-b"),
        ("\\noindent Hello \\vspace{2mm} there", "Hello there"),
        ("a \\marginnote{kept}", "a \\marginnote{kept}"),
    ],
)
def test_raw_latex_mapped_never_dropped(tex: str, printed: str) -> None:
    out = plain(tex + "\n", str(RAWTEX))
    assert " ".join(out.split()) == printed


def test_raw_latex_blocks_of_spacing_vanish_and_unknown_ones_stay() -> None:
    """A thesis's `\\vspace*{\\fill}` or `\\noindent` on a line of its own is a raw block: it
    spaces only, so it goes; an unknown block command keeps its text."""
    tex = "Before.\n\n\\vspace*{\\fill}\n\n\\noindent\n\n\\marginnote{kept}\n\nAfter.\n"
    assert plain(tex, str(RAWTEX)).split() == ["Before.", "\\marginnote{kept}", "After."]


LISTINGS = """```{#lst:attr .python caption="Reading *the* ledger"}
print(1)
```

Listing: Counting the fares

```{#lst:para .python}
x = 2
```

<div id="lst:div" class="listing">
Tolls by year
```{.python}
y = 3
```
</div>

```{#lst-quarto .sql lst-cap="A query"}
SELECT 1;
```

```python
plain = True
```

```{#lst:after}
z = 4
```

Listing: A caption after

"""


def test_listings_numbered_in_every_caption_form() -> None:
    out = plain(LISTINGS + "See @lst:after, @lst-quarto and Listing @lst:div.\n")
    lines = [line for line in out.splitlines() if line]
    captions = [line for line in lines if line.startswith("Listing ")]
    assert captions == [
        "Listing 1. Reading the ledger",
        "Listing 2. Counting the fares",
        "Listing 3. Tolls by year",
        "Listing 4. A query",
        "Listing 5. A caption after",
    ]
    assert "plain = True" in lines and "Listing:" not in out
    assert lines[-1] == "See listing 5, listing 4 and Listing 3."


def test_listing_ids_move_to_the_listing_and_link() -> None:
    html, _ = pandoc.run(
        ["-f", "markdown", "-t", "html", "--lua-filter", str(CROSSREF)],
        (LISTINGS + "See @lst:para.\n").encode("utf-8"),
    )
    page = html.decode("utf-8")
    assert page.count('id="lst:para"') == 1 and 'href="#lst:para"' in page
    assert '<div id="lst:para" class="listing">' in page


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("As [@fig-mill; @fig:town] show", "As figures 1 and 2 show"),
        ("Hence [@fig-mill; @fig:town; @tbl-t].", "Hence figures 1 and 2, table 1."),
        ("[@tbl-t; @fig-mill] agree.", "Table 1, figure 1 agree."),
        ("See [@lst:a; @lst:b; @lst:c].", "See listings 1, 2 and 3."),
    ],
)
def test_several_references_in_one_citation(text: str, printed: str) -> None:
    listings = "".join(f"```{{#lst:{k}}}\nx\n```\n\n" for k in "abc")
    table = "| a |\n|---|\n| 1 |\n\n: T {#tbl-t}\n\n"
    out = plain(FIGURE + table + listings + text + "\n")
    assert out.rstrip().endswith(printed)


def test_a_citation_beside_cross_references_stays_a_citation() -> None:
    out, _ = pandoc.run(
        ["-f", "markdown", "-t", "native", "--lua-filter", str(CROSSREF)],
        (FIGURE + "See [@fig-mill; @smith2020].\n").encode("utf-8"),
    )
    native = out.decode("utf-8")
    assert 'citationId = "smith2020"' in native and 'citationId = "fig-mill"' not in native


JOSS = r"""See \autoref{fig:a}, Eq.~\ref{eq:x}, \eqref{eq:y}, \cref{fig:a,tab:t} and \Cref{sec:m}.

![A mill.\label{fig:a}](a.png)

\begin{equation}\label{eq:x}
  f(x) = 2
\end{equation}

| a |
|---|
| 1 |

Table: Tolls. \label{tab:t}

# Method \label{sec:m}

$$ a = b \label{eq:y} $$

Not \ref{nowhere}.
"""


def test_latex_labels_and_references_as_joss_papers_write_them() -> None:
    out = plain(JOSS, str(RAWTEX), str(CROSSREF))
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0] == "See Figure 1, Eq.\u00a01, (2), figure 1, table 1 and Section 1."
    assert "Figure 1. A mill." in lines and "Table 1. Tolls." in lines
    assert "1 Method" in lines and "\\label" not in out and "equation}" not in out
    assert lines[-1] == "Not \\ref{nowhere}."  # printed as written (cite.py reports it)


FILTERS = ["--lua-filter", str(RAWTEX), "--lua-filter", str(CROSSREF)]


def test_a_latex_label_names_its_target_for_links() -> None:
    html, _ = pandoc.run(
        ["-f", "markdown", "-t", "html", "--wrap=none", *FILTERS],
        JOSS.encode("utf-8"),
    )
    page = html.decode("utf-8")
    for target in ("fig:a", "eq:x", "eq:y", "tab:t"):
        assert f'id="{target}"' in page and f'href="#{target}"' in page
    # A heading keeps its own id; its label links there.
    assert 'id="method"' in page and 'href="#method"' in page
    assert 'class="raw-tex" data-missing="nowhere"' in page


def test_a_heading_without_a_number_is_referred_to_by_its_title() -> None:
    out = plain(
        "# Chapter 1: Origins {#sec-origins}\n\n## Sources {#sec:sources}\n\n"
        "# Chapter 2: Trade\n\n# Notes on method {.unnumbered}\n\n"
        "See @sec:sources, @sec:notes-on-method and @sec-origins.\n\n"
        "[@sec:chapter-2-trade; @sec:sources]\n"
    )
    lines = [line for line in out.splitlines() if line]
    assert lines[-2] == (
        "See section \u201cSources\u201d, section \u201cNotes on method\u201d and section 1."
    )
    assert lines[-1] == "Sections 2 and \u201cSources\u201d"  # autoSectionLabels: sec: + its id


def test_a_figure_of_figures_is_one_figure_with_parts() -> None:
    group = (
        '![Alone.](a.png){#fig:alone}\n\n<div id="fig:pair">\n![A mill.](m.png){#fig:mill}\n\n'
        "![A town.](t.png)\n\nMill and town.\n</div>\n\n::: {#fig-q}\n![Q.](q.png)\n\nQuarto's.\n"
        ":::\n\nSee @fig:pair, @fig:mill and @fig-q.\n"
    )
    lines = [line for line in plain(group).splitlines() if line]
    assert "Figure 1. Alone." in lines and "(a) A mill." in lines and "(b) A town." in lines
    assert "Figure 2. Mill and town." in lines and "Figure 3. Quarto\u2019s." in lines
    assert lines[-1] == "See figure 2, figure 2a and figure 3."


def test_the_bibliography_heading_at_the_end_is_not_numbered() -> None:
    lines = [line for line in plain("# Summary\n\nText.\n\n# References\n").splitlines() if line]
    assert lines == ["1 Summary", "Text.", "References"]
    with_div = plain("# Summary\n\n# Bibliography\n\n::: {#refs}\n:::\n")
    assert [line for line in with_div.splitlines() if line] == ["1 Summary", "Bibliography"]
    # A chapter that is not the bibliography, or not at the end, keeps its number.
    middle = plain("# Sources\n\nText.\n\n# Findings\n")
    assert middle.split()[:2] == ["1", "Sources"]


def test_an_empty_notes_heading_at_the_end_goes() -> None:
    out = plain("# Goals\n\nText.[^1]\n\n# Endnotes\n\n[^1]: A note.\n")
    assert "Endnotes" not in out and "A note." in out
    kept = plain("# Notes\n\nOn the sources.\n\n# Goals\n")
    assert "Notes" in kept, "a notes chapter with text stays"


def test_a_custom_section_label_as_pandoc_crossref_writes_it() -> None:
    out = plain("# Appendix {#sec:app label=A}\n\n# Other\n\nSee @sec:app.\n")
    assert out.rstrip().endswith("See section A.")
