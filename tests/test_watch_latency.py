"""Issue 15: in watch, an edit's preview PDF comes first. The slow phase (a forked builder)
drafts the edited document's preview PDF before its DOCX and before any other stale
document, and cites nothing again: the HTML phase's cited documents are handed over while
their sources are unchanged; a source saved since is read again."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pressroom import documents, pipeline
from pressroom.depfile import now
from pressroom.scaffold import scaffold
from pressroom.watch import Preview


class Events:
    """What the builders do, in order, as lines of a file (the forked builder inherits the
    patches and appends to the same file): `THREAD cite NAME`, `THREAD draft FILE`,
    `THREAD write FILE`, `THREAD load library`."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        cite, draft, write = documents.cite, pipeline.write_draft, pipeline.write_outputs
        library = documents.load_library

        def loaded(project: Any) -> Any:
            self._say("load", "library")
            return library(project)

        def cited(assembled: Any, *args: Any) -> Any:
            self._say("cite", assembled.doc.name)
            return cite(assembled, *args)

        def drafted(project: Any, output: Any) -> None:
            self._say("draft", output.path.name)
            draft(project, output)

        def written(project: Any, outputs: list[Any]) -> None:
            for output in outputs:
                self._say("write", output.path.name)
            write(project, outputs)

        monkeypatch.setattr(documents, "cite", cited)
        monkeypatch.setattr(documents, "load_library", loaded)
        monkeypatch.setattr(pipeline, "write_draft", drafted)
        monkeypatch.setattr(pipeline, "write_outputs", written)

    def _say(self, what: str, name: str) -> None:
        with open(self.path, "a", encoding="utf-8") as log:
            log.write(f"{threading.current_thread().name} {what} {name}\n")

    def of(self, thread: str) -> list[str]:
        """The events of one phase: the watcher's own thread (HTML) or `slow`."""
        if not self.path.exists():
            return []
        lines = self.path.read_text("utf-8").splitlines()
        return [line.split(" ", 1)[1] for line in lines if line.split(" ", 1)[0] == thread]

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _edit(source: Path, old: str, new: str) -> None:
    text = source.read_text("utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), "utf-8")
    # The next build starts in a later tick of the clock file times are set from (the hand-over
    # refuses a source saved in the same tick as the build's start: it may follow the read).
    saved = source.stat().st_mtime_ns
    while now() <= saved:
        time.sleep(0.001)


@pytest.fixture
def preview(tmp_path: Path) -> Preview:
    project = tmp_path / "paper"
    scaffold(project)
    built = Preview(project, strict=False, overrides={})
    built.rebuild()
    built.wait(300)
    assert built.state.error is None
    return built


def test_the_edited_document_s_preview_pdf_comes_first_and_is_not_cited_again(
    preview: Preview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = Events(tmp_path / "events", monkeypatch)
    manuscript = preview.project_dir / "manuscript"
    paper, abstract = manuscript / "paper.md", manuscript / "abstract.md"
    _edit(abstract, "{% include", "Edited. {% include")  # stale too, not heard of by watch
    _edit(paper, "# Evidence", "# An Edited Heading")
    preview.rebuild({paper})
    preview.wait(300)
    assert preview.state.error is None
    html = events.of(threading.current_thread().name)
    assert html[:2] == ["cite paper", "cite abstract"], html  # the edited document first
    slow = events.of("slow")
    assert not [e for e in slow if e.startswith("cite")], slow  # handed over, not cited again
    assert "load library" not in html + slow  # unchanged since the last batch: kept
    assert slow[:3] == ["draft paper.pdf", "write paper.docx", "write paper.pdf"], slow
    assert set(slow[3:]) >= {"write abstract.docx", "write abstract.pdf"}, slow
    assert "An Edited Heading" in (preview.build_dir / "paper.html").read_text("utf-8")


def test_a_source_saved_after_the_html_was_read_is_cited_again(
    preview: Preview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTML phase's corpus is refused when a file it read changed since that phase began
    (the PDF must not show an older text than the source on disk)."""
    events = Events(tmp_path / "events", monkeypatch)
    paper = preview.project_dir / "manuscript" / "paper.md"
    _edit(paper, "# Evidence", "# First")
    html_corpus: list[Any] = []
    build = pipeline.build

    def then_saved(project: Any, request: Any, diagnostics: Any) -> Any:
        result = build(project, request, diagnostics)
        if not html_corpus:  # the HTML phase read "First"; the source changes right after
            html_corpus.append(result.corpus)
            text = paper.read_text("utf-8")
            paper.write_text(text.replace("# First", "# Second", 1), "utf-8")
        return result

    monkeypatch.setattr("pressroom.watch.build", then_saved)
    preview.rebuild({paper})
    preview.wait(300)
    assert preview.state.error is None
    assert "cite paper" in events.of("slow")
    from pypdf import PdfReader

    pages = PdfReader(preview.build_dir / "paper.pdf").pages
    assert "Second" in "".join(page.extract_text() for page in pages)


def test_a_library_saved_is_loaded_again(
    preview: Preview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = Events(tmp_path / "events", monkeypatch)
    library = preview.project_dir / "references" / "library.yaml"
    _edit(library, "publisher: Example Press", "publisher: Example Press Edited")
    preview.rebuild({library})
    preview.wait(300)
    assert preview.state.error is None
    html = events.of(threading.current_thread().name)
    assert html[0] == "load library" and "cite paper" in html, html
    assert "load library" not in events.of("slow")  # the HTML phase's, handed over


def test_watch_started_on_built_outputs_lays_each_pdf_out_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Outputs current when watch starts: their PDFs are laid out once in the background,
    nothing written, so that the first edit's preview is not a full layout."""
    from pressroom import watch, weasy_incremental
    from pressroom.config import load_project
    from pressroom.errors import Diagnostics

    project = tmp_path / "paper"
    scaffold(project)
    pipeline.build(load_project(project), pipeline.Request(parallel=False), Diagnostics(project))
    built = {p.name: p.stat().st_mtime_ns for p in (project / "build").iterdir() if p.is_file()}
    monkeypatch.setattr(weasy_incremental, "STORE", {})  # a new watch process's
    watch._say_previews()
    try:
        preview = Preview(project, strict=False, overrides={})
        preview.rebuild()
        preview.wait(300)
        assert preview.state.error is None
        assert str(project / "build" / "paper.pdf") in weasy_incremental.STORE
        now = {p.name: p.stat().st_mtime_ns for p in (project / "build").iterdir() if p.is_file()}
        assert now == built  # laid out ahead, nothing written
        capfd.readouterr()
        source = project / "manuscript" / "paper.md"
        _edit(source, "# Evidence", "# An Edited Heading")
        preview.rebuild({source})
        preview.wait(300)
        said = capfd.readouterr().err
        assert "paper.pdf: pdf preview" in said and "no earlier layout kept" not in said, said
    finally:  # the logger as it was, for the tests that read it through caplog
        weasy_incremental.log.handlers.clear()
        weasy_incremental.log.propagate = True


def _files(build: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in build.iterdir()}


def test_watch_readies_its_preview_thread_for_the_first_edit(
    incremental: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once watch's first build is done (its PDFs laid out ahead by the forked builder), the
    preview thread does what the first edit's preview would do for the first time in the
    watch process, for each PDF whose layout is kept, keeping and writing nothing; the first
    edit's preview then parses no stylesheet and computes only the edited paragraph's styles,
    and its pages are a full layout's."""
    from pressroom import cite_incremental, weasy, weasy_incremental, weasy_restyle
    from pressroom.config import load_project

    from .test_incremental_layout import same_pages, style_work

    project = incremental.fresh()
    build = project / "build"
    for name, new in (("STORE", {}), ("_SHEETS", {}), ("_STYLED", {})):  # a new process's
        monkeypatch.setattr(weasy_restyle if name != "STORE" else weasy_incremental, name, new)
    readied: list[tuple[str, str, str, bool]] = []
    warm = weasy_incremental.warm

    def kept() -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
        store = {k: (s, s.html, s.pdf) for k, s in weasy_incremental.STORE.items()}
        return store, _files(build)

    def watched(key: str, base: Path, roots: list[Path]) -> str:
        before = kept()
        said = warm(key, base, roots)
        readied.append((threading.current_thread().name, key, said, kept() == before))
        return said

    monkeypatch.setattr(weasy_incremental, "warm", watched)
    cite_incremental.enable()
    try:
        preview = Preview(project, strict=False, overrides={})
        preview.rebuild()
        preview.wait(300)
        assert preview.state.error is None
        keys = {str(build / f"{name}.pdf") for name in ("paper", "abstract", "appendix")}
        assert set(weasy_incremental.STORE) == keys
        assert {(thread, key) for thread, key, *_ in readied} == {("preview", k) for k in keys}
        assert all(said.startswith("readied: ") and same for *_, said, same in readied), readied
        done = style_work(monkeypatch)
        previews: list[tuple[str, Any]] = []
        laid_again = weasy_incremental.preview

        def recorded(key: str, html: str, *args: Any) -> Any:
            outcome = laid_again(key, html, *args)
            previews.append((html, outcome))
            return outcome

        monkeypatch.setattr(weasy_incremental, "preview", recorded)
        source = project / "manuscript" / "paper.md"
        _edit(source, "A second paragraph, with a figure.", "A second paragraph, with one figure.")
        preview.rebuild({source})
        preview.wait(300)
        assert preview.state.error is None
    finally:
        cite_incremental.enable(False)
    assert len(previews) == 1, previews  # drafted on the preview thread
    html, outcome = previews[0]
    assert outcome.pdf is not None and "laid out again" in outcome.message, outcome.message
    assert done == [], "the first edit's preview did style work the warm-up does"
    loaded = load_project(project)
    laid = weasy.layout(html, project / "manuscript", [loaded.root, *loaded.template_dirs])
    (tmp_path / "full.pdf").write_bytes(weasy.write(laid.document, preview=True))
    (tmp_path / "preview.pdf").write_bytes(outcome.pdf)
    same_pages(tmp_path / "preview.pdf", tmp_path / "full.pdf", outcome.message)
