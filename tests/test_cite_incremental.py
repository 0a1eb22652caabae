"""watch's incremental cite (pressroom/cite_incremental.py) checked against pandoc's full cite
of the same Markdown, AST for AST: a chain of edits of the default paper, each made from the
state the edit before left (as successive saves in watch), some that it must read again alone
and some that it must refuse (then the full cite runs, and the chain goes on from it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pressroom import cite_incremental, pandoc, tree
from pressroom.assemble import assemble
from pressroom.cite import cite
from pressroom.config import load_document, load_project
from pressroom.documents import Corpus
from pressroom.jinja_globals import source_globals
from pressroom.model import Cited

from .conftest import copy_default_project


@dataclass(frozen=True)
class Edit:
    name: str
    change: Callable[[str], str]
    alone: bool  # whether the paragraph must be read alone (else: refused, a full cite)


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert text.count(old) == 1, f"the edit's anchor is not once in paper.md: {old!r}"
        return text.replace(old, new)

    return change


CONCLUSION = 'mismatch [@rubinstein1987, under "Conclusion"]'
EDITS = [
    Edit("a word changed", replace("In 1988 the governments", "In 1988 both governments"), True),
    Edit(
        "the same paragraph again: a sentence added, a word deleted",
        replace(
            "Read on its own, the text belongs to the\nunglamorous world",
            "Nobody expected much of it. Read alone, the text belongs to the\ndull world",
        ),
        True,
    ),
    Edit(
        "inside an emphasis, in a paragraph of citations",
        replace("*Tsūshō Sangyōshō*", "*Tsūshō  Sangyō  shō*"),
        True,
    ),
    Edit(
        "inside an author's note",
        replace('"dual-use" for the same category', '"dual-use" for this category'),
        True,
    ),
    Edit(
        "a paragraph with a cross-reference",
        replace("would later prove\nsignificant (@sec", "would later prove\ndecisive (@sec"),
        True,
    ),
    Edit(
        "a citation's locator changed", replace(CONCLUSION, "mismatch [@rubinstein1987, 4]"), False
    ),
    Edit(
        "a citation added",
        replace(
            "A fourth trace is administrative.", "A fourth trace [@jda1986] is administrative."
        ),
        False,
    ),
    Edit(
        "a paragraph split in two",
        replace("The talks\nthat produced it", "The talks\n\nthat produced it"),
        False,
    ),
    Edit(
        "a note defined elsewhere called",
        replace("Nobody expected much of it.", "Nobody expected much of it.[^dsb]"),
        False,
    ),
    Edit("the title changed", lambda text: text.replace("title:", "title: New", 1), False),
    Edit(
        "after the full cites, a paragraph they changed",
        replace("A fourth trace [@jda1986] is", "A fourth trace [@jda1986] was"),
        True,
    ),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_default_project(tmp_path_factory.mktemp("cite-incremental"))


def cited(project_dir: Path) -> Cited:
    """paper.md assembled and cited, as Corpus.cited does."""
    project = load_project(project_dir)
    corpus = Corpus(project)
    doc = load_document(project, "paper")
    reads: set[Path] = set()
    assembled = assemble(doc, project, source_globals(doc, corpus, reads), reads)
    return cite(assembled, project, corpus.library, corpus.style)


def test_incremental_cite_equals_full_cite(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _chain(project, EDITS, monkeypatch)


def _chain(project: Path, edits: list[Edit], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each edit saved after the one before it and cited as watch cites it: read alone exactly
    where the edit says so, and then the same as pandoc's full cite of the same Markdown."""
    paper = project / "manuscript" / "paper.md"
    cite_incremental.enable()
    try:
        cited(project)  # the first cite: in full, kept for the next edit
        text = paper.read_text("utf-8")
        for edit in edits:
            text = edit.change(text)
            paper.write_text(text, "utf-8")
            cite_incremental.CHANGES.clear()
            quick = cited(project)
            alone = quick.origin in cite_incremental.CHANGES
            assert alone == edit.alone, f"{edit.name}: read alone {alone}, expected {edit.alone}"
            if not alone:
                continue  # (a full cite already)
            monkeypatch.setenv("PRESSROOM_INCREMENTAL", "0")  # (the memory stays)
            full = cited(project)
            monkeypatch.delenv("PRESSROOM_INCREMENTAL")
            assert quick.ast == full.ast, f"{edit.name}: the AST differs from a full cite"
            made = cite_incremental.made_here(quick.doc.source) or b""
            assert made == pandoc.to_json(quick.ast), f"{edit.name}: the kept JSON differs"
            assert quick.citations == full.citations, edit.name
            assert quick.notes == full.notes, edit.name
            assert quick.warnings == full.warnings, edit.name
    finally:
        cite_incremental.enable(False)


