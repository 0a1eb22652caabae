r"""Math in the DOCX, schema-valid where pandoc's OMML is not (render/docx_math.py): text inside
math (`\text{}`, `\textbf{}`, `\mbox{}`), which pandoc marks both as Word's normal text and
with a math style, keeps its style in the run's Word properties; a matrix's (`cases`) column
properties are put in the schema's order."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pressroom import pandoc
from pressroom.render.docx_math import valid_math

from .conftest import Run, copy_project, run_build
from .ooxml.validate import invalid_parts

M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_build(copy_project("docx-math", tmp_path_factory.mktemp("docx-math")))
    assert run.code == 0, run.stderr
    return run


def text_runs(path: Path, part: str) -> dict[str, etree._Element]:
    """The math runs marked as normal text in `part`, by their text."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read(part))
    return {
        "".join(r.itertext()).strip(): r
        for r in root.iter(f"{M}r")
        if r.find(f"{M}rPr/{M}nor") is not None
    }


@pytest.mark.parametrize(
    ("tex", "fault"),
    [
        (b"$x \\textbf{if} y$", "math}sty"),  # normal text with a math style
        (b"$\\begin{cases} 1 & x \\\\ 0 & y \\end{cases}$", "math}count"),  # columns out of order
    ],
)
def test_pandocs_own_omml_fails_the_schema(tex: bytes, fault: str, tmp_path: Path) -> None:
    """What the fix is for: the pinned pandoc's DOCX of such math is invalid as it comes, and
    valid once its parts are passed through valid_math."""
    out, _ = pandoc.run(["-f", "markdown", "-t", "docx", "-o", "-"], tex + b"\n")
    raw = tmp_path / "raw.docx"
    raw.write_bytes(out)
    assert any(fault in line for line in invalid_parts(raw))
    fixed = tmp_path / "fixed.docx"
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = valid_math(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    assert invalid_parts(fixed) == []


def test_text_in_math_is_schema_valid_and_keeps_its_style(built: Run) -> None:
    path = built.build / "paper.docx"
    assert invalid_parts(path) == []
    runs = text_runs(path, "word/document.xml")
    assert {"if", "with", "bold", "italic", "code", "text"} <= set(runs)
    for text, run in runs.items():
        assert run.find(f"{M}rPr/{M}sty") is None and run.find(f"{M}rPr/{M}scr") is None, text
    assert runs["bold"].find(f"{W}rPr/{W}b") is not None
    assert runs["italic"].find(f"{W}rPr/{W}i") is not None
    style = runs["code"].find(f"{W}rPr/{W}rStyle")
    assert style is not None and style.get(f"{W}val") == "VerbatimChar"
    assert runs["if"].find(f"{W}rPr") is None  # upright text: Word's normal text as it is


def test_text_in_math_in_a_note(built: Run) -> None:
    runs = text_runs(built.build / "paper.docx", "word/footnotes.xml")
    assert (
        runs["noted"].find(f"{W}rPr/{W}b") is not None
        and runs["noted"].find(f"{M}rPr/{M}sty") is None
    )
