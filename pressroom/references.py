"""The reference library: CSL YAML, CSL-JSON or BibTeX in references/, checked and normalised."""

from __future__ import annotations

import calendar
import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import bibtex, pandoc, yamlio
from .config import Project, split_front_matter
from .errors import BuildWarning, PressroomError
from .write import write_if_changed

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
    """Every usable reference, as CSL-JSON items, with where each was declared; the entries
    left out (invalid, or a second copy of an id) are kept as problems, by lower-cased id: an
    error when a document cites one, one summary warning otherwise (issue 10)."""

    items: tuple[dict[str, Any], ...]
    places: dict[str, tuple[Path, int | None]]
    files: tuple[Path, ...]
    problems: dict[str, tuple[PressroomError, ...]] = field(default_factory=dict)

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

    def problems_of(self, key: str) -> tuple[PressroomError, ...]:
        """What is wrong with the entry (or entries) with id `key`; () if nothing."""
        return self.problems.get(key.lower(), ())

    def uncited_problems(self, cited: set[str] | frozenset[str]) -> list[PressroomError]:
        """Every problem in an entry no document of this build cites, in file order."""
        lowered = {k.lower() for k in cited}
        found = [e for key, errs in self.problems.items() if key not in lowered for e in errs]
        order = {f: i for i, f in enumerate(self.files)}
        return sorted(found, key=lambda e: (order.get(e.path or Path(), 0), e.line or 0))

    def summary(self, cited: set[str] | frozenset[str]) -> BuildWarning | None:
        """One warning for all the problems in uncited entries (`check` lists them)."""
        found = self.uncited_problems(cited)
        if not found:
            return None
        entries = len({(e.path, e.line) for e in found})
        what = "entry has a problem" if entries == 1 else "entries have problems"
        msg = (
            f"{entries} library {what} and no document cites them; they are left out "
            "('pressroom check' lists them)"
        )
        return BuildWarning(msg, "reference.uncited-invalid", found[0].path, None)


def load_library(project: Project) -> Library:
    """Read every library file, normalise each item; an item that is invalid or repeats an id
    (ids ignore case) is left out and recorded as a problem of its id."""
    items: list[dict[str, Any]] = []
    places: dict[str, tuple[Path, int | None]] = {}
    lowered: dict[str, str] = {}
    problems: dict[str, list[PressroomError]] = {}
    for path in project.reference_files:
        for n, (item, line) in enumerate(_read(path, project.build_dir / ".cache")):
            try:
                clean = _check_item(item, path, line)
            except PressroomError as exc:
                ident = item.get("id") if isinstance(item, dict) else None
                key = str(ident).lower() if ident not in (None, "") else f"\0{path}:{n}"
                problems.setdefault(key, []).append(exc)
                continue
            key = clean["id"].lower()
            if key in lowered:
                first = places[lowered[key]]
                msg = (
                    f"duplicate reference id '{clean['id']}' (ids ignore case; first declared at "
                    f"{first[0].name}:{first[1] or '?'})"
                )
                problems.setdefault(key, []).append(
                    PressroomError(msg, path, line, "reference.duplicate")
                )
                continue
            lowered[key] = clean["id"]
            places[clean["id"]] = (path, line)
            items.append(clean)
    return Library(
        items=tuple(items),
        places=places,
        files=project.reference_files,
        problems={k: tuple(v) for k, v in problems.items()},
    )


def _read(path: Path, cache: Path) -> list[tuple[Any, int | None]]:
    suffix = path.suffix.lower()
    if suffix == ".bib":
        return _read_bibtex(path, cache)
    text = yamlio.read_text(path)
    if suffix == ".md":  # a document whose front matter holds pandoc's `references:`
        data = split_front_matter(text, path)[0].get("references")
        return [(item, getattr(item, "line", None)) for item in data or []]
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PressroomError(
                f"invalid JSON: {exc.msg}", path, exc.lineno, "reference.syntax"
            ) from None
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            data = data["items"]  # Zotero's API wraps its CSL-JSON export
        if not isinstance(data, list):
            raise PressroomError("CSL-JSON must be a list of items", path, 1, "reference.syntax")
        return list(zip(data, _json_item_lines(text, data), strict=True))
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


