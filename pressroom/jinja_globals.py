"""What a source's Jinja sees: meta, data, ref(), cited_in(), qr() and session_when().

Each global records the files it reads into the document's read-set, so the document depends
on exactly the data files, library and other documents' citation indices it used."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .assemble import DataView
from .catalogue import catalogue, reference
from .config import Document
from .errors import PressroomError
from .meta import session_when

if TYPE_CHECKING:
    from .documents import Corpus


def source_globals(doc: Document, corpus: Corpus, reads: set[Path]) -> dict[str, Any]:
    def ref(ident: str) -> dict[str, Any]:
        """A library entry with its formatted entry, first note and short note."""
        reads.update(corpus.library.files)
        reads.add(corpus.style)
        if corpus.formatted is None:
            corpus.formatted = catalogue(corpus.project, corpus.library, corpus.style)
        for item in corpus.library.items:
            if item["id"] == ident:
                return reference(item, corpus.formatted.get(ident, {}))
        problems = corpus.library.problems_of(ident)
        if problems:  # an entry left out of the library: what is wrong with it, at its line
            raise problems[0]
        hint = corpus.library.closest(ident)
        raise PressroomError(
            f"ref(): unknown reference id '{ident}'"
            + (f" (did you mean '{hint}'?)" if hint else ""),
            doc.source,
            None,
            "citation.unknown",
        )

    def cited_in(ident: str, document: str = "paper") -> dict[str, Any]:
        """Where another document cites a source. It depends on where that document cites,
        not on all its text: an edit to the paper that moves no citation leaves it alone."""
        found, index = corpus.cited_in(ident, document)
        reads.add(index)
        return found

    return {
        "meta": doc.meta,
        "data": DataView(corpus.data, corpus.data_paths, reads),
        "ref": ref,
        "cited_in": cited_in,
        "qr": qr,
        "session_when": session_when,
    }


def qr(url: Any) -> str:
    """An SVG QR code for `url` as a data: URL (segno: ISO/IEC 18004, error level M).

    Dark modules on a transparent ground, with the 4-module quiet zone the standard asks for,
    so a phone reads it off paper at arm's length."""
    import segno  # the handout alone pays for it

    if not url:
        raise PressroomError(
            "qr(): no URL given (set `url:` in metadata.yaml)", None, None, "jinja.qr"
        )
    code = segno.make(str(url), error="m", micro=False)
    # svg_data_uri writes the xmlns a browser needs to show an SVG given as an image.
    return str(code.svg_data_uri(scale=4, border=4, dark="#000", light=None, omitsize=True))
