"""The one-page talk handout: what it carries, A4 and Letter, and a clear error when it spills."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from .conftest import PROJECTS, Run, copy_project, run_build
from .readers import pdf_pages

SOURCE = PROJECTS / "handout" / "manuscript"
META = yaml.safe_load((SOURCE / "metadata.yaml").read_text("utf-8"))


def check_handout(pdf: Path, width: float, height: float) -> None:
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(width), round(height))
    text = " ".join(pdf_pages(pdf)[0].split()).replace("‐ ", "").replace("‐", "-")
    assert META["title"] in text
    author = META["authors"][0]
    assert author["name"] in text and author["affiliation"] in text
    assert "May 9, 2030, 2:30 p.m. WEST" in text, "the session as en-US writes it"
    conference = META["conference"]
    assert conference["name"] in text
    assert conference["place"] in text and conference["dates"] in text
    assert conference["session"]["title"] in text
    abstract = (SOURCE / "partials" / "abstract.md").read_text("utf-8").split()
    assert " ".join(abstract[:10]) in text, "the single-sourced abstract"
    assert "The argument" in text and "States bought them out." in text
    timeline = yaml.safe_load((SOURCE / "data" / "timeline.yaml").read_text("utf-8"))
    for row in timeline:
        shown = row["event"] in text and row["date"] in text
        assert shown == bool(row.get("handout")), row
    # Formatted by citeproc, in the bibliography's form (CMOS 18 leaves out the place).
    assert "Keeper, Thomas. The Lights of the Coast: A History. Example Press, 2001." in text
    assert META["url"] in text
    # WeasyPrint draws the QR code's SVG as vector paths: hundreds of modules on the page,
    # where the rest of the handout draws only a few rules.
    drawing = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert drawing.count(" m\n") > 150, "the QR code is drawn on the page"


def test_handout_is_one_a4_page_with_everything(handout_build: Run) -> None:
    check_handout(handout_build.build / "handout.pdf", 595.28, 841.89)
    html = BeautifulSoup((handout_build.build / "handout.html").read_text("utf-8"), "html.parser")
    qr = html.select_one("img.qr")
    assert (
        qr["src"].startswith("data:image/svg+xml") and "xmlns" in unquote(qr["src"]) and qr["alt"]
    )
    assert html.select_one(f'a[href="{META["url"]}"]')
    assert not (handout_build.build / "handout.docx").exists()


def test_handout_on_us_letter(tmp_path: Path) -> None:
    project = copy_project("handout", tmp_path)
    run = run_build(project, "--paper", "letter", "build", "handout.pdf")
    assert run.code == 0, run.stderr
    check_handout(project / "build" / "handout.pdf", 612, 792)
    # A Letter build, or a partial one, is not what `make` builds: make's stamp stays unset, so
    # the next `make` brings the A4 handout (and every other output) back.
    assert not (project / "build" / ".deps" / "built").exists()
    again = run_build(project, "build", "handout.pdf")
    assert again.code == 0 and "build/handout.pdf (" in again.stderr, again.stderr
    assert (
        round(float(PdfReader(project / "build" / "handout.pdf").pages[0].mediabox.height)) == 842
    )


def test_handout_that_spills_says_by_how_much(tmp_path: Path) -> None:
    project = copy_project("handout-long", tmp_path)
    run = run_build(project)
    assert run.code == 1
    line = run.stderr.strip()
    assert line.startswith("handout-long/manuscript/handout.md: error: handout runs to ")
    assert "it must fit on one (about " in line and "lines" in line
    assert line.endswith("too long) [limit.pages]")
    assert "Traceback" not in run.stderr
    assert not (project / "build" / "handout.pdf").exists()
