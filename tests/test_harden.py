"""Issue 16: nothing lost, nothing run, nothing stale. A source saved during a build, a file
name make would run, a copied project, and the limits that stop bad work."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pressroom import pipeline
from pressroom.config import load_project
from pressroom.depfile import CHANGED_DURING_BUILD, read_record
from pressroom.errors import Diagnostics
from pressroom.safety import svg_links

from .conftest import PROJECTS, ROOT, run_build

PAPER = "---\ntitle: A Small Paper\nformats: [html]\n---\n\n{text}\n"


def small_project(dest: Path, text: str = "First words.") -> Path:
    """A one-document project with only an HTML output (fast to build)."""
    (dest / "manuscript").mkdir(parents=True)
    (dest / "references").mkdir()
    (dest / "manuscript" / "metadata.yaml").write_text('authors: [{name: "Ann Author"}]\n')
    (dest / "manuscript" / "paper.md").write_text(PAPER.format(text=text))
    return dest


def make(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-f", str(ROOT / "Makefile")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_a_source_saved_during_the_build_is_rebuilt_by_the_next_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = small_project(tmp_path / "p")
    source = project / "manuscript" / "paper.md"
    real = pipeline.render_document

    def render_then_save(*args, **kwargs):  # type: ignore[no-untyped-def]
        # The author saves while the output is being made from the text read before.
        source.write_text(PAPER.format(text="Second words."))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "render_document", render_then_save)
    pipeline.build(load_project(project), pipeline.Request(), Diagnostics())
    monkeypatch.undo()
    html = project / "build" / "paper.html"
    assert "First words." in html.read_text()
    record = read_record(project / "build", html)
    assert record is not None and record[source.resolve()] == CHANGED_DURING_BUILD
    run = make(project)
    assert run.returncode == 0, run.stderr
    assert "Second words." in html.read_text(), "the next make rebuilt from the saved text"
    again = make(project)
    assert "Nothing to be done" in again.stdout + again.stderr or "up to date" in again.stdout


@pytest.mark.slow
def test_a_copied_project_rebuilds_when_edited(tmp_path: Path) -> None:
    first = small_project(tmp_path / "paper")
    assert make(first).returncode == 0
    copy = tmp_path / "paper-v2"
    shutil.copytree(first, copy)  # keeps mtimes, as `cp -rp`
    record = (copy / "build" / ".deps" / "paper.html.json").read_text()
    assert str(first) not in record, "project files are recorded relative to the project"
    (copy / "manuscript" / "paper.md").write_text(PAPER.format(text="Words of version two."))
    run = make(copy)
    assert run.returncode == 0, run.stderr
    assert "Words of version two." in (copy / "build" / "paper.html").read_text()
    assert "First words." in (first / "build" / "paper.html").read_text()


@pytest.mark.slow
def test_a_document_name_make_would_run_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    evil = project / "manuscript" / "$(shell touch pwned).md"
    evil.write_text(PAPER.format(text="x"))
    run = run_build(project)
    assert run.code == 1
    assert run.stderr.strip() == (
        "p/manuscript/$(shell touch pwned).md: error: make cannot use this file name for a "
        "document's outputs; rename it with letters, digits, '-', '_' and '.' only [config.name]"
    )
    assert "Traceback" not in run.stderr
    assert not (project / "build" / "paper.html").exists()
    make(project)
    assert not list(tmp_path.rglob("pwned")), "make ran a command from a file name"


@pytest.mark.slow
def test_input_names_reach_make_escaped(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    data = project / "manuscript" / "data"
    data.mkdir()
    (data / "odd $(shell touch pwned) #1;x.yaml").write_text("a: 1\n")
    (data / "plain name.yaml").write_text("b: 2\n")
    source = project / "manuscript" / "paper.md"
    odd = "{{ data['odd $(shell touch pwned) #1;x'].a }}"
    source.write_text(PAPER.format(text=f"A is {{{{ data['plain name'].b }}}}, {odd}."))
    assert make(project).returncode == 0
    built = (project / "build" / ".deps" / "built.d").read_text()
    assert "manuscript/data/plain\\ name.yaml" in built
    assert "$(shell" not in built and "always-rebuild" in built
    html = project / "build" / "paper.html"
    assert "A is 2, 1." in html.read_text()
    before = html.stat().st_mtime_ns
    assert make(project).returncode == 0  # runs the build (make cannot see the odd name)...
    assert html.stat().st_mtime_ns == before, "...which finds nothing stale"
    (data / "plain name.yaml").write_text("b: 3\n")
    assert make(project).returncode == 0
    assert "A is 3, 1." in html.read_text()
    assert not list(tmp_path.rglob("pwned"))


def test_image_names_pandoc_percent_encodes_resolve(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    figures = project / "manuscript" / "figures"
    figures.mkdir()
    png = PROJECTS / "broken-image-name" / "manuscript" / "figures" / "notes 1983 (copy).png"
    shutil.copy(png, figures / "figure one (1).png")
    shutil.copy(png, figures / "plan [draft].png")
    text = "![One](<figures/figure one (1).png>)\n\n![Plan](<figures/plan [draft].png>)"
    (project / "manuscript" / "paper.md").write_text(PAPER.format(text=text))
    run = run_build(project)
    assert run.code == 0, run.stderr
    html = (project / "build" / "paper.html").read_text()
    assert html.count('src="data:image/png;base64,') == 2


def test_svg_references_outside_itself_are_found() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg">\n<rect fill="url(#g)"/><use href="#a"/>\n'
        '<image href="data:image/png;base64,AAAA"/>\n<image href="beside.png"/>\n'
        "<style>@import 'fonts.css'; rect { fill: url(tile.png) }</style>\n</svg>"
    )
    assert svg_links(svg) == [("beside.png", 4), ("fonts.css", 5), ("tile.png", 5)]


def test_stylesheet_warnings_name_the_stylesheet_line(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    (project / "templates").mkdir()
    css = "/* The project's print layout. */\n@page { size: A4; }\n.x { colour: red; }\n"
    (project / "templates" / "print.css").write_text(css)
    source = project / "manuscript" / "paper.md"
    source.write_text(PAPER.format(text="Text.").replace("[html]", "[pdf]"))
    run = run_build(project)
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines()[0] == (
        "p/templates/print.css:3: warning: Ignored `colour: red`, unknown property. "
        "[pdf.weasyprint]"
    )


def test_a_pandoc_timeout_names_the_document(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    run = run_build(project, env={"PRESSROOM_PANDOC_TIMEOUT": "0.001"})
    assert run.code == 1
    assert run.stderr.strip() == (
        "p/manuscript/paper.md: error: pandoc took longer than 0.001 s (a pathological input?); "
        "raise the limit with PRESSROOM_PANDOC_TIMEOUT (seconds) [pandoc.timeout]"
    )
    assert not (project / "build" / "paper.html").exists()
