"""SVG figures in the DOCX carry a PNG of themselves, as Word stores an SVG picture, so that
LibreOffice and Word before 2016 show them too (render/docx_svg.py)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from pressroom.figure_cache import source_digest

from .conftest import Run, copy_project, run_build
from .ooxml.validate import invalid_parts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_build(copy_project("docx-svg", tmp_path_factory.mktemp("docx-svg")))
    assert run.code == 0, run.stderr
    return run


def pictures(path: Path) -> list[tuple[Image.Image, bytes]]:
    """Each picture of the document body: its own image (a:blip r:embed) and its SVG."""
    with zipfile.ZipFile(path) as z:
        document = z.read("word/document.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        out = []
        for blip in re.findall(r"<a:blip\b.*?</a:blip>", document, re.S):
            own = re.search(r'<a:blip r:embed="([^"]+)"', blip)
            svg = re.search(r'svgBlip\b[^>]*r:embed="([^"]+)"', blip)
            assert own and svg, blip
            image = Image.open(io.BytesIO(z.read("word/" + targets[own.group(1)])))
            out.append((image, z.read("word/" + targets[svg.group(1)])))
    return out


def test_each_svg_picture_has_a_png_of_itself(built: Run) -> None:
    path = built.build / "paper.docx"
    assert invalid_parts(path) == []
    source = (built.project / "manuscript" / "figures" / "box.svg").read_bytes()
    shown = pictures(path)
    assert len(shown) == 2 and all(svg == source for _, svg in shown)  # Word 2016 draws the SVG
    for image, _ in shown:
        assert image.format == "PNG"
        # One PNG for both uses, at the larger one's size (3 in x 1.5 in) at 300 dpi (PDFium
        # rounds a page's edge up to a whole pixel): drawn, not blank, the red box inside its
        # white margin.
        assert image.size in ((900, 450), (901, 451))
        rgb = image.convert("RGB")
        assert rgb.getpixel((450, 225)) == (0xCC, 0x00, 0x33)
        assert rgb.getpixel((30, 30)) == (255, 255, 255)


def test_the_png_is_kept_and_used_again(built: Run, tmp_path: Path) -> None:
    project = tmp_path / "docx-svg"
    shutil.copytree(built.project, project)
    cache = project / "build" / ".cache" / "figures"
    source = (project / "manuscript" / "figures" / "box.svg").read_bytes()
    (cached,) = cache.iterdir()
    assert cached.name.startswith(source_digest(source) + ".")
    # Another picture in the cache's place: a rebuild that drew the SVG again would not carry it.
    Image.new("RGB", (30, 20), "blue").save(cached)
    paper = project / "manuscript" / "paper.md"
    paper.write_text(paper.read_text("utf-8") + "\nA new line.\n", "utf-8")
    assert run_build(project).code == 0
    assert [image.size for image, _ in pictures(project / "build" / "paper.docx")] == [(30, 20)] * 2
    assert list(cache.iterdir()) == [cached]  # a build of everything keeps what it used
