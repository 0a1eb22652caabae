"""The reference library: CSL YAML, CSL-JSON or BibTeX in references/, checked and normalised."""

from __future__ import annotations

import calendar
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import pandoc, yamlio
from .config import Project
from .errors import PressroomError, PressroomErrors

CSL_TYPES = frozenset(
    [
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ]
)
NAME_FIELDS = frozenset(
    [
        "author",
        "chair",
        "collection-editor",
        "compiler",
        "composer",
        "container-author",
        "contributor",
        "curator",
        "director",
        "editor",
        "editorial-director",
        "executive-producer",
        "guest",
        "host",
        "illustrator",
        "interviewer",
        "narrator",
        "organizer",
        "original-author",
        "performer",
        "producer",
        "recipient",
        "reviewed-author",
        "script-writer",
        "series-creator",
        "translator",
    ]
)
DATE_FIELDS = frozenset(
    ["accessed", "available-date", "event-date", "issued", "original-date", "submitted"]
)
# Unsigned press: a newspaper or magazine item with no author is cited in notes only. Chicago
# leaves unsigned news items out of the bibliography (an entry would be just the paper's name
# and a date); the library's conventions are written in references/library.yaml.
UNSIGNED_PRESS_TYPES = frozenset(["article-newspaper", "article-magazine"])


def notes_only(item: dict[str, Any]) -> bool:
    """Whether the bibliography leaves this item out (it is cited in notes only)."""
    return item.get("type") in UNSIGNED_PRESS_TYPES and not item.get("author")


_ISO = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