def _json_item_lines(text: str, data: list[Any]) -> list[int | None]:
    """The line of each item of a CSL-JSON file, read again in order with the JSON decoder:
    the line of the item's `"id"` where it has one (a text or a number), else the line its `{`
    is on. None for all where the items read again are not `data` (never a wrong line)."""
    opening = re.search(r'"items"\s*:\s*\[', text) if not text.lstrip().startswith("[") else None
    at = opening.end() if opening else text.index("[") + 1
    decoder = json.JSONDecoder()
    lines: list[int | None] = []
    line, counted = 1, 0  # lines counted up to `counted`: each part of the text counted once
    try:
        for item in data:
            at = _JSON_SKIP.match(text, at).end()  # type: ignore[union-attr]
            read, end = decoder.raw_decode(text, at)
            if read != item:
                return [None] * len(data)
            ident = _JSON_ID.search(text, at, end)
            where = ident.start() if ident else at
            line += text.count("\n", counted, where)
            counted = where
            lines.append(line)
            at = end
    except (ValueError, IndexError):
        return [None] * len(data)
    return lines


_JSON_SKIP = re.compile(r"[\s,]*")
# An item's own id: the first "id" key of the item (a nested object's "id" comes later, if
# at all, in the files Zotero, Better BibTeX and pandoc write).
_JSON_ID = re.compile(r'"id"\s*:\s*(?:"|-?\d)')


def _read_bibtex(path: Path, cache: Path) -> list[tuple[Any, int | None]]:
    text = bibtex.unescape_commands(yamlio.read_text(path))
    try:
        out = _biblatex(text, path, cache)
    except pandoc.PandocFailed as exc:
        raise _bibtex_error(exc.stderr, text, path) from None
    items = json.loads(out)
    entries = bibtex.entries(text)
    seen: dict[str, int] = {}
    result: list[tuple[Any, int | None]] = []
    for item in items:
        ident = str(item.get("id", ""))
        copies = entries.get(ident, [])
        k = seen.get(ident, 0)
        seen[ident] = k + 1
        entry = copies[min(k, len(copies) - 1)] if copies else None
        if entry is not None:
            item = bibtex.complete(item, entry)
        result.append((item, entry.line if entry else None))
    return result


_PANDOC_AT = re.compile(r"line (\d+), column (\d+)")
_ENTRY = re.compile(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)")


def _bibtex_error(stderr: str, text: str, path: Path) -> PressroomError:
    """pandoc's own message ("unexpected 'e'", without the excerpt and its caret), at the line
    where the entry it was reading opened: an unclosed brace is only found at the end of the
    file, far below the entry to fix."""
    lines = [s for s in stderr.strip().splitlines() if s.strip()]
    at = _PANDOC_AT.search(lines[0]) if lines else None
    body = lines[1:] if at else lines
    if body and body[-1].strip() == "^":
        body = body[:-2]  # the quoted source line and the caret under it
    detail = "; ".join(s.strip() for s in body) or "unreadable"
    if not at:
        return PressroomError(f"invalid BibTeX: {detail}", path, None, "reference.syntax")
    line, column = int(at.group(1)), int(at.group(2))
    source = text.splitlines()
    for number in range(min(line, len(source)), 0, -1):
        entry = _ENTRY.match(source[number - 1])
        if entry:
            where = f"entry '{entry.group(2)}'" if entry.group(2) else f"@{entry.group(1)} entry"
            return PressroomError(
                f"invalid BibTeX in the {where} (pandoc: {detail} at line {line}, column "
                f"{column})",
                path,
                number,
                "reference.syntax",
            )
    return PressroomError(f"invalid BibTeX: {detail}", path, line, "reference.syntax")


