"""watch's preview of a long document laid out on two cores (pressroom/weasy_parallel.py): the
pages spliced from the two processes against the whole layout of the same print page, page by
page (text, and the page of every note's call and text); the speculation refused when the
state at the split page is not the one restored (an altered state, a block added before it),
which falls back to the whole layout; and when it is not tried at all (the switch, no free
core, a short document)."""

from __future__ import annotations

import copy
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from pressroom import pandoc, weasy, weasy_incremental, weasy_parallel
from pressroom.assets import embed_assets
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.errors import Diagnostics
from pressroom.model import Output
from pressroom.render.pdf import RENDERER, print_html, printable

from .conftest import copy_default_project
from .readers import note_pages
from .test_incremental_layout import _paragraph, _renumber_blocks, _renumber_notes, same_pages


@dataclass
class Page:
    """A print page, where WeasyPrint reads its files, and its last layout's state (kept)."""

    key: str
    html: str
    base: Path
    roots: list[Path]
    state: weasy_incremental.State


def _kept(key: str, html: str, base: Path, roots: list[Path]) -> Page:
    """A full layout of `html`, kept as watch keeps its last preview's."""
    laid, state = weasy_incremental.full_layout(html, base, roots)
    assert state is not None
    state.pdf = weasy.write(laid.document, preview=True)
    weasy_incremental.keep(key, state)
    return Page(key, html, base, roots, state)


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Page:
    """The default paper's print page (pressroom's own pandoc run, no build), laid out once."""
    project = load_project(copy_default_project(tmp_path_factory.mktemp("parallel")))
    cited = embed_assets(Corpus(project).cited("paper"), project)
    job = RENDERER.job(cited, project)
    (body,) = pandoc.run_many([(job.args, job.stdin)], cited.doc.source)
    quiet = Diagnostics(project.root, echo=False)
    html = print_html(cited.doc, project, printable(cited, body.decode("utf-8"), quiet))[0]
    roots = [project.root, *project.template_dirs]
    return _kept("paper.pdf", html, project.manuscript, roots)


def repeated(html: str, copies: int) -> str:
    """The paper with its body (the sections before the bibliography) `copies` times more
    after it, each copy's notes numbered on and its ids made its own."""
    start = html.index("<section", html.index("<main>"))
    end = html.index('<section id="bibliography"')
    body, notes = html[start:end], html.count('class="fn-call"')
    more = [
        re.sub(r'id="(sec-[^"]*)"', rf'id="\1-{n}"', _renumber_notes(body, notes * n))
        for n in range(1, copies + 1)
    ]
    return _renumber_blocks(html[:end] + "".join(more) + html[end:])


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Laid out in parallel whatever the machine's load, the parent waiting for the child: the
    outcome never depends on timing."""
    monkeypatch.setenv("PRESSROOM_PARALLEL", "1")


def _pdf(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_long_document_laid_out_in_parallel_has_the_pages_of_one_layout(
    paper: Page, parallel: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The paper twice (~30 pages), long enough here: the real threshold (60 pages) only
    # decides whether to try, which test_when_it_is_not_tried checks; the test costs half.
    monkeypatch.setattr(weasy_parallel, "MIN_PAGES", 20)
    html = repeated(paper.html, 1)
    long = _kept("long", html, paper.base, paper.roots)
    assert long.state.pages > weasy_parallel.MIN_PAGES
    split = weasy_parallel.split_page(long.state)
    assert split is not None and abs(2 * split - long.state.pages) < long.state.pages // 4
    drafted: list[bytes] = []
    laid, state, result = weasy_parallel.full_layout(
        "long", html, paper.base, paper.roots, on_preview=drafted.append
    )
    assert result.pdf is not None, result.message
    assert drafted == [result.pdf]
    assert f"pages 1-{split} and {split + 1}-{long.state.pages} laid out in parallel" in (
        result.message
    )
    assert state is not None and state.starts == long.state.starts  # for the next preview
    spliced = _pdf(tmp_path / "spliced.pdf", result.pdf)
    whole = _pdf(tmp_path / "whole.pdf", long.state.pdf)  # the same page, laid out by one
    same_pages(spliced, whole, result.message)
    assert note_pages(spliced) == note_pages(whole)
    assert len(laid.document.pages) == long.state.pages  # the final PDF's own layout, whole


def test_an_edit_before_the_split_that_keeps_it_is_laid_out_in_parallel(
    paper: Page,
    parallel: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Through render/pdf.py's hook, as watch lays out a preview in full (here: a stylesheet
    rule more, which the incremental preview refuses; the state at the split page decides, not
    the page's head), with an edit on the first page. The edit keeps the paragraph's words, so
    that no line breaker moves the split page."""
    from pressroom.render.pdf import _recorded_layout

    monkeypatch.setattr(weasy_parallel, "MIN_PAGES", 0)
    first = _paragraph(paper.html, 0.0).end()  # two words swapped: the same lines, surely
    words = re.match(r"(\w+) (\w+) ", paper.html[first:])
    assert words is not None
    swapped = f"{words.group(2)} {words.group(1)} "
    edited = paper.html[:first] + swapped + paper.html[first + len(swapped) :]
    edited = edited.replace("</head>", "<style>p { color: #333; }</style>\n</head>", 1)
    caplog.set_level(logging.INFO, logger="pressroom.incremental")
    drafts: list[Output] = []
    doc = type("Doc", (), {"source": paper.base / "paper.md"})()
    out = Path(paper.key)
    laid, state, pdf = _recorded_layout(
        out,
        edited,
        doc,  # type: ignore[arg-type]
        paper.roots,
        None,  # type: ignore[arg-type]
        drafts.append,
        True,
    )
    assert pdf is not None, caplog.text
    assert [d.data for d in drafts] == [pdf] and drafts[0].path == out
    assert "laid out in parallel" in caplog.text
    spliced = _pdf(tmp_path / "spliced.pdf", pdf)
    whole = _pdf(tmp_path / "whole.pdf", weasy.write(laid.document, preview=True))
    same_pages(spliced, whole, caplog.text)
    assert note_pages(spliced) == note_pages(whole)
    assert swapped.strip() in PdfReader(spliced).pages[0].extract_text()  # the edit is in
    assert state is not None and state.html == edited


