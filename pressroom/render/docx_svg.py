"""SVG figures in the DOCX with a PNG beside them, as Word itself stores an SVG picture.

pandoc writes an SVG figure as Office 2016's SVG extension (`asvg:svgBlip`) inside a picture
whose own image (`a:blip r:embed`) it leaves out unless rsvg-convert is installed. Word 2016
and later draw the SVG; LibreOffice and older Word draw only the picture's own image, and show
an empty frame. Here each such picture gets that image: the SVG drawn as a PNG at the size the
document gives it, at print resolution, by what the PDF already uses (WeasyPrint lays the SVG
out on a page of that size, PDFium draws the page: pdf_figure.py). The PNG is kept in
build/.cache/figures/ under the SVG's content hash (figure_cache.py)."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Callable

from ..config import Project
from ..figure_cache import entry, source_digest
from ..write import write_if_changed

DOCUMENT = "word/document.xml"
NOTES = "word/footnotes.xml"  # its pictures name the document's relationships (docx_notes.py)
RELS = "word/_rels/document.xml.rels"
TYPES = "[Content_Types].xml"
RENDERER = "weasyprint-pdfium-1"  # in the cache file's name: a change in drawing redraws them
EMU_PER_INCH = 914400
IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"

_DRAWING = re.compile(r"<w:drawing>.*?</w:drawing>", re.S)
_EXTENT = re.compile(r'<wp:extent cx="(\d+)" cy="(\d+)"')
_SVG_BLIP = re.compile(r'<asvg:svgBlip\b[^>]*\br:embed="([^"]+)"')
_BARE_BLIP = re.compile(r"<a:blip>")  # a picture without an image of its own
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def has_svg(data: bytes) -> bool:
    """Whether pandoc's DOCX holds an SVG image (only the zip's directory is read)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return any(n.startswith("word/media/") and n.endswith(".svg") for n in z.namelist())


def with_png_fallbacks(
    data: bytes,
    project: Project,
    rewrite: Callable[[bytes, dict[str, Callable[[str], str]], dict[str, bytes]], bytes],
) -> bytes:
    """The DOCX with a PNG for every SVG picture of the text and the notes that has no image
    of its own (`rewrite` is docx.rewrite_parts: edits to parts, and parts added)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [p for p in (DOCUMENT, NOTES) if p in z.namelist()]
        sizes = _sizes([z.read(p).decode("utf-8") for p in parts])
        targets = _image_targets(z.read(RELS).decode("utf-8"))
        media = {rid: z.read(f"word/{targets[rid]}") for rid in sizes if rid in targets}
    if not media:
        return data
    added = {
        f"word/{_png_target(rid)}": _png(svg, sizes[rid], project) for rid, svg in media.items()
    }

    def pictures_edit(xml: str) -> str:
        return _DRAWING.sub(lambda m: _with_blip(m.group(0), media), xml)

    def rels_edit(xml: str) -> str:
        new = "".join(
            f'<Relationship Type="{IMAGE}" Id="{_png_id(rid)}" Target="{_png_target(rid)}" />'
            for rid in media
        )
        return xml.replace("</Relationships>", new + "</Relationships>")

    edits = {part: pictures_edit for part in parts}
    return rewrite(data, {**edits, RELS: rels_edit, TYPES: _with_png_type}, added)


def _png_id(rid: str) -> str:
    return f"{rid}png"


def _png_target(rid: str) -> str:
    return f"media/{rid}-fallback.png"


def _image_targets(rels: str) -> dict[str, str]:
    """The document's image relationships: id -> target (`media/rId9.svg`)."""
    out = {}
    for tag in _RELATIONSHIP.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("Type") == IMAGE and "Id" in attrs and "Target" in attrs:
            out[attrs["Id"]] = attrs["Target"]
    return out


def _sizes(parts: list[str]) -> dict[str, tuple[int, int]]:
    """Each SVG picture without an image of its own, by relationship id: the largest size
    (EMU) the parts show it at, so that one PNG serves every use."""
    sizes: dict[str, tuple[int, int]] = {}
    for drawing in (d for part in parts for d in _DRAWING.findall(part)):
        svg, extent = _SVG_BLIP.search(drawing), _EXTENT.search(drawing)
        if svg is None or extent is None or not _BARE_BLIP.search(drawing):
            continue
        cx, cy = int(extent.group(1)), int(extent.group(2))
        if cx <= 0 or cy <= 0:
            continue
        was = sizes.get(svg.group(1), (0, 0))
        sizes[svg.group(1)] = (max(was[0], cx), max(was[1], cy))
    return sizes


def _with_blip(drawing: str, media: dict[str, bytes]) -> str:
    svg = _SVG_BLIP.search(drawing)
    if svg is None or svg.group(1) not in media:
        return drawing
    return _BARE_BLIP.sub(f'<a:blip r:embed="{_png_id(svg.group(1))}">', drawing, count=1)


def _with_png_type(types: str) -> str:
    if 'Extension="png"' in types:
        return types
    png = '<Default Extension="png" ContentType="image/png" />'
    return types.replace("</Types>", png + "</Types>")


def _png(svg: bytes, size: tuple[int, int], project: Project) -> bytes:
    """The SVG drawn as a PNG of `size` (EMU) at print resolution, from the cache or now."""
    cached = entry(project, source_digest(svg), f"{RENDERER}.{size[0]}x{size[1]}.png")
    if cached.is_file():
        return cached.read_bytes()
    png = _draw(svg, size)
    write_if_changed(cached, png)
    return png


def _draw(svg: bytes, size: tuple[int, int]) -> bytes:
    """WeasyPrint lays the SVG out on a page of exactly its size, reading nothing but the
    SVG itself (it was checked when the document was read: assets.py); PDFium draws it."""
    import weasyprint  # only a DOCX with an SVG figure pays for it

    from ..pdf_figure import page_png
    from ..weasy import ProjectFetcher

    width, height = (f"{v / EMU_PER_INCH:.4f}in" for v in size)
    url = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    page = (
        f"<style>@page {{ size: {width} {height}; margin: 0 }} body {{ margin: 0 }} "
        f"img {{ display: block; width: {width}; height: {height} }}</style>"
        f'<img src="{url}" alt="">'
    )
    pdf = weasyprint.HTML(string=page, url_fetcher=ProjectFetcher([])).write_pdf()
    assert isinstance(pdf, bytes)
    return page_png(pdf)