def test_change_names_the_paragraph(project: Path) -> None:
    """The record of an incremental cite: the paragraph before and after, the notes before it
    (what the print page's splice needs), and the cite it was made from."""
    paper = project / "manuscript" / "paper.md"
    cite_incremental.enable()
    try:
        first = cited(project)
        text = paper.read_text("utf-8")
        paper.write_text(text.replace("A fourth trace", "A further trace", 1), "utf-8")
        quick = cited(project)
        change = cite_incremental.CHANGES[quick.origin]
        assert change.before == first.origin
        words = [n["c"] for n in change.new["c"] if n.get("t") == "Str"]
        assert words[:3] == ["A", "further", "trace"]
        assert [n["c"] for n in change.old["c"] if n.get("t") == "Str"][:2] == ["A", "fourth"]
        # The notes before it: one per citation note before this paragraph (citeproc's notes
        # and the author's own), as the print page numbers them.
        assert change.notes == _notes_before(first.ast, "A fourth trace")
        paper.write_text(text, "utf-8")
    finally:
        cite_incremental.enable(False)


def test_off_outside_watch(project: Path) -> None:
    """A build (not watch) never reads a paragraph alone, and keeps nothing."""
    paper = project / "manuscript" / "paper.md"
    cite_incremental.enable(False)
    cited(project)
    text = paper.read_text("utf-8")
    paper.write_text(text.replace("A fourth trace", "A fifth trace", 1), "utf-8")
    cited(project)
    assert not cite_incremental.MEMORY and not cite_incremental.CHANGES
    paper.write_text(text, "utf-8")


def _notes_before(ast: dict, words: str) -> int:
    """Notes in document order before the top-level paragraph that begins with `words`."""
    from pressroom import tree

    count = 0
    for block in ast["blocks"]:
        if block["t"] == "Para" and tree.text(block["c"]).startswith(words):
            return count
        count += sum(1 for _ in tree.nodes(block, "Note"))
    raise AssertionError(f"no paragraph begins {words!r}")


SUMMARY = (
    "The sequence of agreements, reports, and transfers discussed in this section is summarized"
    " in\nthe timeline below."
)
CONTAINMENT = "## Containment and the technology question"
TERM = "Secrecy law"


def first(old: str, new: str) -> Callable[[str], str]:
    """The first of several: the edit's anchor is in the paper more than once."""

    def change(text: str) -> str:
        assert text.count(old) > 1, f"the edit's anchor is not in paper.md twice: {old!r}"
        return text.replace(old, new, 1)

    return change


