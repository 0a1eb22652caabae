"""Boundary to WeasyPrint: the one module that imports it (0.4 s) and reads its box tree.

It lays out the print page fetching only project files, applies the runtime patches
(pressroom/weasy_patch.py) on first use, reads where notes and lines landed, and writes the PDF."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import weasy_patch, weasy_start
from .errors import BuildWarning, LoggedWarnings, PressroomError

weasy_start.load()  # its library look-ups that find nothing, skipped (weasy_start.py)
import weasyprint  # noqa: E402
from weasyprint.formatting_structure import boxes  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: E402

# CPU seconds for one layout pass or one PDF write, and half as much again per MB of print
# HTML: the 18-page default paper lays out in ~1.5 s, a 30,000-row table takes 150 s
# (WeasyPrint's docs leave limits to the integrator, research/reliability.md §1). CPU time, not
# wall time, so that a machine busy with other work does not fail a valid chapter. Tests set a
# small value through the environment.
PDF_TIMEOUT = float(os.environ.get("PRESSROOM_PDF_TIMEOUT", "60"))


def layout_limit(html_size: int) -> float:
    """The CPU seconds a print page of `html_size` characters may take to lay out."""
    return PDF_TIMEOUT * (1 + html_size / 2_000_000)


class _Expired(BaseException):
    """Raised by the timer; a BaseException, so WeasyPrint's `except Exception` cannot eat it."""


