"""The cold build's schedule (schedule.py): documents read and rendered on two workers, the
largest first, each rendered as soon as it is read. What a reader gets, and what a user is told
when something is wrong, is what a build in one process gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom import freshness
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.errors import Diagnostics, PressroomError
from pressroom.pipeline import Request, build
from pressroom.schedule import Schedule, _received

from .conftest import copy_project, run_build
from .readers import docx_footnotes, docx_paragraphs, pdf_pages

# The abstract says where the paper cites a source: it reads the paper's citations.
WHERE = (
    '\n{% set c = cited_in("report1987") %}The paper cites the report in notes '
    '{{ c.notes | join(", ") }}.\n'
)
# A third document, larger than the abstract (so read beside it, on the other worker), that
# reads the abstract's citations: it waits for them.
APPENDIX = (
    "---\ntitle: Appendix\n---\n\n"
    + "This appendix gathers what the two other documents say about the report. " * 8
    + '\n\n{% set a = cited_in("report1987", "abstract") %}The abstract cites it in note '
    '{{ a.notes | join(", ") }}; '
    '{% set p = cited_in("report1987") %}the paper in notes {{ p.notes | join(", ") }}.\n'
)


def serial(project: Path) -> str:
    """The same build in this process, one document after another: its error, if any."""
    try:
        build(load_project(project), Request(parallel=False), Diagnostics(echo=False))
    except PressroomError as exc:
        return exc.format(project.parent)
    return ""


def two_copies(tmp_path: Path, edit: dict[str, str]) -> tuple[Path, Path]:
    """The notes project (a paper and an abstract, each with a PDF) twice, with `edit`:
    {file in manuscript/: text added}."""
    copies = []
    for side in ("scheduled", "serial"):
        project = copy_project("notes", tmp_path / side)
        for name, text in edit.items():
            path = project / "manuscript" / name
            old = path.read_text("utf-8") if path.exists() else ""
            path.write_text(old + text, "utf-8")
        copies.append(project)
    return copies[0], copies[1]


def text(pdf: Path) -> str:
    return " ".join(" ".join(pdf_pages(pdf)).split())


def test_documents_that_read_others_citations_get_them(tmp_path: Path) -> None:
    edit = {"abstract.md": WHERE + "\nAs the report says.[@report1987, 4]\n"}
    scheduled, alone = two_copies(tmp_path, {**edit, "appendix.md": APPENDIX})
    run = run_build(scheduled)
    assert run.code == 0, run.stderr
    assert serial(alone) == ""
    notes = "1, 2, 12, 22, 31, 34, 44, 54"
    assert f"The paper cites the report in notes {notes}." in text(
        scheduled / "build" / "abstract.pdf"
    )
    assert f"The abstract cites it in note 1; the paper in notes {notes}." in text(
        scheduled / "build" / "appendix.pdf"
    )
    ours, theirs = scheduled / "build", alone / "build"
    for name in ("abstract", "appendix", "paper"):
        html = f"{name}.html"
        assert (ours / html).read_text("utf-8") == (theirs / html).read_text("utf-8"), html
        for read in (docx_paragraphs, docx_footnotes):
            assert read(ours / f"{name}.docx") == read(theirs / f"{name}.docx"), name
        assert pdf_pages(ours / f"{name}.pdf") == pdf_pages(theirs / f"{name}.pdf"), name
    # The abstract's citation index input: an edit that moves the paper's notes rebuilds it.
    assert "built" not in run_build(scheduled).stderr


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        # Two documents that read each other's citations: the circle, named from where a
        # build in document order meets it.
        (
            {"abstract.md": WHERE, "paper.md": '\n{{ cited_in("report1987", "abstract") }}\n'},
            "documents read each other's citations in a circle (paper -> abstract -> paper)",
        ),
        # An error in each document: the first document's, in the project's order.
        (
            {"abstract.md": "\nSee [@nosuchkey].\n", "paper.md": "\nSee [@otherkey].\n"},
            "unknown citation key 'otherkey'",
        ),
    ],
    ids=["circle", "two-errors"],
)
def test_errors_are_reported_as_a_serial_build_reports_them(
    tmp_path: Path, edit: dict[str, str], expected: str
) -> None:
    scheduled, alone = two_copies(tmp_path, edit)
    run = run_build(scheduled)
    assert run.code == 1
    assert expected in run.stderr
    assert run.stderr.strip() == serial(alone)
    assert "Traceback" not in run.stderr


def schedule_of(tmp_path: Path) -> tuple[Schedule, Corpus]:
    project = load_project(copy_project("notes", tmp_path))
    plan = freshness.plan(project)
    s = Schedule(plan, None, None, hold=False)
    for name in ("paper", "abstract"):
        s.add(name)
    return s, Corpus(project)


def test_a_waiting_document_comes_back_first_once_its_dependency_is_read(
    tmp_path: Path,
) -> None:
    s, corpus = schedule_of(tmp_path)
    paper = s.next_task(0, corpus)
    abstract = s.next_task(1, corpus)
    assert paper is not None and abstract is not None
    assert (paper.name, abstract.name) == ("paper", "abstract"), "the largest first"
    _received(s, corpus, 1, ("wait", "abstract", "paper"))
    assert s.waiting == {"abstract": "paper"} and not s.all_read()
    assert s.next_task(1, corpus) is None, "nothing to do until the paper is read"
    cited = corpus.cited("paper")
    _received(s, corpus, 0, ("read", "paper", cited))
    again = s.next_task(1, corpus)
    assert again is not None and again.name == "abstract" and again.read
    assert set(again.known) == {"paper"}, "the paper's citations go with it"
    assert s.waiting == {}


def test_a_circle_of_waits_stops_the_schedule(tmp_path: Path) -> None:
    s, corpus = schedule_of(tmp_path)
    s.next_task(0, corpus), s.next_task(1, corpus)
    _received(s, corpus, 1, ("wait", "abstract", "paper"))
    with pytest.raises(PressroomError, match="circle"):
        _received(s, corpus, 0, ("wait", "paper", "abstract"))


def test_pages_prepared_ahead_hold_the_project_languages_hyphenation(tmp_path: Path) -> None:
    """What the parent readies for the workers while the lead document is cited: the
    hyphenation patterns of the project's language, read once (pyphen keeps them by file)."""
    import pyphen

    from pressroom import parallel

    project = copy_project("notes", tmp_path)
    meta = project / "manuscript" / "metadata.yaml"
    meta.write_text(meta.read_text("utf-8").replace("lang: en-US", "lang: nl-NL"), "utf-8")
    dutch = pyphen.LANGUAGES[pyphen.language_fallback("nl_NL")]
    pyphen.hdcache.pop(dutch, None)
    parallel.prepare_pages(load_project(project))
    assert dutch in pyphen.hdcache