# Edits whose effect reaches past the edited words: each must be refused (or read alone
# correctly): the chain is checked against full cites as above. crossref.lua writes a
# cross-reference from the words before it: "Section 2" after a full stop (it opens a
# sentence), "section 2" after a comma; "Section @sec-x" (the kind's own word) as "Section 2".
REACHING = [
    Edit(
        "a cross-reference that opens a sentence",
        replace(
            "The first (@sec-norms) reconstructs", "The first is this. @sec-norms reconstructs"
        ),
        False,
    ),
    Edit(
        "its full stop made a comma", replace("is this. @sec-norms", "is this, @sec-norms"), False
    ),
    Edit("and back", replace("is this, @sec-norms", "is this. @sec-norms"), False),
    Edit(
        "a cross-reference after its kind's word",
        replace("second (@sec-framework) follows", "second, in Section @sec-framework, follows"),
        False,
    ),
    Edit("the word changed", replace("in Section @sec-framework", "in Part @sec-framework"), False),
    Edit("a word before them", replace("second, in Part", "second, within Part"), True),
    # A LaTeX environment whose blank lines hold paragraphs: pandoc reads it whole, as LaTeX
    # (rawtex.lua makes it a quotation), where `*this*` is two asterisks, not an emphasis.
    Edit(
        "a paragraph put in a LaTeX environment",
        lambda text: replace("Norms of this kind", "\\begin{quote}\n\nNorms of this kind")(
            replace("in other terms.\n", "in other terms.\n\n\\end{quote}\n")(text)
        ),
        False,
    ),
    Edit("a word in it", replace("Norms of this kind", "Norms of *this* kind"), False),
    # (not reaching: read alone, as a word is)
    Edit("a quotation added", replace("Patent law embodies", 'Patent law "embodies"'), True),
    Edit("a single one", replace("pattern. Japan had", "pattern. 'Japan' had"), True),
    # The words of a paragraph where pandoc makes no paragraph of them (raw HTML that it keeps
    # as written, a definition's term): the paragraph of the same words elsewhere is not the
    # one edited.
    Edit(
        "a copy kept in <pre>",
        replace(CONTAINMENT, f"<pre>\n\n{SUMMARY}\n\n</pre>\n\n{CONTAINMENT}"),
        False,
    ),
    Edit("the copy edited", first(SUMMARY, SUMMARY.replace("timeline", "list")), False),
    Edit(
        "a term of the same words",
        replace(CONTAINMENT, f"{TERM}\n\n:   Defined.\n\n{CONTAINMENT}"),
        False,
    ),
    Edit(
        "and its paragraph", replace("\n\n## Containment", f"\n\n{TERM}\n\n## Containment"), False
    ),
    Edit("the term edited", first(TERM, "Secrecy laws"), False),
]


def test_edits_that_reach_past_themselves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _chain(copy_default_project(tmp_path), REACHING, monkeypatch)


def _paragraphs(value: Any) -> list[dict[str, Any]]:
    """Every paragraph of a cited AST, at any depth (in notes, quotes, lists), in order."""
    found: list[dict[str, Any]] = []

    def visit(node: dict[str, Any]) -> None:
        if node["t"] == "Para":
            found.append(node)

    tree.walk(value, visit)
    return found


def test_the_shortcuts_of_the_paragraph_s_search_agree_with_the_walks(project: Path) -> None:
    """The paragraph's words compared up to the first that differs, and the notes before it
    counted in the memory's JSON, give what the whole walks give, for every paragraph of the
    default paper (in notes and quotes too); a metadata field named `blocks` and a paragraph
    written twice are no trap."""
    ast = cited(project).ast
    ast["meta"]["blocks"] = {"t": "MetaInlines", "c": [{"t": "Note", "c": []}]}
    paragraphs = _paragraphs(ast["blocks"])
    assert len(paragraphs) > 50
    words = [cite_incremental._text(p["c"]) for p in paragraphs]
    for p in paragraphs:  # (every paragraph against its own words and its neighbour's)
        for other in {words[0], words[len(words) // 2], cite_incremental._text(p["c"])}:
            same = cite_incremental._same_words(p["c"], other)
            assert same == (cite_incremental._text(p["c"]) == other)
    document = pandoc.to_json(ast)
    counted = [cite_incremental._notes_in_json(document, ast, p) for p in paragraphs]
    walked = [cite_incremental._notes_before(ast["blocks"], p) for p in paragraphs]
    unique = [document.count(pandoc.to_json(p)) == 1 for p in paragraphs]
    assert counted == [n if once else None for n, once in zip(walked, unique, strict=True)]
    assert sum(unique) > 50 and max(walked) > 20
    twice = {**ast, "blocks": [*ast["blocks"], paragraphs[-1]]}
    assert cite_incremental._notes_in_json(pandoc.to_json(twice), twice, paragraphs[-1]) is None
