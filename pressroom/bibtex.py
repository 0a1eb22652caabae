"""BibTeX as Zotero and Better BibTeX export it: what pandoc's biblatex reader leaves out or
leaves raw, put back into its CSL-JSON items.

pandoc converts the library (references.py); this module reads the .bib text once more for the
line of every entry (each copy of a repeated id has its own) and for the few fields pandoc does
not carry over: a year it cannot parse (`[1893] 1984`, `Forthcoming`), the archive of an
archival item (`archive`, `library`, `archive_location`), and `@misc`, which it gives no type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_ENTRY = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s]+)\s*,")
# The fields pandoc's reader drops or leaves unread, each at the start of a field.
_WANTED = re.compile(
    r"(?:^|[,{\s])(year|date|archive|library|archive_location|archivelocation)\s*=\s*",
    re.I | re.M,
)
_SKIP = {"comment", "string", "preamble"}
_REPRINT = re.compile(r"^\[(\d{3,4})\]\s*(\d{3,4})$")  # "[1893] 1984": first published, reprint
_YEAR = re.compile(r"^\d{1,4}$")
_BARE = re.compile(r"[^,}#\s]*")


@dataclass(frozen=True)
class Entry:
    """One `@type{id, ...}` of the file: its line and its raw fields (lower-case names)."""

    kind: str
    line: int
    fields: dict[str, str]


def entries(text: str) -> dict[str, list[Entry]]:
    """Every entry of a .bib text by id; a repeated id has one Entry per copy, in order. Only
    the fields `complete` reads are kept (a 2,669-entry library is read in well under a second)."""
    found: dict[str, list[Entry]] = {}
    starts = [m for m in _ENTRY.finditer(text) if m.group(1).lower() not in _SKIP]
    line, counted = 1, 0
    for i, m in enumerate(starts):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        entry = Entry(m.group(1).lower(), line, _fields(text, m.end(), end))
        found.setdefault(m.group(2), []).append(entry)
    return found


def _fields(text: str, start: int, end: int) -> dict[str, str]:
    """The wanted `name = value` pairs between `start` and `end` (values unbraced)."""
    fields: dict[str, str] = {}
    for m in _WANTED.finditer(text, start, end):
        value, _ = _value(text, m.end())
        fields.setdefault(m.group(1).lower(), " ".join(value.split()))
    return fields


def _value(text: str, pos: int) -> tuple[str, int]:
    """One field value (braced, quoted or bare, joined by `#`) and where it ends."""
    parts: list[str] = []
    while pos < len(text):
        c = text[pos]
        if c == "{":
            depth, start = 1, pos + 1
            pos += 1
            while pos < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[pos], 0)
                pos += 1
            parts.append(text[start : pos - 1])
        elif c == '"':
            depth, start = 0, pos + 1
            pos += 1
            while pos < len(text) and not (text[pos] == '"' and depth == 0):
                depth += {"{": 1, "}": -1}.get(text[pos], 0)
                pos += 1
            parts.append(text[start:pos])
            pos += 1
        else:
            m = _BARE.match(text, pos)
            end = m.end() if m else pos
            parts.append(text[pos:end])
            pos = end
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos < len(text) and text[pos] == "#":
            pos += 1
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
            continue
        break
    return "".join(parts), pos


# A command typed into a Zotero field (`\mkbibquote{Terror}` in a title), as Zotero's and older
# Better BibTeX exports escape it: `\textbackslash mkbibquote\{\vphantom\}{{Terror}}\vphantom\{\}`
# (or `$\backslash$mkbibquote...`), which pandoc prints as the text "\mkbibquoteTerror". Put
# back as the command it was, pandoc's biblatex reader sets it: quotation marks, italics.
_ESCAPED_OPEN = re.compile(
    r"(?:\\textbackslash\s*|\$\\backslash\$)"
    r"(mkbib[a-z]+|emph|textit|textbf|textsc|textsubscript|textsuperscript)"
    r"\s*\\\{\\vphantom\\\}"
)
_ESCAPED_CLOSE = re.compile(r"\\vphantom\\\{\\\}")


def unescape_commands(text: str) -> str:
    """The .bib text with Zotero's escaped formatting commands put back (lines unchanged)."""
    if "vphantom" not in text:
        return text
    text, opened = _ESCAPED_OPEN.subn(lambda m: "\\" + m.group(1) + "{", text)
    return _ESCAPED_CLOSE.sub("}", text) if opened else text


