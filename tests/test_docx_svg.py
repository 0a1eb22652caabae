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


def targets(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """The relationships of `part` (word/NAME.xml), from its own relationships part."""
    rels = z.read(part.replace("word/", "word/_rels/") + ".rels").decode("utf-8")
    return dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))


def pictures(path: Path, part: str = "word/document.xml") -> list[tuple[Image.Image, bytes]]:
    """Each SVG picture of `part`: its own image (a:blip r:embed) and its SVG, each looked up
    in the part's own relationships, as a consumer does."""
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode("utf-8")
        named = targets(z, part)
        out = []
        for blip in re.findall(r"<a:blip\b.*?</a:blip>", xml, re.S):
            own = re.search(r'<a:blip r:embed="([^"]+)"', blip)
            svg = re.search(r'svgBlip\b[^>]*r:embed="([^"]+)"', blip)
            assert own and svg, blip
            image = Image.open(io.BytesIO(z.read("word/" + named[own.group(1)])))
            out.append((image, z.read("word/" + named[svg.group(1)])))
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


def test_pictures_in_notes_are_named_in_the_notes_relationships(built: Run) -> None:
    """pandoc names a note's picture only in the document's relationships; the notes' own
    part names it too, or Word reports unreadable content and LibreOffice shows nothing."""
    path = built.build / "paper.docx"
    source = (built.project / "manuscript" / "figures" / "box.svg").read_bytes()
    ((image, svg),) = pictures(path, "word/footnotes.xml")  # the SVG, with its PNG
    assert svg == source and image.convert("RGB").getpixel((450, 225)) == (0xCC, 0x00, 0x33)
    with zipfile.ZipFile(path) as z:
        notes = z.read("word/footnotes.xml").decode("utf-8")
        named = targets(z, "word/footnotes.xml")
        embeds = re.findall(r'r:embed="([^"]+)"', notes)
        assert len(embeds) == 3  # the SVG, its PNG, and the blue PNG
        for rid in embeds:
            z.getinfo("word/" + named[rid])  # present in the package
        blue = Image.open(io.BytesIO(z.read("word/" + named[embeds[-1]])))
        assert blue.convert("RGB").getpixel((20, 10)) == (0x30, 0x60, 0xC0)
