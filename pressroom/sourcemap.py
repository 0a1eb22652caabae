"""Where each line of a document's assembled Markdown came from: file and line.

Jinja moves lines (loops, conditionals, includes), so a line number that pandoc reports about
the assembled text is not a line of any file. Before rendering, assemble marks the start of
every template line that Jinja will copy through as text, in the document and in each file it
includes, with an invisible marker naming the file and line; after rendering, `SourceMap.build`
reads the markers off the output, records line -> (file, line), and strips them. Every later
stage then names a place by lookup: `origin(line)` for pandoc's "at line N", `locate(text)` for
a citation key, an image path or a piece of raw HTML found in the assembled text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: no text a user writes holds them
_MARK = re.compile(_OPEN + r"(\d+):(\d+)" + _CLOSE)
# Jinja constructs with the delimiters assemble uses ({## ##} comments); a line that starts
# inside one of them is not text, and is left unmarked.
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{##.*?##\}", re.S)


class Marker:
    """Numbers the files of one document's assembly and marks their text lines."""

    def __init__(self) -> None:
        self.files: list[Path] = []

    def mark(self, path: Path, text: str) -> str:
        """`text` with a marker at the start of every line Jinja copies through as text.

        Left unmarked: lines that start inside a tag or comment, lines that start with a
        whitespace-stripping tag (`{%-`, `{{-`: a marker would stop the strip), and lines after
        a tag that strips what follows it (`-%}`), for the same reason."""
        index = len(self.files)
        self.files.append(path)
        inside: set[int] = set()  # offsets of line starts that lie within a tag
        stripped_after: set[int] = set()
        for m in _TAG.finditer(text):
            start, end = m.span()
            pos = text.find("\n", start)
            while 0 <= pos < end - 1:
                inside.add(pos + 1)
                pos = text.find("\n", pos + 1)
            if m.group(0)[-3] == "-":
                nl = text.find("\n", end)
                if nl >= 0 and not text[end:nl].strip():
                    stripped_after.add(nl + 1)
        out: list[str] = []
        offset = 0
        for number, line in enumerate(text.splitlines(keepends=True), 1):
            head = line.lstrip()
            if (
                offset not in inside
                and offset not in stripped_after
                and not head.startswith(("{%-", "{{-", "{##-"))
            ):
                out.append(f"{_OPEN}{index}:{number}{_CLOSE}")
            out.append(line)
            offset += len(line)
        return "".join(out)


@dataclass(frozen=True)
class SourceMap:
    """Assembled line n (1-based) came from `origins[n - 1]` = (file, line)."""

    default: Path  # the document's own source: where an unplaced problem is reported
    lines: tuple[str, ...]  # the assembled text, line by line
    origins: tuple[tuple[Path, int] | None, ...]

    @classmethod
    def build(cls, marked: str, files: list[Path], default: Path) -> tuple[str, SourceMap]:
        """(the rendered text without markers, its map). A line with no marker of its own
        (the second line of a multi-line value) keeps the origin of the line before it; a line
        with several (an include at the start of a line) has the origin of the last, the text
        that follows it."""
        lines: list[str] = []
        origins: list[tuple[Path, int] | None] = []
        last: tuple[Path, int] | None = None
        for raw in marked.split("\n"):
            marks = _MARK.findall(raw)
            if marks:
                last = (files[int(marks[-1][0])], int(marks[-1][1]))
            lines.append(_MARK.sub("", raw) if marks else raw)
            origins.append(last)
        return "\n".join(lines), cls(default, tuple(lines), tuple(origins))

    @classmethod
    def identity(cls, text: str, source: Path) -> SourceMap:
        """The map of a text that is its own source, line for line."""
        lines = text.split("\n")
        return cls(source, tuple(lines), tuple((source, i) for i in range(1, len(lines) + 1)))

    @classmethod
    def joined(cls, parts: tuple[tuple[Path, str], ...], default: Path) -> tuple[str, SourceMap]:
        """(the texts of `parts` joined by a blank line, as pandoc joins its input files, and
        the map of each line to its file and line)."""
        lines: list[str] = []
        origins: list[tuple[Path, int] | None] = []
        for index, (path, text) in enumerate(parts):
            if index:  # the blank line between two files belongs to the one before
                lines.append("")
                origins.append(origins[-1] if origins else None)
            own = text.split("\n")
            lines += own
            origins += [(path, i) for i in range(1, len(own) + 1)]
        return "\n".join(lines), cls(default, tuple(lines), tuple(origins))

    def origin(self, line: int | None) -> tuple[Path, int | None]:
        """The file and line that assembled line `line` came from."""
        if line is not None and 0 < line <= len(self.origins):
            found = self.origins[line - 1]
            if found is not None:
                return found
        return self.default, None

    def locate(self, needle: str, whole: bool = True) -> tuple[Path, int | None]:
        """The origin of the first assembled line holding `needle` (`whole`: not as the start
        of a longer key, as `@smith20` is of `@smith2020`; off for markup such as `<script`)."""
        number = self.find(needle, whole)
        return self.origin(number) if number else (self.default, None)

    def find(self, needle: str, whole: bool = True) -> int | None:
        """The first assembled line (1-based) holding `needle`, as `locate` finds it."""
        if not needle:
            return None
        pattern = re.compile(re.escape(needle) + (r"(?![\w:.#$%&+?<>~/-]*\w)" if whole else ""))
        for number, line in enumerate(self.lines, 1):
            if pattern.search(line):
                return number
        return None

    def locate_before(self, needle: str, line: int) -> tuple[Path, int | None]:
        """The origin of the nearest assembled line at or before `line` that holds `needle`
        (pandoc reports some problems where the block after them starts)."""
        for number in range(min(line, len(self.lines)), 0, -1):
            if needle in self.lines[number - 1]:
                return self.origin(number)
        return self.origin(line)
