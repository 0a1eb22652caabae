"""What a reader sees: the PDF's text and links per page, the DOCX's paragraphs and notes."""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pikepdf
from pypdf import PdfReader

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdf_pages(path: Path) -> list[str]:
    """Each page's text, as pypdf extracts it (a second or two a paper: a file read again by
    another test, byte for byte the same, is extracted once)."""
    return list(_pages_text(path.read_bytes()))


@functools.lru_cache(maxsize=32)
def _pages_text(data: bytes) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_links(path: Path) -> list[set[str]]:
    """Named destinations of the internal links on each page (read with pikepdf: a tenth of
    pypdf's time, on every note of every PDF the suite checks)."""
    pages = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            names = set()
            for annot in page.obj.get("/Annots", []):
                dest = annot.get("/Dest")
                if dest is None and annot.get("/A") is not None:
                    dest = annot.A.get("/D")
                if isinstance(dest, (pikepdf.String, pikepdf.Name)):  # not an explicit array
                    names.add(str(dest))
            pages.append(names)
    return pages


def note_pages(path: Path) -> dict[int, tuple[int | None, int | None]]:
    """For note n: (page of its call, page of its text), from the links a reader clicks."""
    out: dict[int, list[int | None]] = {}
    for number, names in enumerate(pdf_links(path), 1):
        for name in names:
            m = re.fullmatch(r"fn(ref)?(\d+)", name)
            if m:
                slot = out.setdefault(int(m.group(2)), [None, None])
                # A link *to* fnN is the call; a link to fnrefN is the note's own marker.
                index = 1 if m.group(1) else 0
                slot[index] = slot[index] or number
    return {n: (v[0], v[1]) for n, v in sorted(out.items())}


def pdf_info(path: Path) -> dict[str, str]:
    meta = PdfReader(path).metadata or {}
    return {str(k): str(v) for k, v in meta.items()}


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Font name -> embedded?"""
    fonts: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in (resources.get_object().get("/Font") or {}).values():
            f = font.get_object()
            descendants = f.get("/DescendantFonts")
            desc = descendants[0].get_object() if descendants else f
            d = desc.get("/FontDescriptor")
            embedded = bool(
                d and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            )
            fonts[str(f.get("/BaseFont"))] = embedded
    return fonts


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs]


def docx_footnotes(path: Path) -> list[str]:
    """The text of each real Word footnote (separators left out)."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("word/footnotes.xml"))
    notes = []
    for fn in root.findall(f"{W}footnote"):
        if fn.get(f"{W}type") in ("separator", "continuationSeparator"):
            continue
        notes.append("".join(t.text or "" for t in fn.iter(f"{W}t")).strip())
    return notes


def docx_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def cited_ast(build: Path, name: str) -> dict[str, Any]:
    """The cited AST of document `name` (pandoc's JSON, after citeproc), as the build cached it
    in build/.cache/NAME.cited.json. The one place that knows that file's layout."""
    record = json.loads((build / ".cache" / f"{name}.cited.json").read_text("utf-8"))
    ast: dict[str, Any] = json.loads(record["out"])
    return ast


def docx_text(path: Path) -> list[str]:
    """word/document.xml and word/footnotes.xml as text: each paragraph as `[style] text`,
    then each real footnote as `[^n] text`."""
    lines = [f"[{style}] {text}" for style, text in docx_paragraphs(path)]
    lines += [f"[^{n}] {text}" for n, text in enumerate(docx_footnotes(path), 1)]
    return lines
