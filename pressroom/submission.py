"""`build.py submission`: the files a conference asks for, and a blind-review version of them.

build/submission/ gets paper.pdf, paper.docx, abstract.txt and submission.zip. With --blind
(or `blind: true` in metadata.yaml) the paper is built again without authors, affiliations,
contact details or acknowledgements, self-citations are masked, the files' metadata is
scrubbed, and every file is searched for each author's identity before the bundle stands."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from . import pandoc
from .blind import blind_project, identities
from .config import Project
from .documents import Corpus
from .drafts import draft_markers
from .errors import Diagnostics, PressroomError, PressroomErrors
from .pipeline import Request, build
from .preflight import abstract_counts
from .render.docx import rewrite_parts
from .write import atomic_write

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same files make the same zip


def wants_blind(project: Project, flag: bool) -> bool:
    """The user asked for a blind submission: --blind, or `blind: true` in metadata."""
    return flag or project.metadata.get("blind") is True


def submit(project: Project, blind: bool, diagnostics: Diagnostics) -> list[str]:
    """Build what is submitted, write the bundle, and (blind) prove no author shows."""
    source = blind_project(project) if blind else project
    result = build(source, Request(targets=frozenset({"paper.pdf", "paper.docx"})), diagnostics)
    corpus = result.corpus or Corpus(source)
    # A draft marker is a note to oneself: nothing is bundled while one is left.
    drafts = [
        m.error()
        for name in ("paper", "abstract")
        if name in source.documents
        for m in draft_markers(corpus.cited(name))
    ]
    if drafts:
        raise PressroomErrors(drafts)
    out = project.build_dir / "submission"
    files = {
        "paper.pdf": scrub_pdf(source.output("paper", "pdf").read_bytes(), blind),
        "paper.docx": scrub_docx(source.output("paper", "docx").read_bytes(), blind),
    }
    text, words, characters = abstract_text(corpus)
    files["abstract.txt"] = text.encode("utf-8")
    files["submission.zip"] = bundle(files)
    if blind:  # checked before anything is written: a leaking file never stands in the bundle
        wanted = identities(project)
        for name, data in files.items():
            for kind, part in revealed(wanted, name, data):
                message = f"blind submission reveals the author's {kind} in {part}"
                raise PressroomError(message, out / name, None, "blind.leak")
    for name, data in files.items():
        atomic_write(out / name, data)
    return [
        f"abstract.txt: {words} words, {characters} characters",
        *(f"build/submission/{n}" for n in files),
    ]


def abstract_text(corpus: Corpus) -> tuple[str, int, int]:
    """The abstract as plain text for a web form, with its word and character counts."""
    cited = corpus.cited("abstract")
    blocks = [
        b for b in cited.ast["blocks"] if not (b.get("t") == "Div" and "keywords" in b["c"][0][1])
    ]
    ast = {**cited.ast, "blocks": blocks}
    try:
        out, _ = pandoc.run(["-f", "json", "-t", "plain", "--wrap=none"], pandoc.to_json(ast))
    except pandoc.PandocFailed as exc:
        raise PressroomError(
            f"pandoc could not write the abstract as text: {exc.stderr.strip()}",
            cited.doc.source,
            None,
            "pandoc.writer",
        ) from None
    words, characters = abstract_counts(cited)
    return out.decode("utf-8").strip() + "\n", words, characters


def bundle(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            z.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data)
    return buffer.getvalue()


def scrub_pdf(data: bytes, blind: bool) -> bytes:
    """No author in the Info dictionary or XMP. (The blind build has none to write; this is the
    second lock.)"""
    if not blind:
        return data
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    info_dict: Any = reader.metadata or {}
    if not info_dict.get("/Author") and b"<dc:creator>" not in data:
        return data  # nothing to scrub: keep WeasyPrint's file as it is (a rewrite is 3x larger)
    writer = PdfWriter(clone_from=reader)
    info = {k: v for k, v in (writer.metadata or {}).items() if k not in ("/Author",)}
    writer.metadata = None
    writer.add_metadata(info)
    xmp: Any = writer.root_object.get("/Metadata")
    if xmp is not None:
        stream = xmp.get_object()
        raw = stream.get_data().decode("utf-8", "replace")
        raw = re.sub(r"<dc:creator>.*?</dc:creator>", "", raw, flags=re.S)
        stream.set_data(raw.encode("utf-8"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


_CORE_FIELDS = ("dc:creator", "cp:lastModifiedBy", "cp:contentStatus")
_APP_FIELDS = ("Company", "Manager")


def scrub_docx(data: bytes, blind: bool) -> bytes:
    """Empty the document properties that name people: core.xml, app.xml, comment authors."""
    if not blind:
        return data

    def emptied(tags: tuple[str, ...]) -> Callable[[str], str]:
        def edit(text: str) -> str:
            for tag in tags:
                text = re.sub(rf"<{tag}>.*?</{tag}>", f"<{tag}></{tag}>", text, flags=re.S)
            return text

        return edit

    return rewrite_parts(
        data,
        {
            "docProps/core.xml": emptied(_CORE_FIELDS),
            "docProps/app.xml": emptied(_APP_FIELDS),
            "word/comments.xml": _no_comment_authors,
        },
    )


def _no_comment_authors(text: str) -> str:
    return re.sub(r'w:(author|initials)="[^"]*"', r'w:\1=""', text)


def revealed(wanted: list[tuple[str, str]], name: str, data: bytes) -> list[tuple[str, str]]:
    """(kind, part) for each identity of `wanted` (blind.identities) that a file shows: in its
    text, its metadata, or an XML part's text and attribute values. An identity counts as a
    whole word: "Hall" is not found in "shall", but is in "hall2020"."""
    found = []
    for part, text in readable_parts(name, data):
        low = " ".join(text.split()).lower()
        for kind, value in wanted:
            pattern = rf"(?<![^\W\d_]){re.escape(value.lower())}(?![^\W\d_])"
            if re.search(pattern, low):
                found.append((kind, part))
    return found


def readable_parts(name: str, data: bytes) -> list[tuple[str, str]]:
    """(where, text) for each readable part of a submitted file."""
    if name.endswith(".pdf"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        parts = [("the PDF text", "\n".join(p.extract_text() or "" for p in reader.pages))]
        parts.append(
            ("the PDF metadata", " ".join(str(v) for v in (reader.metadata or {}).values()))
        )
        root: Any = reader.trailer["/Root"]
        if "/Metadata" in root:
            xmp = root["/Metadata"].get_object().get_data()
            parts.append(("the PDF's XMP metadata", _xml_text(xmp)))
        return parts
    if name.endswith((".docx", ".zip")):
        parts = []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in z.namelist():
                parts.append((f"the name {member}", member))
                inner = z.read(member)
                if member.endswith((".pdf", ".docx", ".zip", ".txt", ".xml", ".rels")):
                    for where, text in readable_parts(member, inner):
                        parts.append((member if where == member else f"{member}: {where}", text))
        return parts
    if name.endswith(".xml") or name.endswith(".rels"):
        return [(name, _xml_text(data))]
    return [(name, data.decode("utf-8", "replace"))]


def _xml_text(data: bytes) -> str:
    """An XML part's text and every attribute's value (w:author="..."), entities decoded, but
    not the markup's own names: a surname such as Name or Style is not <w:name w:val="x">."""
    text = data.decode("utf-8", "replace")
    values = re.findall(r"=\s*(?:\"([^\"]*)\"|'([^']*)')", text)
    return html.unescape(" ".join([re.sub(r"<[^>]+>", " ", text), *(a or b for a, b in values)]))
