"""Issue 10: a figure written as a PDF file (`![Caption](figures/x.pdf)`, as in
phd_thesis_markdown) is drawn as a 300-dpi PNG and carried by every output; a PDF that cannot be
drawn is a located error. The PDFs are made here, with WeasyPrint and pikepdf."""

from __future__ import annotations

import base64
import io
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from weasyprint import HTML

from pressroom.errors import PressroomError
from pressroom.figure_cache import source_digest
from pressroom.pdf_figure import _draw

from .conftest import PROJECTS, Run, run_build

WHERE = (Path("paper.md"), 3)


def figure_pdf(width_in: float, height_in: float, pages: int = 1) -> bytes:
    """A PDF of `pages` pages, each `width_in` x `height_in` inches and filled with one colour."""
    box = f'<div style="height: {height_in}in; background: #c03"></div>'
    boxes = box * pages
    css = (
        f"@page {{ size: {width_in}in {height_in}in; margin: 0 }} body {{ margin: 0 }} "
        "div { break-after: page }"
    )
    pdf = HTML(string=f"<style>{css}</style>{boxes}").write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def write_project(dest: Path, figure: bytes, markdown: str) -> Path:
    """A small project (metadata and library of tests/projects/broken-image-missing) whose
    paper is `markdown`, with `figure` at manuscript/figures/plot.pdf."""
    project = dest / "pdffig"
    shutil.copytree(PROJECTS / "broken-image-missing", project)
    (project / "manuscript" / "figures").mkdir()
    (project / "manuscript" / "figures" / "plot.pdf").write_bytes(figure)
    (project / "manuscript" / "paper.md").write_text(markdown, "utf-8")
    return project


PAPER = "# Results\n\nThe plot.\n\n![A plot drawn as a PDF](figures/plot.pdf)\n\nAfter it.\n"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Run:
    project = write_project(tmp_path_factory.mktemp("pdffig"), figure_pdf(2, 1, pages=3), PAPER)
    run = run_build(project)
    assert run.code == 0, run.stderr
    return run


def png_sizes(data: bytes) -> list[tuple[int, int]]:
    """The pixel size of each PNG embedded as a data: URL in an HTML file."""
    found = re.findall(rb"data:image/png;base64,([A-Za-z0-9+/=]+)", data)
    return [Image.open(io.BytesIO(base64.b64decode(b))).size for b in found]


def test_pdf_has_the_figure_at_300_dpi(built: Run) -> None:
    with pikepdf.open(built.build / "paper.pdf") as pdf:
        sizes = [
            (int(image.Width), int(image.Height))
            for page in pdf.pages
            for image in page.get_images().values()
        ]
    assert sizes == [(600, 300)]


def test_html_carries_the_png_at_its_own_width(built: Run) -> None:
    html = (built.build / "paper.html").read_bytes()
    assert png_sizes(html) == [(600, 300)]
    assert b'style="width:2in"' in html