@dataclass(frozen=True)
class Library:
    """Every reference, as CSL-JSON items, with where each was declared."""

    items: tuple[dict[str, Any], ...]
    places: dict[str, tuple[Path, int | None]]
    files: tuple[Path, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(item["id"] for item in self.items)

    def closest(self, key: str) -> str | None:
        close = difflib.get_close_matches(key, sorted(self.ids), n=1, cutoff=0.6)
        return close[0] if close else None

    @property
    def notes_only(self) -> frozenset[str]:
        """Ids of the items cited in notes only, never listed in a bibliography."""
        return frozenset(item["id"] for item in self.items if notes_only(item))

    def csljson(self) -> bytes:
        return json.dumps(list(self.items), ensure_ascii=False, indent=1).encode("utf-8")


def load_library(project: Project) -> Library:
    """Read every file in references/, validate each item, reject duplicate ids."""
    items: list[dict[str, Any]] = []
    places: dict[str, tuple[Path, int | None]] = {}
    lowered: dict[str, str] = {}
    problems: list[PressroomError] = []
    for path in project.reference_files:
        for item, line in _read(path):
            try:
                clean = _check_item(item, path, line)
            except PressroomError as exc:
                problems.append(exc)
                continue
            key = clean["id"].lower()
            if key in lowered:
                first = places[lowered[key]]
                msg = (
                    f"duplicate reference id '{clean['id']}' (ids ignore case; first declared at "
                    f"{first[0].name}:{first[1] or '?'})"
                )
                problems.append(PressroomError(msg, path, line, "reference.duplicate"))
                continue
            lowered[key] = clean["id"]
            places[clean["id"]] = (path, line)
            items.append(clean)
    if problems:
        raise PressroomErrors(problems)
    return Library(items=tuple(items), places=places, files=project.reference_files)


def _read(path: Path) -> list[tuple[Any, int | None]]:
    suffix = path.suffix.lower()
    if suffix == ".bib":
        return _read_bibtex(path)
    text = yamlio.read_text(path)
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PressroomError(
                f"invalid JSON: {exc.msg}", path, exc.lineno, "reference.syntax"
            ) from None
        if not isinstance(data, list):
            raise PressroomError("CSL-JSON must be a list of items", path, 1, "reference.syntax")
        return [(item, _json_line(text, item)) for item in data]
    data = yamlio.loads(text, path)
    if isinstance(data, dict) and "references" in data:
        data = data["references"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise PressroomError(
            "CSL YAML must be a list of items (or a mapping with 'references:')",
            path,
            1,
            "reference.syntax",
        )
    return [(item, getattr(item, "line", None)) for item in data]


def _json_line(text: str, item: Any) -> int | None:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        m = re.search(r'"id"\s*:\s*"' + re.escape(item["id"]) + '"', text)
        if m:
            return text.count("\n", 0, m.start()) + 1
    return None


def _read_bibtex(path: Path) -> list[tuple[Any, int | None]]:
    text = yamlio.read_text(path)
    try:
        out, _ = pandoc.run(["-f", "biblatex", "-t", "csljson"], text.encode("utf-8"))
    except pandoc.PandocFailed as exc:
        m = re.search(r"line (\d+)", exc.stderr)
        detail = exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else "unreadable"
        raise PressroomError(
            f"invalid BibTeX: {detail}", path, int(m.group(1)) if m else None, "reference.syntax"
        ) from None
    items = json.loads(out)
    lines = {}
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text):
        lines[m.group(1)] = text.count("\n", 0, m.start()) + 1
    return [(item, lines.get(item.get("id", ""))) for item in items]


def _check_item(item: Any, path: Path, line: int | None) -> dict[str, Any]:
    """Check one CSL item and return it as clean CSL-JSON."""
    if not isinstance(item, dict):
        raise PressroomError("a reference must be a mapping", path, line, "reference.invalid")
    ident = item.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or not str(ident).strip():
        raise PressroomError("reference has no 'id'", path, line, "reference.invalid")
    ident = str(ident)
    where = getattr(item, "lines", {})
    kind = item.get("type")
    if kind is None:
        raise PressroomError(f"reference '{ident}' has no 'type'", path, line, "reference.invalid")
    if not isinstance(kind, str) or kind not in CSL_TYPES:  # a list or mapping is unhashable
        close = difflib.get_close_matches(str(kind), sorted(CSL_TYPES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise PressroomError(
            f"reference '{ident}': unknown type '{kind}'{hint}",
            path,
            where.get("type", line),
            "reference.invalid",
        )
    clean: dict[str, Any] = {}
    for key, value in item.items():
        at = where.get(key, line)
        if key in NAME_FIELDS:
            clean[key] = _names(ident, key, value, path, at)
        elif key in DATE_FIELDS:
            clean[key] = _date(ident, key, value, path, at)
        else:
            clean[key] = value
    clean["id"] = ident
    return clean


def _names(ident: str, key: str, value: Any, path: Path, line: int | None) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(n, dict) for n in value):
        raise PressroomError(
            f"reference '{ident}': '{key}' must be a list of names like "
            "{family: Doe, given: Jane} or {literal: Heritage Foundation}",
            path,
            line,
            "reference.invalid",
        )
    for n in value:
        if not any(isinstance(n.get(k), str) for k in ("family", "literal", "given")):
            raise PressroomError(
                f"reference '{ident}': a name in '{key}' needs family, given or literal",
                path,
                line,
                "reference.invalid",
            )
    return [dict(n) for n in value]


def _date(ident: str, key: str, value: Any, path: Path, line: int | None) -> dict[str, Any]:
    def bad(why: str) -> PressroomError:
        return PressroomError(f"reference '{ident}': '{key}' {why}", path, line, "reference.date")

    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        parts = []
        for piece in value.split("/"):
            m = _ISO.match(piece.strip())
            if not m:
                raise bad(f"is not a date like 1987-10-26: '{value}'")
            parts.append([int(g) for g in m.groups() if g is not None])
        value = {"date-parts": parts}
    if not isinstance(value, dict):
        raise bad("must be a date like 1987-10-26 or {date-parts: [[1987, 10, 26]]}")
    if "date-parts" in value:
        dp = value["date-parts"]
        if not isinstance(dp, list) or not dp or not all(isinstance(p, list) and p for p in dp):
            raise bad("date-parts must be a list of [year, month, day] lists")
        for p in dp:
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in p) or len(p) > 3:
                raise bad("date-parts must hold whole numbers: [year, month, day]")
            if len(p) >= 2 and not 1 <= p[1] <= 12:
                raise bad(f"has month {p[1]}; months run 1 to 12")
            if len(p) == 3 and not 1 <= p[2] <= calendar.monthrange(p[0], p[1])[1]:
                raise bad(f"has day {p[2]}, which month {p[1]} of {p[0]} does not have")
    elif not any(k in value for k in ("raw", "literal")):
        raise bad("needs date-parts, raw or literal")
    return dict(value)
