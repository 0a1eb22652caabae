"""The images and raw markup of a cited document: each image resolved inside the project,
checked, and inlined as a data: URL; raw HTML and style attributes checked (safety.py).

pandoc runs with --sandbox, so it reads no file by itself; WeasyPrint and the browser then get
the very bytes that were checked (research/reliability.md §2)."""

from __future__ import annotations

import base64
import dataclasses
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import tree
from .config import Project
from .errors import BuildWarning, PressroomError
from .model import Cited
from .pdf_figure import multipage_warning, pdf_figure
from .safety import check_link, check_pixels, check_raw_html, check_style, check_svg_links

MAX_IMAGE = 50_000_000  # bytes


def _image_path(written: str, base: Path, project: Project) -> Path:
    """Where an image path points: from the document's folder; for a folder document (a
    thesis in manuscript/source/, built as `pandoc source/*.md` from the folder above, writes
    `source/figures/x.png`) from manuscript/ when it is not found there."""
    path = (base / written).resolve()
    if not path.is_file() and base != project.manuscript.resolve():
        beside = (project.manuscript / written).resolve()
        if beside.is_file():
            return beside
    return path


def embed_assets(cited: Cited, project: Project) -> Cited:
    """Resolve every image inside the project and inline it as a data: URL.

    pandoc runs with --sandbox, so it reads no file by itself; WeasyPrint and the browser
    then get the very bytes that were checked (research/reliability.md §2)."""
    # In place: the AST is this build's own, and an embedded image (data:) is skipped if seen
    # again; a copy would double the memory of a 300-page document.
    ast = cited.ast
    images: set[Path] = set()
    warnings: list[BuildWarning] = []
    base = cited.doc.source.parent.resolve()
    root = project.root.resolve()

    def visit(node: tree.Node) -> bool | None:
        if node["t"] in _PLAIN:  # most of a document: nothing to check (0.4 -> 0.2 s at 300 p)
            return True
        if node.get("t") in ("RawInline", "RawBlock") and node["c"][0] == "html":
            check_raw_html(node["c"][1], base, root, where)
            return None
        if node.get("t") == "Link":
            check_link(node["c"][2][0], where)
        attr = _attr(node)
        for key, value in attr[2] if attr else []:
            if key == "style":
                check_style(value, base, root, where)
        if node.get("t") != "Image":
            return None
        target = node["c"][2][0]
        if target.startswith("data:"):
            return None
        # pandoc percent-encodes a space or a bracket in a path (`figure one (1).png`): the
        # source holds the name as written.
        written = unquote(target)
        path_at, line = cited.source_map.locate(target)
        if line is None and written != target:
            path_at, line = cited.source_map.locate(written)
        if "://" in target or target.startswith("//"):
            raise PressroomError(
                f"image '{target}' is not a project file; download it into manuscript/figures/",
                path_at,
                line,
                "asset.remote",
            )
        # A fragment or query (`plot.png#center`, read by some page styles) names no file.
        path = _image_path(unquote(target.split("#", 1)[0].split("?", 1)[0]), base, project)
        target = written
        if not path.is_relative_to(root):
            raise PressroomError(
                f"image '{target}' lies outside the project", path_at, line, "asset.outside"
            )
        if not path.is_file():
            raise PressroomError(f"image '{target}' not found", path_at, line, "asset.missing")
        data = path.read_bytes()
        if len(data) > MAX_IMAGE:
            raise PressroomError(
                f"image '{target}' is larger than 50 MB", path_at, line, "asset.size"
            )
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mime == "application/pdf":
            data, mime = _pdf_as_png(node, data, target, (path_at, line), project, warnings)
        if not mime.startswith("image/"):
            raise PressroomError(f"'{target}' is not an image", path_at, line, "asset.type")
        check_pixels(data, target, (path_at, line))
        if mime == "image/svg+xml":
            check_svg_links(data, target, (path_at, line))
        node["c"][2][0] = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        images.add(path)
        return None

    def where(needle: str) -> tuple[Path, int | None]:
        return cited.source_map.locate(needle, whole=False)

    tree.walk(ast["blocks"], visit)
    return dataclasses.replace(
        cited, inputs=cited.inputs | images, warnings=(*cited.warnings, *warnings)
    )


def _pdf_as_png(
    node: tree.Node,
    data: bytes,
    target: str,
    where: tuple[Path, int | None],
    project: Project,
    warnings: list[BuildWarning],
) -> tuple[bytes, str]:
    """A PDF figure's first page as a PNG (pdf_figure.py), given the figure's own width
    unless the source sets a size, so that it prints at its size and not at 300 px/inch."""
    figure = pdf_figure(data, target, where, project)
    warning = multipage_warning(figure, target, where)
    if warning is not None:
        warnings.append(warning)
    attrs = node["c"][0][2]
    if not any(key in ("width", "height") for key, _ in attrs):
        attrs.append(["width", f"{figure.width_in:.3f}in"])
    return figure.png, "image/png"


# Words and the spaces between them: no markup, attributes, link or image to check.
_PLAIN = frozenset({"Str", "Space", "SoftBreak", "LineBreak"})


def _attr(node: tree.Node) -> list[Any] | None:
    """The node's pandoc Attr [id, classes, [[key, value]...]], if it has one."""
    t, c = node.get("t"), node.get("c")
    if t in ("Div", "Span", "CodeBlock", "Code", "Link", "Image", "Table", "Figure"):
        return c[0] if isinstance(c, list) and c else None
    if t == "Header":
        return c[1] if isinstance(c, list) and len(c) > 1 else None
    return None