def test_docx_carries_the_png(built: Run) -> None:
    with zipfile.ZipFile(built.build / "paper.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        sizes = [Image.open(io.BytesIO(docx.read(n))).size for n in media]
        document = docx.read("word/document.xml").decode("utf-8")
    assert sizes == [(600, 300)]
    # 2 inches wide in EMU (914400 per inch).
    assert 'cx="1828800"' in document


def test_multipage_pdf_warns_at_the_figure(built: Run) -> None:
    assert (
        "pdffig/manuscript/paper.md:5: warning: figure 'figures/plot.pdf' has 3 pages; only "
        "the first is shown [asset.pdf-pages]"
    ) in built.stderr


def test_the_pdf_is_an_input_and_its_png_is_cached(built: Run) -> None:
    deps = "".join(p.read_text("utf-8") for p in built.build.rglob("*.d"))
    assert "figures/plot.pdf" in deps
    cached = list((built.build / ".cache" / "figures").glob("*.png"))
    assert [Image.open(p).size for p in cached] == [(600, 300)]
    # Drawn, not blank: the page's colour fills it.
    assert Image.open(cached[0]).convert("RGB").getpixel((300, 150)) == (0xCC, 0x00, 0x33)


def test_a_rebuild_uses_the_cached_png(built: Run, tmp_path: Path) -> None:
    project = tmp_path / "pdffig"
    shutil.copytree(built.project, project)
    # A different picture in the cache's place: a rebuild that drew the PDF again would not
    # carry it.
    (cached,) = (project / "build" / ".cache" / "figures").glob("*.png")
    Image.new("RGB", (30, 20), "blue").save(cached)
    paper = project / "manuscript" / "paper.md"
    paper.write_text(paper.read_text("utf-8") + "\nA new line.\n", "utf-8")
    run = run_build(project, "--to", "html")
    assert run.code == 0, run.stderr
    assert png_sizes((project / "build" / "paper.html").read_bytes()) == [(30, 20)]


def test_a_figure_no_output_uses_leaves_the_cache(built: Run, tmp_path: Path) -> None:
    """build/.cache/figures keeps what the outputs are made from: a figure taken out of the
    paper keeps its PNG while an output still made from it remains (a build of the HTML
    alone), and loses it at the next build of everything."""
    project = tmp_path / "pdffig"
    shutil.copytree(built.project, project)
    cache = project / "build" / ".cache" / "figures"
    old = source_digest((project / "manuscript" / "figures" / "plot.pdf").read_bytes())
    other = figure_pdf(1, 1)
    (project / "manuscript" / "figures" / "other.pdf").write_bytes(other)
    paper = project / "manuscript" / "paper.md"
    paper.write_text(paper.read_text("utf-8").replace("plot.pdf", "other.pdf"), "utf-8")

    def sources() -> set[str]:
        return {p.name.split(".", 1)[0] for p in cache.iterdir()}

    assert run_build(project, "--to", "html").code == 0
    assert sources() == {old, source_digest(other)}  # the PDF and DOCX are still made from it
    assert run_build(project).code == 0
    assert sources() == {source_digest(other)}
    assert len(list(cache.iterdir())) == 2  # the PNG and its size


def test_a_broken_pdf_is_a_located_error(tmp_path: Path) -> None:
    project = write_project(tmp_path, b"%PDF-1.7\nnot really a PDF\n", PAPER)
    run = run_build(project, "--to", "html")
    assert run.code == 1
    assert "Traceback" not in run.stderr
    assert re.search(
        r"pdffig/manuscript/paper.md:5: error: PDF figure 'figures/plot.pdf' cannot be read .*"
        r"\[asset.pdf\]",
        run.stderr,
    ), run.stderr


def test_an_encrypted_pdf_is_refused() -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(figure_pdf(1, 1))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(PressroomError, match="is encrypted") as err:
        _draw(out.getvalue(), "x.pdf", WHERE)
    assert (err.value.kind, err.value.line) == ("asset.pdf", 3)


def test_a_broken_or_empty_pdf_says_what_is_wrong_in_the_authors_terms() -> None:
    with pytest.raises(PressroomError) as err:
        _draw(b"%PDF-1.7\nnot really a PDF\n", "x.pdf", WHERE)
    assert err.value.message.startswith("PDF figure 'x.pdf' cannot be read (")
    assert "BytesIO" not in err.value.message and " at 0x" not in err.value.message
    with pytest.raises(PressroomError, match=r"PDF figure 'x\.pdf' is an empty file$"):
        _draw(b"", "x.pdf", WHERE)


def test_a_pdf_with_no_pages_is_refused() -> None:
    out = io.BytesIO()
    pikepdf.new().save(out)
    with pytest.raises(PressroomError, match="has no pages") as err:
        _draw(out.getvalue(), "x.pdf", WHERE)
    assert err.value.kind == "asset.pdf"


def test_a_huge_page_is_drawn_smaller() -> None:
    figure = _draw(figure_pdf(40, 10), "x.pdf", WHERE)
    assert Image.open(io.BytesIO(figure.png)).size == (6000, 1500)
    assert figure.width_in == pytest.approx(40)