def complete(item: dict[str, Any], entry: Entry) -> dict[str, Any]:
    """pandoc's CSL item for `entry`, with what it dropped put back."""
    item = {k: _math(_unbrace(v)) for k, v in item.items()}
    if isinstance(item.get("title-short"), str):
        # pandoc cuts the short title at the colon: a French title's "outil : des cartes" kept
        # the space before it, and every short note printed "outil ,".
        item["title-short"] = item["title-short"].strip()
    if not item.get("type"):
        item["type"] = "document"  # @misc and other types pandoc does not map
    issued = item.get("issued")
    if issued is None or issued == {"date-parts": []}:  # a year pandoc could not read
        item.pop("issued", None)
        raw = entry.fields.get("date") or entry.fields.get("year") or ""
        item.update(_year(raw.replace("{", "").replace("}", "").strip()))
    archive = entry.fields.get("archive") or entry.fields.get("library")
    if archive and "archive" not in item:
        item["archive"] = _unbrace(archive)
        if item.get("call-number") == item["archive"]:
            del item["call-number"]  # pandoc's reading of `library`
    place = entry.fields.get("archive_location") or entry.fields.get("archivelocation")
    if place and "archive_location" not in item:
        item["archive_location"] = _unbrace(place)
    return item


def _year(raw: str) -> dict[str, Any]:
    """A year pandoc could not read: a reprint's two years, or words printed as they are."""
    m = _REPRINT.match(raw)
    if m:
        return {
            "original-date": {"date-parts": [[int(m.group(1))]]},
            "issued": {"date-parts": [[int(m.group(2))]]},
        }
    if not raw:
        return {}
    if _YEAR.match(raw):
        return {"issued": {"date-parts": [[int(raw)]]}}
    return {"issued": {"literal": raw}}


# TeX math in a title, as BibTeX libraries write it (`Student-$t$ Processes`), which pandoc's
# CSL-JSON leaves as `$t$`: a variable in italics, a number upright, a Greek letter as itself
# (CSL-JSON's own markup, which citeproc reads); anything else stays as written.
_MATH = re.compile(r"\$([^$]{1,40})\$")
_GREEK_NAMES = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho"
_GREEK_NAMES += " sigma tau upsilon phi chi psi omega"
_GREEK = dict(zip(_GREEK_NAMES.split(), "αβγδεζηθικλμνξπρστυφχψω", strict=True))


def _math(value: Any) -> Any:
    if not isinstance(value, str) or "$" not in value:
        return value

    def one(m: re.Match[str]) -> str:
        tex = m.group(1).strip()
        if re.fullmatch(r"[A-Za-z]", tex):
            return f"<i>{tex}</i>"
        if re.fullmatch(r"[0-9.,]+", tex):
            return tex
        name = tex.removeprefix("\\")
        letter = _GREEK.get(name.lower()) if tex.startswith("\\") else None
        if letter:
            return f"<i>{letter.upper() if name[0].isupper() else letter}</i>"
        return m.group(0)

    return _MATH.sub(one, value)


def _unbrace(value: Any) -> Any:
    """`Briefing {{Report}}` -> `Briefing Report`: the case-protecting braces Better BibTeX
    writes, in fields pandoc passes through as text."""
    if isinstance(value, str) and ("{" in value or "}" in value):
        return value.replace("{", "").replace("}", "")
    return value
