"""A figure written as a PDF file (`![Caption](figures/x.pdf)`, as LaTeX-minded manuscripts
do): its first page drawn as a PNG with PDFium, which every output then carries as it would a
PNG figure. WeasyPrint cannot draw a PDF and Word cannot show one.

The PNG is kept in build/.cache/figures/ under the PDF's content hash (figure_cache.py), so a
rebuild does not draw it again."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import Project
from .errors import BuildWarning, PressroomError
from .figure_cache import entry, source_digest
from .write import write_if_changed

DPI = 300  # print resolution at the figure's own size
MAX_SIDE = 6000  # pixels on the longer side: a poster-sized page is drawn smaller, not huge
RENDERER = "pdfium-1"  # in the cache file's name: a change in how figures are drawn redraws them

# PDFium is not thread-safe: documents of a parallel build draw their figures one at a time.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class PdfFigure:
    """A PDF figure's first page as PNG bytes, its width in inches, and its page count."""

    png: bytes
    width_in: float
    pages: int


def pdf_figure(
    data: bytes, target: str, where: tuple[Path, int | None], project: Project
) -> PdfFigure:
    """The PNG of the PDF `data`'s first page, from the cache or drawn now; a PDF that cannot
    be drawn (broken, encrypted, no pages) is an `asset.pdf` error at `where`."""
    key = source_digest(data)
    cached = entry(project, key, f"{RENDERER}.png")
    meta = entry(project, key, f"{RENDERER}.txt")
    if cached.is_file() and meta.is_file():
        width, pages = meta.read_text("ascii").split()
        return PdfFigure(cached.read_bytes(), float(width), int(pages))
    figure = _draw(data, target, where)
    write_if_changed(cached, figure.png)
    write_if_changed(meta, f"{figure.width_in!r} {figure.pages}\n".encode("ascii"))
    return figure


def page_png(data: bytes) -> bytes:
    """The first page of a PDF pressroom made itself (an SVG figure laid out by WeasyPrint for
    the DOCX: render/docx_svg.py), drawn as a PDF figure is."""
    return _draw(data, "(drawn)", (Path(), None)).png


def multipage_warning(
    figure: PdfFigure, target: str, where: tuple[Path, int | None]
) -> BuildWarning | None:
    """A warning that only the first page of a multi-page PDF figure is shown."""
    if figure.pages < 2:
        return None
    return BuildWarning(
        f"figure '{target}' has {figure.pages} pages; only the first is shown",
        "asset.pdf-pages",
        where[0],
        where[1],
    )


def _page_count(data: bytes, fail: Callable[[str], PressroomError]) -> int:
    """The PDF's page count, read with qpdf (pikepdf), whose errors say what is wrong; PDFium's
    last-error code is process-wide and may describe an earlier document."""
    import pikepdf  # (0.04-0.08 s: only a build with a PDF figure pays for loading qpdf)

    if not data.strip():
        raise fail("is an empty file")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PasswordError:
        raise fail("is encrypted; save it without a password") from None
    except pikepdf.PdfError as exc:
        # qpdf names its input first: here the in-memory stream's repr, nothing to the author.
        why = re.sub(r"^.*<_io\.BytesIO object at 0x[0-9a-f]+>:?\s*", "", str(exc))
        raise fail(f"cannot be read ({why})") from None
    if pages == 0:
        raise fail("has no pages")
    return pages


def _draw(data: bytes, target: str, where: tuple[Path, int | None]) -> PdfFigure:
    """Render page 1 at DPI, scaled down so that its longer side is at most MAX_SIDE."""
    import pypdfium2 as pdfium  # only a build with a PDF figure pays for loading PDFium

    def fail(why: str) -> PressroomError:
        return PressroomError(f"PDF figure '{target}' {why}", where[0], where[1], "asset.pdf")

    pages = _page_count(data, fail)
    with _LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise fail(f"cannot be read ({exc})") from None
        try:
            page = pdf[0]
            width_pt, height_pt = page.get_size()
            if width_pt <= 0 or height_pt <= 0:
                raise fail("has an empty first page")
            scale = min(DPI / 72, MAX_SIDE / max(width_pt, height_pt))
            image = page.render(scale=scale, may_draw_forms=True).to_pil()
            page.close()
        except pdfium.PdfiumError as exc:
            raise fail(f"cannot be drawn ({exc})") from None
        finally:
            pdf.close()
    out = io.BytesIO()
    # The PNG says its resolution, so that Word sizes it at the figure's own size too.
    dpi = round(scale * 72)
    image.convert("RGB").save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return PdfFigure(out.getvalue(), width_pt / 72, pages)