def _biblatex(text: str, path: Path, cache: Path) -> bytes:
    """pandoc's CSL-JSON for a .bib text, kept in build/.cache by content (one file per
    library): a 2,669-entry library takes pandoc seconds, and every build reads it."""
    key = hashlib.sha256(text.encode("utf-8") + pandoc.version().encode()).hexdigest()
    saved = cache / f"bibtex-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.json"
    try:
        record = json.loads(saved.read_text("utf-8"))
        if record["key"] == key:
            return str(record["csljson"]).encode("utf-8")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    out, _ = pandoc.run(["-f", "biblatex", "-t", "csljson"], text.encode("utf-8"), path)
    record = {"key": key, "csljson": out.decode("utf-8")}
    write_if_changed(saved, json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return out


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
                # "Spring 1987", "forthcoming", "[1893] 1984": printed as written.
                return {"literal": value}
            parts.append([int(g) for g in m.groups() if g is not None])
        value = {"date-parts": parts}
    value = _year_month_day(value)
    if not isinstance(value, dict):
        raise bad("must be a date like 1987-10-26 or {date-parts: [[1987, 10, 26]]}")
    value = dict(value)
    if "date-parts" in value:
        dp = value["date-parts"] = _numbers(value["date-parts"])
        if not isinstance(dp, list) or not dp or not all(isinstance(p, list) and p for p in dp):
            raise bad("date-parts must be a list of [year, month, day] lists")
        for p in dp:
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in p) or len(p) > 3:
                raise bad("date-parts must hold whole numbers: [year, month, day]")
            if len(p) == 2 and p[1] in _SEASONS:
                value.setdefault("season", _SEASONS[p[1]])
                del p[1:]  # EDTF's and biblatex's season "months"
            if len(p) >= 2 and not 1 <= p[1] <= 12:
                raise bad(f"has month {p[1]}; months run 1 to 12")
            if len(p) == 3 and not 1 <= p[2] <= calendar.monthrange(p[0], p[1])[1]:
                raise bad(f"has day {p[2]}, which month {p[1]} of {p[0]} does not have")
    elif not any(k in value for k in ("raw", "literal")):
        raise bad("needs date-parts, raw or literal")
    return value


def _year_month_day(value: Any) -> Any:
    """pandoc-citeproc's YAML dates, which pandoc still reads (`issued: [{year: 1948, month:
    12}]`, two for a range, or one mapping alone; `[{literal: ...}]`) as CSL's date-parts (or
    literal); anything else as it is."""
    dates = value if isinstance(value, list) else [value]
    if len(dates) == 1 and isinstance(dates[0], dict) and set(dates[0]) == {"literal"}:
        return {"literal": str(dates[0]["literal"])}  # `- literal: 10-7-13`: printed as written
    fields = ("year", "month", "day")
    if not dates or not all(isinstance(d, dict) and "year" in d for d in dates):
        return value
    if any(set(d) - {*fields, "season"} for d in dates):
        return value
    parts = [
        [d.get(f) for f in fields[: max(fields.index(k) for k in d if k in fields) + 1]]
        for d in dates
    ]
    seasons = [d["season"] for d in dates if "season" in d]
    return {"date-parts": _numbers(parts), **({"season": seasons[0]} if seasons else {})}


# Spring, summer, autumn, winter as EDTF and biblatex write them in the month's place.
_SEASONS = {21: 1, 22: 2, 23: 3, 24: 4}


def _numbers(parts: Any) -> Any:
    """Zotero's CSL-JSON writes date parts as text (`[["2019", "3"]]`): whole numbers."""
    if not isinstance(parts, list):
        return parts
    return [
        [int(x) if isinstance(x, str) and x.strip().lstrip("-").isdigit() else x for x in p]
        if isinstance(p, list)
        else p
        for p in parts
    ]