@contextmanager
def time_limit(seconds: float, where: Path | None) -> Iterator[None]:
    """Stop the block after `seconds` of this process's CPU time (ITIMER_PROF: user and system
    time, signalled to the main thread only) with an error that says what was measured. Where
    the system has no such timer (Windows), the layout runs unbounded; inside another limit
    (a preview written during its layout, pressroom/weasy_parallel.py), that one governs."""
    if (
        seconds <= 0
        or not hasattr(signal, "SIGPROF")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_PROF)[0] > 0
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    except _Expired:
        raise PressroomError(
            f"the PDF layout used more than {seconds:.3g} s of CPU time (the limit is "
            f"PRESSROOM_PDF_TIMEOUT={PDF_TIMEOUT:g} s, plus half that per MB of the print "
            "page); split a very long table, or raise PRESSROOM_PDF_TIMEOUT",
            where,
            None,
            "limit.time",
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


class ProjectFetcher(URLFetcher):
    """Serves `data:` URLs and files whose real path lies under an allowed root; nothing else.

    WeasyPrint's default fetcher opens any local file or URL (research/reliability.md §1), and
    a resource it cannot fetch is only logged; here either case fails the build."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.read: set[Path] = set()
        self.refused: str | None = None  # the URL that failed the layout, to locate it

    def fetch(self, url: str, headers: Any = None) -> Any:
        self.refused = url
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise FatalURLFetchingError(f"refused to fetch {url}: only project files are read")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(r) for r in self.roots):
            raise FatalURLFetchingError(f"refused to read {path}: it lies outside the project")
        if not path.is_file():
            raise FatalURLFetchingError(f"file not found: {path}")
        self.read.add(path)
        self.refused = None
        return super().fetch(path.as_uri(), headers)


@dataclass
class Laid:
    """A laid-out document, the project files WeasyPrint read for it, and its warnings."""

    document: Any
    read: set[Path]
    warnings: list[BuildWarning]  # pdf.patch-skipped, pdf.weasyprint; no path: the caller's


def layout(
    html: str,
    base: Path,
    roots: list[Path],
    locate: Callable[[str], tuple[Path, int | None]] | None = None,
    render: Callable[[Any], Any] | None = None,
) -> Laid:
    """Parse and lay out the print HTML, applying the runtime patches on first use. `locate`
    finds the source line of a resource that could not be fetched; `render` lays out the
    parsed page in place of `HTML.render()` (pressroom/weasy_incremental.py)."""
    warnings = [BuildWarning(s.message(), "pdf.patch-skipped") for s in weasy_patch.apply()]
    fetcher = ProjectFetcher(roots)
    handler = LoggedWarnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        limit = time_limit(layout_limit(len(html)), locate("")[0] if locate else base)
        with limit, weasy_patch.quiet_gc():
            page = weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
            document = render(page) if render is not None else page.render()
    except FatalURLFetchingError as exc:
        path, line = base, None
        url = fetcher.refused or ""
        for needle in (url, unquote(urlsplit(url).path), unquote(url.rsplit("/", 1)[-1])):
            if locate is not None and needle and line is None:
                path, line = locate(needle)
        raise PressroomError(str(exc), path, line, "asset.fetch") from None
    except RecursionError:
        raise PressroomError(
            "the document nests too deeply to lay out", base, None, "pdf.layout"
        ) from None
    finally:
        logger.removeHandler(handler)
    warnings += [BuildWarning(m, "pdf.weasyprint") for m in handler.messages]
    return Laid(document, fetcher.read, warnings)


@dataclass
class Placement:
    """Where each note's call and text landed, and which block ends each page."""

    notes: dict[str, tuple[int | None, int | None]]  # note number -> (call page, note page)
    last_block: dict[int, str | None]  # page -> data-b of the block holding its last line
    first_page: dict[str, int]  # data-b -> page on which that block starts
    too_tall: dict[str, float] = field(default_factory=dict)  # note -> share of its page


def _measure_notes(area: Any, page: Any, result: Placement) -> None:
    """A note taller than the note area may be (print.css: max-height 60%) is cut off at the
    page's foot: WeasyPrint cannot split a note across pages (WeasyPrint #1833)."""
    height = float(getattr(page, "height", 0) or 0)
    if not height:
        return
    for note in getattr(area, "children", []):
        element = getattr(note, "element", None)
        ident = element.get("id", "") if element is not None else ""
        share = float(note.margin_height()) / height
        if ident.startswith("fn") and share > 0.6:
            result.too_tall[ident.removeprefix("fn")] = share


def placement(document: Any) -> Placement:
    """Read the laid-out pages: note calls (a.fn-call) and note markers (a.fn-marker)."""
    result = Placement({}, {}, {})
    notes: dict[str, list[int | None]] = {}
    for number, page in enumerate(document.pages, 1):
        result.last_block[number] = _visit(_page_box(page), number, None, True, notes, result)
    result.notes = {k: (v[0], v[1]) for k, v in notes.items()}
    return result


def _visit(
    box: Any,
    page: int,
    block: str | None,
    in_body: bool,
    notes: dict[str, list[int | None]],
    result: Placement,
) -> str | None:
    """Walk one page's boxes; return the block (data-b) holding the page's last body line."""
    last = None
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", None) or ""
    if element is not None and tag == "a":
        classes = (element.get("class") or "").split()
        href = element.get("href", "")
        if "fn-call" in classes:  # <a class="fn-call" href="#fnN">: the call
            slot = notes.setdefault(href.removeprefix("#fn"), [None, None])
            slot[0] = slot[0] or page
        elif "fn-marker" in classes:  # <a class="fn-marker" href="#fnrefN">: the note
            slot = notes.setdefault(href.removeprefix("#fnref"), [None, None])
            slot[1] = slot[1] or page
    mark = element.get("data-b") if element is not None and "::" not in tag else None
    if mark is not None:
        block = mark
        result.first_page.setdefault(mark, page)
    if in_body and isinstance(box, boxes.LineBox):
        last = block
    for child in getattr(box, "children", []):
        if isinstance(child, boxes.FootnoteAreaBox):
            _visit(child, page, None, False, notes, result)
            _measure_notes(child, box, result)
        elif not isinstance(child, boxes.MarginBox):
            found = _visit(child, page, block, in_body, notes, result)
            last = found or last
    return last


def _page_box(page: Any) -> Any:
    """The laid-out box tree of one page (a private attribute of WeasyPrint's Page)."""
    return page._page_box


PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px (1/96 in); a point is 1/72 in


def _line_heights(box: Any, out: list[float]) -> None:
    """Every line of body text in a page's boxes (margin boxes, the running heads, left out)."""
    if isinstance(box, boxes.MarginBox):
        return
    if isinstance(box, boxes.LineBox):
        out.append(float(box.height))
        return
    for child in getattr(box, "children", []):
        _line_heights(child, out)


def overflow(document: Any) -> tuple[int, int, float]:
    """(pages, lines past the first page, their height in points) of a laid-out document.

    With two columns the overflow is what pages 2.. hold, column by column: the sum of their
    line heights, in lines of the first page's median line height."""
    pages = len(document.pages)
    if pages <= 1:
        return pages, 0, 0.0
    first: list[float] = []
    _line_heights(_page_box(document.pages[0]), first)
    rest: list[float] = []
    for page in document.pages[1:]:
        _line_heights(_page_box(page), rest)
    height = sum(rest)
    typical = sorted(first)[len(first) // 2] if first else 12.0
    lines = max(1, round(height / typical)) if rest else 1
    return pages, lines, height * PT_PER_PX


@cache
def _font_files() -> dict[str, Path]:
    """PostScript name -> font file, from fontconfig (what WeasyPrint itself loads fonts by)."""
    try:
        out = subprocess.run(
            ["fc-list", "-f", "%{postscriptname}\t%{file}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    files: dict[str, Path] = {}
    for line in out.splitlines():
        name, _, path = line.partition("\t")
        if name and path:
            files.setdefault(name, Path(path))
    return files


def fonts_used(document: Any) -> set[Path]:
    """The font files embedded in a written PDF (a changed font rebuilds it)."""
    found: set[Path] = set()
    files = _font_files()
    for font in getattr(document, "fonts", {}).values():
        name = bytes(getattr(font, "name", b"")).decode("latin-1").lstrip("/")
        name = name.split("+", 1)[-1]  # drop the subset prefix, ABCDEF+Name
        if name in files:
            found.add(files[name])
    return found


def missing_glyphs(document: Any) -> str:
    """Characters drawn with no glyph in their font (tofu), known once the PDF is written."""
    chars = {chr(cp) for font in getattr(document, "fonts", {}).values() for cp in font.missing}
    return "".join(sorted(chars))


def font_names(document: Any) -> list[str]:
    """The PostScript names of the fonts embedded in a written PDF."""
    names = {
        bytes(font.name).decode("latin-1").lstrip("/").split("+", 1)[-1]
        for font in getattr(document, "fonts", {}).values()
    }
    return sorted(names)


# PDF/UA-1: a tagged PDF (structure tree, /Lang, /Title shown, XMP metadata) for screen
# readers. WeasyPrint calls it experimental; on the default paper it writes in the same 0.35 s,
# and pdfinfo reports "Tagged: yes" (research/anchors.md, gap 11). It is not validated here
# with veraPDF, which needs Java tooling the project does not install.
PDF_VARIANT = "pdf/ua-1"


def write(document: Any, metadata: dict[str, Any] | None = None, preview: bool = False) -> bytes:
    """The laid-out document as a tagged PDF (PDF/UA-1); a `preview` (watch, before the final
    write) is untagged with fast compression: the same pages and text, written sooner."""
    weasy_patch.apply()  # the write's patches, for a document laid out elsewhere
    variant = None if preview else PDF_VARIANT
    faster = weasy_patch.fast_compression() if preview else nullcontext()
    try:
        with time_limit(PDF_TIMEOUT, None), weasy_patch.quiet_gc(), faster:
            return document.write_pdf(
                pdf_variant=variant, uncompressed_pdf=False, **(metadata or {})
            )
    except FatalURLFetchingError as exc:  # attachments are fetched when the PDF is written
        raise PressroomError(str(exc), None, None, "asset.fetch") from None
