"""watch's safety net under the incremental cite (watch._checked): once an edit's outputs are
built, a document cited incrementally is cited again in full; where the two differ, its outputs
are built again from the full cite, a warning says so, and the next edit starts from the full
cite. The fault is made here by spoiling what the incremental cite hands back (what is tested is
the net, not the incremental cite: tests/test_cite_incremental.py checks that)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from pressroom import cite_incremental, watch, weasy_incremental

PAPER = """---
title: "A Check of the Cite"
---
# Opening

The first paragraph names a report.[@report1987, 3] It says little more than that.

The second paragraph has no citation at all, and its words are the ones the edit changes.

The third paragraph closes the text with a note.^[A note of the author's own.]
"""
LIBRARY = """- id: report1987
  type: report
  title: Annual Report on Trade
  publisher: Ministry of Trade
  issued: {date-parts: [[1987]]}
"""
SPOILED = "Spoiled"  # a word the incremental cite's result is made to carry


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "check"
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "paper.md").write_text(PAPER, "utf-8")
    (root / "references" / "library.yaml").write_text(LIBRARY, "utf-8")
    (root / "manuscript" / "metadata.yaml").write_text("lang: en-US\n", "utf-8")
    cite_incremental.enable()
    try:
        yield root
    finally:
        cite_incremental.enable(False)
        cite_incremental.on_differ = None


def _spoil(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The incremental cite's AST gets a word the Markdown does not have; returns a list that
    records each cite read alone."""
    original = cite_incremental._again
    alone: list[bool] = []

    def spoiled(*args: Any) -> dict[str, Any] | None:
        ast = original(*args)
        if ast is not None:
            alone.append(True)
            para = next(b for b in ast["blocks"] if b["t"] == "Para")
            para["c"] += [{"t": "Space"}, {"t": "Str", "c": SPOILED}]
        return ast

    monkeypatch.setattr(cite_incremental, "_again", spoiled)
    return alone


def _texts(build: Path) -> dict[str, str]:
    pdf = "\n".join(page.extract_text() for page in PdfReader(build / "paper.pdf").pages)
    docx = "\n".join(p.text for p in Document(str(build / "paper.docx")).paragraphs)
    return {"html": (build / "paper.html").read_text("utf-8"), "pdf": pdf, "docx": docx}


def _started(project: Path, capfd: pytest.CaptureFixture[str]) -> watch.Preview:
    """watch's first build of the project done, and what it said read."""
    preview = watch.Preview(project, strict=False, overrides={})
    preview.rebuild()
    preview.wait(300)
    capfd.readouterr()
    return preview


def _edit(preview: watch.Preview, source: Path) -> None:
    text = source.read_text("utf-8")
    source.write_text(text.replace("the edit changes", "the edit has changed"), "utf-8")
    preview.rebuild({source})
    preview.wait(300)


def test_an_incremental_cite_that_differs_is_built_again_in_full(
    project: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    source = project / "manuscript" / "paper.md"
    preview = _started(project, capfd)
    alone = _spoil(monkeypatch)
    _edit(preview, source)
    said = capfd.readouterr().err
    assert alone, "the edit was not cited alone: the net was not tested"
    assert "[watch.cite-check]" in said, said
    for fmt, text in _texts(project / "build").items():
        assert "has changed" in text, fmt
        assert SPOILED not in text, f"paper.{fmt} kept the spoiled cite"
    assert source.resolve() not in cite_incremental.MEMORY  # the next edit cites in full
    assert preview.state.error is None


def test_an_incremental_cite_that_agrees_is_kept(
    project: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    source = project / "manuscript" / "paper.md"
    preview = _started(project, capfd)
    caplog.set_level(logging.INFO, logger="pressroom.incremental")  # (this process's records)
    _edit(preview, source)
    said = capfd.readouterr().err
    # The preview was drafted by the watch process itself, on its preview thread, while the
    # HTML was written (watch_preview.py), from the page the edit was spliced into.
    drafted = [r for r in caplog.records if r.threadName == "preview"]
    assert any("pdf preview: page 1 laid out again" in r.getMessage() for r in drafted), said
    kept = weasy_incremental.STORE[str(project / "build" / "paper.pdf")]
    assert "has changed" in kept.html
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(kept.pdf)).pages)
    assert "has changed" in text
    assert "cite-check" not in said, said
    assert re.search(r"built .*build/paper\.pdf", said), said
    assert cite_incremental.made_here(source.resolve()) is not None  # read alone, and kept
    for fmt, text in _texts(project / "build").items():
        assert "has changed" in text, fmt