def _falls_back(page: Page, key: str, html: str) -> tuple[weasy.Laid, weasy_parallel.Parallel]:
    """A parallel layout that must be refused at the split: the whole layout's own."""
    drafted: list[bytes] = []
    laid, _, result = weasy_parallel.full_layout(
        key, html, page.base, page.roots, on_preview=drafted.append, min_pages=0
    )
    assert result.pdf is None and not drafted, result.message
    assert result.message.startswith("pdf preview laid out by one process: ") and result.said
    return laid, result


def test_a_state_that_is_not_the_real_one_at_the_split_is_refused(
    paper: Page, parallel: None, tmp_path: Path
) -> None:
    split = weasy_parallel.split_page(paper.state)
    assert split is not None
    altered = copy.deepcopy(paper.state)
    resume_at, after, right, state, remake = altered.entries[split]
    altered.entries[split] = (resume_at, after, not right, state, remake)  # the other side
    weasy_incremental.keep("altered", altered)
    laid, result = _falls_back(paper, "altered", paper.html)
    assert f"page {split + 1} begins with another page state" in result.message
    whole = _pdf(tmp_path / "whole.pdf", weasy.write(laid.document, preview=True))
    same_pages(whole, _pdf(tmp_path / "known.pdf", paper.state.pdf), result.message)


def test_a_block_added_before_the_split_is_refused(paper: Page, parallel: None) -> None:
    at = _paragraph(paper.html, 0.1).start()
    added = '<p data-b="0">A paragraph added before the split, to move what follows it.</p>'
    html = _renumber_blocks(paper.html[:at] + added + paper.html[at:])
    laid, result = _falls_back(paper, paper.key, html)
    assert "begins elsewhere" in result.message, result.message
    assert len(laid.document.pages) >= paper.state.pages


def test_a_second_process_that_stops_is_not_waited_for(
    paper: Page, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that dies (killed, out of memory) leaves the parent's whole layout."""
    monkeypatch.setattr(weasy_parallel, "_second_half", lambda *args: os._exit(3))
    laid, result = _falls_back(paper, paper.key, paper.html)
    assert result.message.endswith("the second process failed (it stopped)"), result.message
    assert len(laid.document.pages) == paper.state.pages


def test_when_it_is_not_tried(paper: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_PARALLEL", "0")
    assert weasy_parallel.plan(paper.key, paper.html, 0) == "~off (PRESSROOM_PARALLEL=0)"
    monkeypatch.setenv("PRESSROOM_PARALLEL", "1")
    assert weasy_parallel.plan(paper.key, paper.html, 0) == (
        paper.state,
        weasy_parallel.split_page(paper.state),
    )
    short = weasy_parallel.plan(paper.key, paper.html)  # the default paper: 60 pages or fewer
    assert short == f"~{paper.state.pages} pages, not more than 60"
    assert weasy_parallel.plan("nothing kept", paper.html, 0) == "~no earlier layout kept"
    running = paper.html.replace("</style>", "h2 { string-set: t content(); }</style>", 1)
    assert "named strings" in str(weasy_parallel.plan(paper.key, running, 0))
    monkeypatch.delenv("PRESSROOM_PARALLEL")  # asks whether a core is free
    monkeypatch.setattr(weasy_parallel.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(weasy_parallel.os, "getloadavg", lambda: (1.6, 1.0, 1.0))
    assert not weasy_parallel.core_free()
    assert weasy_parallel.plan(paper.key, paper.html, 0) == "no free core"
    monkeypatch.setattr(weasy_parallel.os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    assert weasy_parallel.core_free()
    monkeypatch.setattr(weasy_parallel.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert not weasy_parallel.core_free()
