"""The DOCX as an editor or a journal's system opens it: schema-valid, notes numbered 1..n
through the document, numbered pages, table cells without a first-line indent."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from tests.conftest import Run
from tests.ooxml.validate import invalid_parts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_files(*runs: Run) -> list[Path]:
    return sorted(path for run in runs for path in run.build.glob("*.docx"))


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def test_every_docx_is_schema_valid(notes_build: Run, default_build: Run) -> None:
    files = docx_files(notes_build, default_build)
    assert len(files) >= 4
    faults = {f.name: invalid_parts(f) for f in files}
    assert not any(faults.values()), faults


def test_validator_finds_a_schema_fault(notes_build: Run, tmp_path: Path) -> None:
    """The same document with pgMar's required header/footer/gutter removed (what pandoc's
    default reference document produced) is reported, with the part and line."""
    source = notes_build.build / "paper.docx"
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = re.sub(rb' w:(header|footer|gutter)="\d+"', b"", data)
            dst.writestr(item, data)
    faults = invalid_parts(broken)
    assert faults and all(f.startswith("word/document.xml:") for f in faults)
    assert any("w:pgMar" in f and "w:header" in f for f in faults)


@pytest.mark.parametrize("name", ["notes", "default"])
def test_note_numbers_run_through_the_document(
    name: str, notes_build: Run, default_build: Run
) -> None:
    """No numRestart other than `continuous` in the section or the settings (LibreOffice reads
    pandoc's default `eachSect` as a restart at every level-1 heading), and the notes in
    footnotes.xml are those the text calls, in the order it calls them."""
    path = (notes_build if name == "notes" else default_build).build / "paper.docx"
    document, settings = part(path, "word/document.xml"), part(path, "word/settings.xml")
    restarts = [
        e.get(f"{W}val") for root in (document, settings) for e in root.iter(f"{W}numRestart")
    ]
    assert restarts and set(restarts) == {"continuous"}
    calls = [int(e.get(f"{W}id")) for e in document.iter(f"{W}footnoteReference")]
    notes = [
        int(e.get(f"{W}id"))
        for e in part(path, "word/footnotes.xml").iter(f"{W}footnote")
        if e.get(f"{W}type") is None  # not the separator and continuation separator
    ]
    assert calls and calls == notes == sorted(calls)
    assert len(set(calls)) == len(calls)


def test_pages_are_numbered_with_a_running_head(notes_build: Run) -> None:
    path = notes_build.build / "paper.docx"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    document = part(path, "word/document.xml")
    sect = document.find(f"{W}body/{W}sectPr")
    kinds = {e.tag for e in sect if e.tag in (f"{W}headerReference", f"{W}footerReference")}
    assert kinds == {f"{W}headerReference", f"{W}footerReference"}

    def instructions(prefix: str) -> list[str]:
        return [
            (e.get(f"{W}instr") or "").split()[0]
            for n in names
            if n.startswith(f"word/{prefix}")
            for e in part(path, n).iter(f"{W}fldSimple")
        ]

    assert "PAGE" in instructions("footer")
    assert "TITLE" in instructions("header")


def test_table_cells_have_no_first_line_indent(default_build: Run) -> None:
    """Cells are "Compact", which pandoc bases on Body Text (indented 1 cm at 1.5 lines)."""
    d = docx.Document(str(default_build.build / "paper.docx"))
    assert d.tables
    styles = {
        p.style.name for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs
    }
    for name in styles:
        fmt = d.styles[name].paragraph_format
        assert fmt.first_line_indent in (None, 0), name
        assert fmt.line_spacing in (None, 1.0), name
