"""The DOCX post-pass: what pandoc's writer leaves out of Word tracked changes, put in.

pandoc 3.9 writes an `insertion`/`deletion` Span as `w:ins`/`w:del` (body and footnotes alike),
but (research/review/redline-anchors.md §3, verified):
- a wholly inserted or deleted paragraph gets no paragraph-mark revision, so Word's Accept All
  or Reject All leaves an empty paragraph (F6, F7): the marker Spans of diff.py, written as
  bookmarks, say which paragraphs; their marks get `w:pPr/w:rPr/w:ins|w:del` here; a wholly
  inserted or deleted table row likewise gets `w:trPr/w:ins|w:del`;
- insertions and deletions are numbered apart, so their ids collide (F9): renumbered here,
  unique across the package;
- a change around a link is invalid and LibreOffice drops its text (F4, jgm/pandoc#4609):
  diff.py marks inside links; a `w:ins`/`w:del` holding a `w:hyperlink` is still split here;
- a deleted note's separating space is written as deleted text outside any `w:del` (F5);
- author and date come from the Span; one without them is given them here (F8).
The highlighted copy needs its two character styles to show something (F11)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from lxml import etree

from .diff import PARAGRAPH_MARK, ROW_MARK

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
STORIES = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml")
REVISIONS = (W + "ins", W + "del")
INSERTED_STYLE, DELETED_STYLE = "Inserted Text", "Deleted Text"
INSERTED_COLOUR, DELETED_COLOUR = "0B4F8A", "9C1C1C"  # as templates/redline.css

# CT_Settings is a sequence: w:trackRevisions must come after these and before the rest.
_SETTINGS_BEFORE_TRACK = {
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView",
}  # fmt: skip


def tracked(data: bytes, author: str, date: str) -> bytes:
    """pandoc's DOCX with complete tracked changes, opening with Track Changes on (so an
    editor's own edits are tracked too)."""
    parts = _read(data)
    trees = {name: _parse(parts[name]) for name in STORIES if name in parts}
    for root in trees.values():
        _split_links(root)
        _orphan_deletions(root, author, date)
        _paragraph_marks(root, author, date)
    _renumber(list(trees.values()), author, date)
    for name, root in trees.items():
        parts[name] = _serialize(root)
    if "word/settings.xml" in parts:
        parts["word/settings.xml"] = _track_revisions(parts["word/settings.xml"])
    return _write(data, parts)


def highlighted(data: bytes) -> bytes:
    """pandoc's DOCX with the `Inserted Text` and `Deleted Text` character styles defined:
    underlined and struck through, each in its colour."""
    parts = _read(data)
    root = _parse(parts["word/styles.xml"])
    _character_style(root, INSERTED_STYLE, [("color", INSERTED_COLOUR), ("u", "single")])
    _character_style(root, DELETED_STYLE, [("strike", None), ("color", DELETED_COLOUR)])
    parts["word/styles.xml"] = _serialize(root)
    return _write(data, parts)


