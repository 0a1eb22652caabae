"""Rebuild exactly what an edit touched: each kind of input, and the set of outputs remade."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, BuiltTree, run_build

DOCS = ("paper", "abstract", "appendix")
ALL = {f"{d}.{f}" for d in DOCS for f in ("html", "docx", "pdf")}


def stamps(build: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of each output. Every write is a rename of a new file, so a rebuilt
    output has a new inode; an output only brought forward in time (its inputs were saved
    again unchanged) keeps its inode and its bytes."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in build.iterdir() if p.is_file()}


@pytest.fixture
def project(incremental: BuiltTree) -> Path:
    """The built project, as the build left it."""
    project = incremental.fresh()
    assert set(stamps(project / "build")) == ALL
    return project


def rebuilt(project: Path) -> set[str]:
    before = stamps(project / "build")
    run = run_build(project)
    assert run.code == 0, run.stderr
    after = stamps(project / "build")
    return {name for name in after if after[name][0] != before.get(name, (None,))[0]}


def touch_later(path: Path) -> None:
    """Date an edited file after every output (filesystems with coarse mtimes)."""
    build = next(p / "build" for p in path.parents if (p / "build").is_dir())
    later = max(p.stat().st_mtime for p in build.rglob("*")) + 1  # make's stamp included
    os.utime(path, (later, later))


def change(project: Path, relpath: str, old: str, new: str) -> None:
    path = project / relpath
    text = path.read_text("utf-8")
    assert old in text, (relpath, old)
    path.write_text(text.replace(old, new, 1), "utf-8")
    touch_later(path)


def test_nothing_changed_nothing_rebuilt(project: Path) -> None:
    assert rebuilt(project) == set()
    assert rebuilt(project) == set()


def test_identical_rewrite_rebuilds_nothing(project: Path) -> None:
    for rel in ("manuscript/paper.md", "references/library.yaml", "templates/print.css"):
        path = project / rel
        path.write_bytes(path.read_bytes())
        touch_later(path)
    assert rebuilt(project) == set()


def test_print_css_rebuilds_the_pdfs_only(project: Path) -> None:
    change(project, "templates/print.css", "font-size: 10.5pt;", "font-size: 11pt;")
    assert rebuilt(project) == {"paper.pdf", "abstract.pdf", "appendix.pdf"}


def test_page_template_rebuilds_the_html_only(project: Path) -> None:
    change(project, "templates/page.html.j2", "Skip to the text", "Skip to the paper")
    assert rebuilt(project) == {"paper.html", "abstract.html", "appendix.html"}


def test_paper_paragraph_rebuilds_the_paper_only(project: Path) -> None:
    change(project, "manuscript/paper.md", "A second paragraph", "A second, longer paragraph")
    assert rebuilt(project) == {"paper.html", "paper.docx", "paper.pdf"}


def test_new_citation_in_the_paper_also_rebuilds_the_appendix(project: Path) -> None:
    # The appendix says in which notes the paper cites each source.
    change(project, "manuscript/paper.md", "with a figure.", "with a figure.[@report1987, 9]")
    assert rebuilt(project) == {
        f"{d}.{f}" for d in ("paper", "appendix") for f in ("html", "docx", "pdf")
    }
    assert "Cited in notes 1, 2." in (project / "build" / "appendix.html").read_text("utf-8")


def test_shared_abstract_rebuilds_every_document_that_includes_it(project: Path) -> None:
    change(project, "manuscript/partials/abstract.md", "two documents", "both documents")
    assert rebuilt(project) == {
        f"{d}.{f}" for d in ("paper", "abstract") for f in ("html", "docx", "pdf")
    }


def test_library_rebuilds_the_documents_that_cite(project: Path) -> None:
    change(project, "references/library.yaml", "A Yearbook", "A Year Book")
    assert rebuilt(project) == {
        f"{d}.{f}" for d in ("paper", "appendix") for f in ("html", "docx", "pdf")
    }


def test_data_rebuilds_the_documents_that_read_it(project: Path) -> None:
    change(project, "manuscript/data/timeline.yaml", "An agreement", "A treaty")
    assert rebuilt(project) == {"paper.html", "paper.docx", "paper.pdf"}


def test_new_data_file_rebuilds_nothing(project: Path) -> None:
    (project / "manuscript" / "data" / "extra.yaml").write_text("- 1\n", "utf-8")
    assert rebuilt(project) == set()


def test_image_rebuilds_the_paper_and_a_removed_one_is_an_error(project: Path) -> None:
    image = project / "manuscript" / "figures" / "dot.png"
    data = image.read_bytes()
    image.write_bytes(data[:-1] + b"\x00")
    touch_later(image)
    assert rebuilt(project) == {"paper.html", "paper.docx", "paper.pdf"}
    image.unlink()
    before = stamps(project / "build")
    run = run_build(project)
    assert run.code == 1
    assert "image 'figures/dot.png' not found [asset.missing]" in run.stderr
    assert stamps(project / "build") == before, "the last good outputs stay"
    image.write_bytes(data)
    assert rebuilt(project) == {"paper.html", "paper.docx", "paper.pdf"}


def make(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "--no-print-directory"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_make_is_a_no_op_then_rebuilds_what_an_edit_touched(project: Path) -> None:
    first = make(project)  # writes build/.deps/outputs.mk; every output is already current
    assert first.returncode == 0, first.stderr
    before = stamps(project / "build")
    again = make(project)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout
    assert stamps(project / "build") == before
    change(project, "manuscript/abstract.md", "label: Abstract", "label: Summary")
    edited = make(project)
    assert edited.returncode == 0, edited.stderr
    after = stamps(project / "build")
    changed = {n for n in after if after[n][0] != before[n][0]}
    assert changed == {"abstract.html", "abstract.docx", "abstract.pdf"}
    # A deleted include is no error from make about a missing prerequisite: the build says where.
    (project / "manuscript" / "partials" / "abstract.md").unlink()
    broken = make(project)
    assert broken.returncode != 0
    assert "No rule to make target" not in broken.stderr
    assert "include not found: partials/abstract.md" in broken.stderr
