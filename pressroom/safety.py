"""What raw HTML and images in a source may do: load project files only, no scripts or frames.

pandoc passes raw HTML through to the screen and print HTML; WeasyPrint then fetches what it
names (`<img>`, `<object>`, `<link rel=attachment>`, CSS `@import` and `url()`), and a browser
runs `<script>` and loads `<iframe>` (research/reliability.md §1-2). The fetcher in weasy.py
refuses anything outside the project when the PDF is laid out; this check runs first, for every
format, and says where in the source the offending markup is."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import NoReturn

from .errors import PressroomError

MAX_PIXELS = 50_000_000  # an A4 page at 600 dpi is 35 Mpx; a decompression bomb is far more

# Elements that run code or load a page of their own: refused outright.
_UNSAFE = re.compile(r"<\s*(script|iframe|frame|frameset|base|meta|applet)\b", re.I)
# Attributes whose value is a URL that a renderer loads (a plain <a href> is only a link).
_ATTR = re.compile(
    r"""\b(src|srcset|data|poster|background|xlink:href|href)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""",
    re.I,
)
_CSS_URL = re.compile(r"""url\(\s*("[^"]*"|'[^']*'|[^)]*)\s*\)|@import\s+("[^"]*"|'[^']*')""", re.I)
_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)([^>]*)>", re.S)
# Every attribute of a tag, with its value if it has one.
_ANY_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
# URL schemes that run code when a reader follows or a browser loads them.
_SCRIPT_SCHEMES = ("javascript:", "vbscript:")


def raw_html_urls(html: str) -> list[str]:
    """Every URL in a piece of raw HTML that a renderer would fetch."""
    urls: list[str] = []
    for m in _TAG.finditer(html):
        tag, attrs = m.group(1).lower(), m.group(2)
        for a in _ATTR.finditer(attrs):
            name = a.group(1).lower()
            if name == "href" and tag == "a" and "attachment" not in attrs.lower():
                continue  # a link the reader may follow, never fetched by the build
            value = a.group(2).strip("\"'")
            urls += (
                [v.split()[0] for v in value.split(",") if v.strip()]
                if name == "srcset"
                else [value]
            )
    for m in _CSS_URL.finditer(html):
        urls.append((m.group(1) or m.group(2) or "").strip().strip("\"'"))
    return [u for u in urls if u]


Locate = Callable[[str], tuple[Path, int | None]]


def check_raw_html(html: str, base: Path, root: Path, locate: Locate) -> None:
    """Refuse raw HTML that runs code, or that loads anything but a file of the project."""
    unsafe = _UNSAFE.search(html)
    if unsafe:
        _refuse(f"raw HTML <{unsafe.group(1).lower()}>", unsafe.group(0), locate)
    for m in _TAG.finditer(html):
        for a in _ANY_ATTR.finditer(m.group(2)):
            name, value = a.group(1).lower(), (a.group(2) or "").strip("\"'")
            if name.startswith("on"):  # onclick, ontoggle, ...: script run by the browser
                _refuse(f"raw HTML attribute {name}= (a script)", a.group(0), locate)
            check_link(value, locate)
    check_urls(raw_html_urls(html), base, root, locate)


def check_link(url: str, locate: Locate) -> None:
    """A link or attribute value that would run script when followed (`javascript:...`),
    spelled with entities or spaces too, as browsers still read it."""
    plain = re.sub(r"[\s\x00-\x1f]+", "", unescape(url)).lower()
    if plain.startswith(_SCRIPT_SCHEMES):
        _refuse(f"a '{plain.split(':', 1)[0]}:' link (a script)", url, locate)


def _refuse(what: str, needle: str, locate: Locate) -> NoReturn:
    """Stop the build at the line of the source that holds `needle`."""
    path, line = locate(needle)
    raise PressroomError(f"{what} is not allowed in a source", path, line, "html.unsafe")


def check_style(css: str, base: Path, root: Path, locate: Locate) -> None:
    """A `style` attribute (`[x]{style="background: url(...)"}`, `<span style=...>`)."""
    urls = [(m.group(1) or m.group(2) or "").strip().strip("\"'") for m in _CSS_URL.finditer(css)]
    check_urls([u for u in urls if u], base, root, locate)


def check_urls(urls: list[str], base: Path, root: Path, locate: Locate) -> None:
    for url in urls:
        if url.startswith(("data:", "#")):
            continue
        path, line = locate(url)
        if ":" in url.split("/", 1)[0] or url.startswith("//"):
            raise PressroomError(
                f"HTML in the source loads '{url}', which is not a project file",
                path,
                line,
                "asset.remote",
            )
        target = (base / url.split("#", 1)[0].split("?", 1)[0]).resolve()
        if not target.is_relative_to(root):
            raise PressroomError(
                f"HTML in the source loads '{url}', which lies outside the project",
                path,
                line,
                "asset.outside",
            )


def check_pixels(data: bytes, target: str, where: tuple[Path, int | None]) -> None:
    """A small file may decode to a huge bitmap (an image bomb): refuse it before layout."""
    from PIL import Image  # WeasyPrint's own dependency

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Image.DecompressionBombError as exc:  # Pillow's own cap (179 Mpx) is above ours
        m = re.search(r"\((\d+) pixels\)", str(exc))
        width, height = (int(m.group(1)) if m else MAX_PIXELS + 1), 1
    except Exception:  # not a bitmap Pillow reads (SVG): the layout's limits apply to it
        return
    if width * height > MAX_PIXELS:
        raise PressroomError(
            f"image '{target}' has {width * height / 1e6:,.0f} million pixels; the limit is "
            f"{MAX_PIXELS // 1_000_000} million (an image bomb?)",
            where[0],
            where[1],
            "asset.size",
        )


_SVG_REF = re.compile(r"""\b(?:xlink:)?(?:href|src)\s*=\s*("[^"]*"|'[^']*')""", re.I)


def svg_links(text: str) -> list[tuple[str, int]]:
    """Each reference an SVG makes to something outside itself (an `<image href>`, a `<use>`
    of another file, a CSS `url()` or `@import`), with its line in the SVG; `#id` and `data:`
    references are the SVG's own."""
    found: list[tuple[str, int]] = []
    for rx in (_SVG_REF, _CSS_URL):
        for m in rx.finditer(text):
            value = next(g for g in m.groups() if g is not None).strip().strip("\"'").strip()
            if value and not value.startswith("#") and not value.lower().startswith("data:"):
                found.append((value, text.count("\n", 0, m.start()) + 1))
    return sorted(found, key=lambda f: f[1])


def check_svg_links(data: bytes, target: str, where: tuple[Path, int | None]) -> None:
    """An SVG figure is embedded as it is (a data: URL): whatever it loads from elsewhere is
    never fetched (a remote or outside file is refused; a file beside it cannot be found from
    inside a data: URL), and the browser and WeasyPrint leave that part blank without a word.
    Refuse it at the figure's line instead."""
    if data.startswith(b"\x1f\x8b"):  # .svgz: compressed; the layout's own refusals apply
        return
    links = svg_links(data.decode("utf-8", "replace"))
    if links:
        url, line = links[0]
        raise PressroomError(
            f"SVG figure '{target}' loads '{url}' (its line {line}), which would be left blank: "
            "an embedded SVG may hold only its own content; embed that image in the SVG "
            "(as data:) or remove the reference",
            where[0],
            where[1],
            "asset.svg-link",
        )
