"""Issue 14, in process: the rules of the marking, on two small versions of one paper cited by
the real pipeline (pandoc, citeproc, the cross-reference filter)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from pressroom import pandoc, tree
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.redline import docx, views
from pressroom.redline.diff import AUTOMATIC, DELETION, INSERTION, diff_documents

from ..ooxml.validate import invalid_parts

LIBRARY = """\
- id: writer1987
  type: report
  author: [{family: Writer, given: Gail}]
  title: "Guidelines for Cooperation"
  publisher: Example Foundation
  issued: 1987
- id: agency1986
  type: book
  author: [{literal: "Example Agency"}]
  title: "Defense of Example"
  publisher: Example Times
  issued: 1986
"""


def _cited(root: Path, markdown: str) -> dict[str, Any]:
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text(
        'title: "T"\nauthors: [{name: "A Writer"}]\n'
    )
    (root / "manuscript" / "paper.md").write_text(markdown)
    (root / "references" / "library.yaml").write_text(LIBRARY)
    return Corpus(load_project(root)).cited("paper").ast


def _diff(tmp_path: Path, old: str, new: str) -> dict[str, Any]:
    a, b = _cited(tmp_path / "old", old), _cited(tmp_path / "new", new)
    return diff_documents(a, b, "A Writer", "2026-01-01T00:00:00Z")


def _changes(value: Any, automatic: bool | None = None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def visit(node: tree.Node) -> None:
        kind = views.change_of(node)
        if kind and (automatic is None or views.is_automatic(node) == automatic):
            found.append((kind, tree.text(node["c"][1])))

    tree.walk(value, visit)
    return found


def test_a_changed_word_is_one_deletion_and_one_insertion(tmp_path: Path) -> None:
    merged = _diff(tmp_path, "One two three four.\n", "One two five four.\n")
    assert _changes(merged["blocks"]) == [(DELETION, "three"), (INSERTION, "five")]


def test_the_change_sits_inside_a_link_never_around_it(tmp_path: Path) -> None:
    """A Span around a Link is invalid in Word and LibreOffice drops its text (#4609)."""
    merged = _diff(
        tmp_path,
        "See [the old page](https://example.org/a).\n",
        "See [the new page](https://example.org/a).\n",
    )
    links = list(tree.nodes(merged["blocks"], "Link"))
    assert len(links) == 1 and _changes(links[0]["c"][1]) == [(DELETION, "old"), (INSERTION, "new")]
    for span in tree.nodes(merged["blocks"], "Span"):
        assert not any(True for _ in tree.nodes(span["c"][1], "Link")) or not views.change_of(span)


def test_a_deleted_note_is_marked_in_its_own_text(tmp_path: Path) -> None:
    merged = _diff(tmp_path, "Text.^[A note to go.] More.\n", "Text. More.\n")
    [note] = tree.nodes(merged["blocks"], "Note")
    words = tree.text(note["c"]).split()
    marked = " ".join(text for kind, text in _changes(note["c"]) if kind == DELETION).split()
    assert words == marked == ["A", "note", "to", "go."]


def test_a_note_shortened_by_an_earlier_citation_is_not_an_edit(tmp_path: Path) -> None:
    old = "# One\n\nFirst.\n\n# Two\n\nLater [@writer1987, 5].\n"
    new = "# One\n\nFirst [@writer1987, 2].\n\n# Two\n\nLater [@writer1987, 5].\n"
    merged = _diff(tmp_path, old, new)

    def later(blocks: list[Any]) -> Any:
        return next(b for b in blocks if b["t"] == "Para" and "Later" in tree.text(b))

    # Same source, same page: not the author's change; printed short now: tracked, automatic.
    assert _changes(later(merged["blocks"]), automatic=False) == []
    assert _changes(later(merged["blocks"]), automatic=True)
    reader = views.reader(merged)
    assert _changes(later(reader["blocks"])) == []
    assert (INSERTION, "") in _changes(reader["blocks"][1])  # the new citation's note


def test_a_changed_locator_is_marked_inside_the_printed_note(tmp_path: Path) -> None:
    merged = _diff(tmp_path, "Text [@agency1986, 181].\n", "Text [@agency1986, 183].\n")
    assert _changes(merged["blocks"], automatic=False) == [(DELETION, "181"), (INSERTION, "183")]


def test_an_inserted_section_renumbers_without_marking_numbers(tmp_path: Path) -> None:
    old = "# Start\n\nSee @sec-end.\n\n# End {#sec-end}\n\nDone.\n"
    new = "# Start\n\nSee @sec-end.\n\n# Middle\n\nNew.\n\n# End {#sec-end}\n\nDone.\n"
    reader = views.reader(_diff(tmp_path, old, new))
    assert sorted(text for _, text in _changes(reader["blocks"])) == ["2", "Middle", "New."]
    assert "section 3" in tree.text(reader["blocks"][1])


def test_a_new_table_row_is_marked_cell_by_cell_and_as_a_row_in_word(tmp_path: Path) -> None:
    table = "| A | B |\n|---|---|\n| 1 | one |\n{}\nTable: Numbers\n"
    merged = _diff(tmp_path, table.format(""), table.format("| 2 | two |\n"))
    assert [text for kind, text in _changes(merged["blocks"]) if kind == INSERTION] == ["2", "two"]
    body, _ = pandoc.run(["-f", "json", "-t", "docx", "-o", "-"], pandoc.to_json(merged))
    path = tmp_path / "tracked.docx"
    path.write_bytes(docx.tracked(body, "A Writer", "2026-01-01T00:00:00Z"))
    assert invalid_parts(path) == []
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert re.search(r"<w:trPr><w:ins [^>]*w:author=\"A Writer\"", xml)  # Reject All drops the row
    assert "redline-" not in xml


def test_views_show_the_author_changes_as_html_and_styles(tmp_path: Path) -> None:
    merged = _diff(tmp_path, "One *two* three.\n", "One *four* three.\n")
    page = views.for_html(views.reader(merged))
    raw = [n["c"][1] for n in tree.nodes(page["blocks"], "RawInline")]
    assert raw[0].startswith('<del class="deletion" data-author="A Writer"') and raw[1] == "</del>"
    styled = views.highlighted(views.reader(merged))
    styles = [dict(s["c"][0][2]).get("custom-style") for s in tree.nodes(styled["blocks"], "Span")]
    assert styles == ["Deleted Text", "Inserted Text"]
    assert AUTOMATIC not in str(page)


def test_an_inserted_equation_renumbers_later_ones_without_marking_them(tmp_path: Path) -> None:
    old = "Start.\n\n$$a = b$$ {#eq-one}\n\nSee @eq-one.\n"
    new = "Start.\n\n$$c = d$$ {#eq-zero}\n\n$$a = b$$ {#eq-one}\n\nSee @eq-one.\n"
    merged = _diff(tmp_path, old, new)
    assert _changes(merged["blocks"], automatic=True)  # "(1)" -> "(2)", "equation 1" -> "2"
    reader = views.reader(merged)
    # Only the new equation (its math, the space before its number, and the number) is marked;
    # the old one's "(2)" and the reference "equation 2" print unmarked.
    assert _changes(reader["blocks"]) == [(INSERTION, ""), (INSERTION, ""), (INSERTION, "(1)")]
    assert "equation 2" in tree.text(reader["blocks"][-1])
