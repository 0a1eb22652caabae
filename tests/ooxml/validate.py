"""Validate a DOCX's WordprocessingML parts against the ECMA-376 / Microsoft schema.

`invalid_parts(path)` returns one line per invalid part ("word/document.xml:12: message"), an
empty list when every part is valid. The schema is the one Word itself declares for its 2010
extensions (`schemas/microsoft/wml-2010.xsd`), which imports the ISO/IEC 29500-4 transitional
WordprocessingML schema; only the files that import chain needs are vendored here (see README).

Run as a script: `python tests/ooxml/validate.py FILE.docx...` prints the faults, exit 1 if any.
"""

from __future__ import annotations

import sys
import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA = Path(__file__).resolve().parent / "schemas" / "microsoft" / "wml-2010.xsd"
W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Namespaces the compiled schema checks; content in any other namespace that a part declares
# ignorable is dropped before validation, as a consumer does (ECMA-376 Part 3, Markup
# Compatibility): that is what lets Word's own files carry mc:Ignorable="w14 wp14 ...".
UNDERSTOOD = {W_MAIN, W14}


@cache
def schema() -> etree.XMLSchema:
    """The compiled schema (compiling takes about a second, so once per process)."""
    # no_network: every import resolves to a vendored file; a missing one must fail, not fetch.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def without_ignorable(root: etree._Element) -> etree._Element:
    """The part as a Markup Compatibility consumer sees it: mc:Ignorable removed, and with it
    the elements and attributes of the ignorable namespaces the schema does not cover."""
    ignorable: set[str] = set()
    for node in root.iter():
        prefixes = node.attrib.pop(f"{{{MC}}}Ignorable", "")
        ignorable |= {node.nsmap[p] for p in prefixes.split() if p in node.nsmap}
    ignorable -= UNDERSTOOD
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        if etree.QName(node).namespace in ignorable and node.getparent() is not None:
            node.getparent().remove(node)
            continue
        for name in [a for a in node.attrib if etree.QName(a).namespace in ignorable]:
            del node.attrib[name]
    return root


def wordprocessing_parts(archive: zipfile.ZipFile) -> dict[str, etree._Element]:
    """Every XML part under word/ whose root element is in the WordprocessingML namespace:
    document, styles, settings, footnotes, endnotes, comments, numbering, headers, footers,
    font table, web settings."""
    parts = {}
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    for name in sorted(archive.namelist()):
        if not (name.startswith("word/") and name.endswith(".xml")):
            continue
        root = etree.fromstring(archive.read(name), parser)
        if etree.QName(root).namespace == W_MAIN:
            parts[name] = without_ignorable(root)
    return parts


def invalid_parts(path: Path | str, limit: int = 3) -> list[str]:
    """Lines "part:line: message": the first `limit` schema errors of each invalid part of the DOCX
    at `path`; [] when all its WordprocessingML parts are valid."""
    checker = schema()
    faults = []
    with zipfile.ZipFile(path) as archive:
        parts = wordprocessing_parts(archive)
    if "word/document.xml" not in parts:
        return ["word/document.xml: missing"]
    for name, root in parts.items():
        if checker.validate(root):
            continue
        for error in list(checker.error_log)[:limit]:
            message = error.message.replace(f"{{{W_MAIN}}}", "w:").replace(f"{{{W14}}}", "w14:")
            faults.append(f"{name}:{error.line}: {message}")
    return faults


def main(argv: list[str]) -> int:
    bad = 0
    for arg in argv:
        faults = invalid_parts(arg)
        bad += bool(faults)
        for fault in faults:
            print(f"{arg}: {fault}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
