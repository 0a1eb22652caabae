"""watch's print page after an edit cited incrementally (pressroom/page_incremental.py): the
edited paragraph written alone and spliced into the last print page, checked against the print
page pandoc writes whole, over a chain of edits of the default paper; and the preview drafted
from it in a render as watch makes it (before pandoc writes the whole page)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pressroom import cite_incremental, page_incremental, pandoc, weasy_incremental
from pressroom.assets import embed_assets
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.errors import Diagnostics
from pressroom.model import Cited, Output
from pressroom.render import pdf, render_document

from .conftest import copy_default_project
from .test_cite_incremental import cited

EDITS = [
    ("a word, no note before", "In 1988 the governments", "In 1988 both governments"),
    ("a word, notes before", "A fourth trace is administrative.", "A fourth trace, admittedly."),
    ("inside an author's note", '"dual-use" for the same', '"dual-use" for this'),
    ("with a cross-reference", "would later prove\nsignificant", "would later prove\ndecisive"),
    ("the same paragraph again", "would later prove\ndecisive", "proved\ndecisive"),
]


@pytest.fixture
def incremental() -> object:
    cite_incremental.enable()
    yield
    cite_incremental.enable(False)


def whole_page(project_dir: Path, paper: Cited) -> str:
    """The print page as the full path makes it: pandoc's whole print body."""
    project = load_project(project_dir)
    paper = embed_assets(paper, project)
    job = pdf.RENDERER.job(paper, project)
    (body,) = pandoc.run_many([(job.args, job.stdin)])
    quiet = Diagnostics(project.root, echo=False)
    return pdf.print_html(paper.doc, project, pdf.printable(paper, body.decode(), quiet))[0]


def test_spliced_page_equals_whole_page(
    tmp_path: Path, incremental: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each edit's spliced page is pandoc's whole one; the paragraph as it was, written by
    the edit before (the same paragraph edited again), is not written again."""
    project_dir = copy_default_project(tmp_path)
    paper_md = project_dir / "manuscript" / "paper.md"
    before = cited(project_dir)
    page = whole_page(project_dir, before)
    text = paper_md.read_text("utf-8")
    quiet = Diagnostics(project_dir, echo=False)
    written: list[int] = []  # paragraphs pandoc wrote alone, per splice
    run_many = pandoc.run_many

    def counted(jobs: list[tuple[list[str], bytes]], *args: object) -> list[bytes]:
        written[-1] += len(jobs)
        return run_many(jobs, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pandoc, "run_many", counted)
    for name, old, new in EDITS:
        written.append(0)
        assert text.count(old) == 1, name
        text = text.replace(old, new)
        paper_md.write_text(text, "utf-8")
        after = cited(project_dir)
        assert after.origin in cite_incremental.CHANGES, f"{name}: not cited incrementally"
        spliced = page_incremental.spliced(
            "paper",
            after.ast,
            after.origin,
            page,
            before.origin,
            pdf._writer(after),
            lambda body, c=after, q=quiet: pdf.printable(c, body, q),
            pdf._BLOCK,
        )
        spliced_by = written[-1]
        whole = whole_page(project_dir, after)
        assert spliced == whole, f"{name}: the spliced page differs from pandoc's"
        before, page = after, whole
        written[-1] = spliced_by  # (not the whole page's)
    assert written == [2, 2, 2, 2, 1]  # the last edit's paragraph was the one before's


def test_refused_without_the_page_it_was_made_from(tmp_path: Path, incremental: object) -> None:
    """A print page of another cite than the one the edit was made from is never spliced."""
    project_dir = copy_default_project(tmp_path)
    paper_md = project_dir / "manuscript" / "paper.md"
    first = cited(project_dir)
    page = whole_page(project_dir, first)
    text = paper_md.read_text("utf-8")
    paper_md.write_text(text.replace("A fourth trace", "A fifth trace"), "utf-8")
    second = cited(project_dir)
    paper_md.write_text(text.replace("A fourth trace", "A sixth trace"), "utf-8")
    third = cited(project_dir)
    assert third.origin in cite_incremental.CHANGES
    args = pdf._writer(third)
    for origin in (first.origin, ""):  # the page is of `first`; the edit was made from `second`
        splice = page_incremental.spliced(
            "p", third.ast, third.origin, page, origin, args, str, pdf._BLOCK
        )
        assert splice is None
    assert second.origin


def test_watch_render_drafts_from_the_spliced_page(
    tmp_path: Path, incremental: object, caplog: pytest.LogCaptureFixture
) -> None:
    """As watch renders the PDF after an edit: the preview is drafted from the spliced page
    before pandoc writes the whole page, and the whole page then finds it current."""
    project_dir = copy_default_project(tmp_path)
    project = load_project(project_dir)
    first = embed_assets(Corpus(project).cited("paper"), project)
    drafts: list[Output] = []
    render_document(first, project, {"pdf"}, Diagnostics(project.root), draft=drafts.append)
    key = str(project.output("paper", "pdf"))
    assert weasy_incremental.STORE[key].origin == first.origin
    paper_md = project_dir / "manuscript" / "paper.md"
    text = paper_md.read_text("utf-8")
    paper_md.write_text(text.replace("A fourth trace", "A further trace"), "utf-8")
    project = load_project(project_dir)
    second = embed_assets(Corpus(project).cited("paper"), project)
    assert second.origin in cite_incremental.CHANGES
    drafts.clear()
    caplog.clear()  # (the first render's lines)
    with caplog.at_level(logging.INFO, logger="pressroom.incremental"):
        render_document(second, project, {"pdf"}, Diagnostics(project.root), draft=drafts.append)
    said = [r.getMessage() for r in caplog.records]
    assert len(drafts) == 1, said  # drafted once: from the spliced page
    assert any("laid out again" in m for m in said), said
    assert not any("differs" in m or "in full" in m for m in said), said
    assert weasy_incremental.STORE[key].origin == second.origin
    assert weasy_incremental.STORE[key].html == whole_page(project_dir, second)