def _read(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _write(original: bytes, parts: dict[str, bytes]) -> bytes:
    """The package again, members in their order and with their dates (a stable file)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info, parts[info.filename])
    return buffer.getvalue()


def _parse(xml: bytes) -> Any:
    return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, huge_tree=True))


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _split_links(root: Any) -> None:
    """A `w:ins`/`w:del` that holds a hyperlink becomes the hyperlink holding the revision."""
    for revision in [r for r in root.iter(*REVISIONS) if r.find(W + "hyperlink") is not None]:
        pieces: list[Any] = []
        run: Any = None
        for child in list(revision):
            if child.tag == W + "hyperlink":
                inner = _clone(revision)
                inner.extend(list(child))
                child.append(inner)
                pieces.append(child)
                run = None
            else:
                if run is None:
                    run = _clone(revision)
                    pieces.append(run)
                run.append(child)
        parent = revision.getparent()
        at = parent.index(revision)
        parent.remove(revision)
        for offset, piece in enumerate(pieces):
            parent.insert(at + offset, piece)


def _orphan_deletions(root: Any, author: str, date: str) -> None:
    """A run of deleted text outside any `w:del` (the space pandoc writes after a deleted
    note's own number, F5) goes inside one."""
    for text in list(root.iter(W + "delText")):
        if any(a.tag == W + "del" for a in text.iterancestors()):
            continue
        run = next(text.iterancestors(W + "r"), None)
        if run is None:
            continue
        wrapper = etree.Element(W + "del", {W + "id": "0", W + "author": author, W + "date": date})
        run.addprevious(wrapper)
        wrapper.append(run)


def _clone(element: Any) -> Any:
    return etree.Element(element.tag, dict(element.attrib), nsmap=element.nsmap)


def _paragraph_marks(root: Any, author: str, date: str) -> None:
    """Each paragraph (or table row) that holds a marker bookmark gets its mark inserted or
    deleted; the bookmark goes."""
    ends = {e.get(W + "id"): e for e in root.iter(W + "bookmarkEnd")}
    for start in list(root.iter(W + "bookmarkStart")):
        name = start.get(W + "name") or ""
        prefix = next((p for p in (PARAGRAPH_MARK, ROW_MARK) if name.startswith(p)), None)
        if prefix is None:
            continue
        kind = "ins" if name[len(prefix) :].startswith("insertion") else "del"
        end = ends.get(start.get(W + "id"))
        paragraph = next(start.iterancestors(W + "p"), None)
        row = next(start.iterancestors(W + "tr"), None)
        for element in (start, end):
            if element is not None:
                element.getparent().remove(element)
        if prefix == ROW_MARK:
            if row is not None:
                _mark_row(row, kind, author, date)
        # The last paragraph of the body, a cell or a note keeps its mark: Word cannot
        # remove it, and a cell or note must end with a paragraph.
        elif paragraph is not None and _followed(paragraph):
            _mark_paragraph(paragraph, kind, author, date)


def _mark_row(row: Any, kind: str, author: str, date: str) -> None:
    trpr = row.find(W + "trPr")
    if trpr is None:
        trpr = etree.Element(W + "trPr")
        # CT_Row: tblPrEx?, trPr?, then the cells.
        exceptions = row.find(W + "tblPrEx")
        if exceptions is not None:
            exceptions.addnext(trpr)
        else:
            row.insert(0, trpr)
    revision = etree.Element(W + kind, {W + "id": "0", W + "author": author, W + "date": date})
    change = trpr.find(W + "trPrChange")  # CT_TrPr: the row's own properties, ins, del, change
    if change is not None:
        change.addprevious(revision)
    else:
        trpr.append(revision)


def _followed(paragraph: Any) -> bool:
    return any(s.tag in (W + "p", W + "tbl") for s in paragraph.itersiblings())


def _mark_paragraph(paragraph: Any, kind: str, author: str, date: str) -> None:
    ppr = paragraph.find(W + "pPr")
    if ppr is None:
        ppr = etree.SubElement(paragraph, W + "pPr")
        paragraph.insert(0, ppr)
    rpr = ppr.find(W + "rPr")
    if rpr is None:
        rpr = etree.Element(W + "rPr")
        # CT_PPr: the paragraph mark's rPr comes before sectPr and pPrChange.
        later = [c for c in ppr if c.tag in (W + "sectPr", W + "pPrChange")]
        if later:
            later[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    revision = etree.Element(W + kind, {W + "id": "0", W + "author": author, W + "date": date})
    rpr.insert(0, revision)


def _renumber(roots: list[Any], author: str, date: str) -> None:
    """Every revision its own id, above every other annotation id in the package."""
    taken = [
        int(value)
        for root in roots
        for element in root.iter()
        if element.tag not in REVISIONS and (value := element.get(W + "id", "")).isdigit()
    ]
    number = max(taken, default=0)
    for root in roots:
        for revision in root.iter(*REVISIONS):
            number += 1
            revision.set(W + "id", str(number))
            if not revision.get(W + "author"):
                revision.set(W + "author", author)
            if not revision.get(W + "date"):
                revision.set(W + "date", date)


def _track_revisions(xml: bytes) -> bytes:
    root = _parse(xml)
    if root.find(W + "trackRevisions") is not None:
        return xml
    track = etree.Element(W + "trackRevisions")
    before = [c for c in root if etree.QName(c).localname in _SETTINGS_BEFORE_TRACK]
    if before:
        before[-1].addnext(track)
    else:
        root.insert(0, track)
    return _serialize(root)


def _character_style(root: Any, name: str, properties: list[tuple[str, str | None]]) -> None:
    """Define (or redefine) the character style `name` with these run properties, in the
    order CT_RPr requires."""
    style_id = name.replace(" ", "")
    style = next(
        (s for s in root.iter(W + "style") if s.get(W + "styleId") == style_id),
        None,
    )
    if style is None:
        style = etree.SubElement(
            root,
            W + "style",
            {W + "type": "character", W + "customStyle": "1", W + "styleId": style_id},
        )
        etree.SubElement(style, W + "name", {W + "val": name})
    for old in style.findall(W + "rPr"):
        style.remove(old)
    rpr = etree.SubElement(style, W + "rPr")
    for tag, value in properties:
        etree.SubElement(rpr, W + tag, {W + "val": value} if value else {})
