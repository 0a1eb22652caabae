"""Pictures in notes in the DOCX: each named in the notes' own relationships.

pandoc's Word writer names a picture in a note (`^[... ![](x.png)]`) by its relationship id
in the document's relationships, and leaves it out of the notes' own part
(word/_rels/footnotes.xml.rels), where a consumer looks it up: Word reports unreadable
content, LibreOffice shows no picture. Each image relationship the notes name is copied
there, under the same id (pandoc numbers relationships through the whole package, so the
ids of the notes' own links never collide with them)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

NOTES = "word/footnotes.xml"
NOTES_RELS = "word/_rels/footnotes.xml.rels"
RELS = "word/_rels/document.xml.rels"
_EMBED = re.compile(r'\br:(?:embed|link)="([^"]+)"')
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*>")
_ID = re.compile(r'\bId="([^"]+)"')
_EMPTY = re.compile(r"<Relationships\b([^>]*?)\s*/>")
EMPTY_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships" />'
)


def with_note_pictures(
    data: bytes,
    rewrite: Callable[[bytes, dict[str, Callable[[str], str]], dict[str, bytes]], bytes],
) -> bytes:
    """The DOCX with every picture relationship its notes name present in the notes' own
    relationships (`rewrite` is docx.rewrite_parts)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if NOTES not in names:
            return data
        named = set(_EMBED.findall(z.read(NOTES).decode("utf-8")))
        if not named:
            return data
        own = z.read(NOTES_RELS).decode("utf-8") if NOTES_RELS in names else EMPTY_RELS
        document = _by_id(z.read(RELS).decode("utf-8"))
    have = set(_by_id(own))
    copied = "".join(document[i] for i in sorted(named - have) if i in document)
    if not copied:
        return data
    rels = _with_relationships(own, copied)
    if NOTES_RELS in names:
        return rewrite(data, {NOTES_RELS: lambda _: rels}, {})
    return rewrite(data, {}, {NOTES_RELS: rels.encode("utf-8")})


def _by_id(rels: str) -> dict[str, str]:
    """Each relationship element of a relationships part, by its id (pandoc writes each as
    one empty element)."""
    out = {}
    for tag in _RELATIONSHIP.findall(rels):
        found = _ID.search(tag)
        if found and tag.endswith("/>"):
            out[found.group(1)] = tag
    return out


def _with_relationships(rels: str, tags: str) -> str:
    if _EMPTY.search(rels):  # <Relationships xmlns="..." />: opened to hold them
        return _EMPTY.sub(lambda m: f"<Relationships{m.group(1)}>{tags}</Relationships>", rels)
    return rels.replace("</Relationships>", tags + "</Relationships>")
