"""The repository's own project builds, whatever paper it holds: every output of every
document, each PDF note on its call's page and each one a real Word footnote. (What the sample
paper itself says is checked apart, by `make content-check`: tests/content/.)"""

from __future__ import annotations

from .conftest import ROOT, Run
from .readers import docx_footnotes, note_pages

DOCUMENTS = sorted(p.stem for p in (ROOT / "manuscript").glob("*.md"))


def test_every_document_builds(default_build: Run) -> None:
    assert default_build.code == 0
    assert "Traceback" not in default_build.stderr
    built = {p.stem for p in default_build.build.iterdir() if p.is_file()}
    assert built == set(DOCUMENTS), "each document has its outputs"
    for name in DOCUMENTS:
        for path in default_build.build.glob(f"{name}.*"):
            assert path.read_bytes()[:4] in (b"%PDF", b"PK\x03\x04", b"<!DO"), path


def test_every_note_is_on_its_calls_page(default_build: Run) -> None:
    for pdf in sorted(default_build.build.glob("*.pdf")):
        pages = note_pages(pdf)
        assert list(pages) == list(range(1, len(pages) + 1)), f"{pdf.name}: numbered in order"
        assert {n: p for n, p in pages.items() if p[0] != p[1]} == {}, pdf.name
        docx = pdf.with_suffix(".docx")
        if docx.is_file():
            assert len(docx_footnotes(docx)) == len(pages), docx.name
    assert "footnote-placement" not in default_build.stderr
