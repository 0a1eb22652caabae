"""watch's preview PDF: written untagged with fast compression before the final tagged PDF,
from the same layout; the final PDF is the one a plain build writes, byte for byte."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import pydyf
from pypdf import PdfReader

from pressroom import freshness
from pressroom.assets import embed_assets
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.errors import Diagnostics
from pressroom.model import Output
from pressroom.pipeline import Request, build, write_draft
from pressroom.render import render_document

from .conftest import Run
from .readers import note_pages, pdf_pages


def built_copy(run: Run, dest: Path) -> Path:
    target = dest / run.project.name
    shutil.copytree(run.project, target)
    return target


def test_preview_has_the_final_pages_untagged_and_the_final_pdf_is_unchanged(
    notes_build: Run, tmp_path: Path
) -> None:
    project = load_project(built_copy(notes_build, tmp_path))
    cited = embed_assets(Corpus(project).cited("paper"), project)
    drafts: list[Output] = []
    (final,) = render_document(
        cited, project, {"pdf"}, Diagnostics(project.root), draft=drafts.append
    )
    plain = notes_build.build / "paper.pdf"
    assert final.data == plain.read_bytes()  # the same bytes as a build without a preview
    (draft,) = drafts
    assert draft.path == final.path
    preview = tmp_path / "preview.pdf"
    preview.write_bytes(draft.data)
    assert pdf_pages(preview) == pdf_pages(plain)
    assert note_pages(preview) == note_pages(plain)
    assert tagged(plain) and not tagged(preview)
    assert len(draft.data) != len(final.data)  # written anew, not a copy of the final
    assert pydyf.zlib is zlib  # the preview's fast compression is put back


def tagged(path: Path) -> bool:
    """A structure tree in the catalog: the PDF/UA tags a screen reader reads."""
    return "/StructTreeRoot" in PdfReader(path).trailer["/Root"]


def test_a_preview_left_in_place_is_stale_until_the_final_pdf_replaces_it(
    notes_build: Run, tmp_path: Path
) -> None:
    project = load_project(built_copy(notes_build, tmp_path))
    pdf = project.output("paper", "pdf")
    assert "paper" not in freshness.plan(project).stale
    write_draft(project, Output(pdf, b"%PDF-1.7 preview", frozenset()))
    assert freshness.plan(project).stale.get("paper") == {"pdf"}  # no record: rebuilt
    request = Request(targets=frozenset({"paper.pdf"}), parallel=False, preview=True)
    result = build(project, request, Diagnostics(project.root))
    assert result.built == ["paper.pdf"] and not result.errors
    assert pdf.read_bytes() == (notes_build.build / "paper.pdf").read_bytes()
    assert "paper" not in freshness.plan(project).stale
