"""pandoc's, Quarto's, JOSS's and pandoc-scholar's metadata read as pressroom's own: one normalised
form that every later stage reads, whichever spelling the user wrote."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import yamlio
from .errors import PressroomError
from .fields import NAMED_BIBLIOGRAPHY, author_name, foreign_layout, named_author, paper_size

# What later stages read, whichever spelling the user wrote (`normalise`):
#   authors         [{name: str, affiliation: str ("; "-joined), affiliations: [str],
#                     email: str, orcid: str, corresponding: bool, self-cite: ...}]
#   citation-style  a style name or a .csl path (absolute when it came from `csl`)
#   paper-size      "a4" or "letter"
#   bibliography    [absolute path, ...] (relative paths resolved against the naming file)
#   keywords        [str]
#   date            str
#   abstract, thanks  Markdown text (str); toc bool; toc-depth int; toc-title str
#   fontsize        "11pt" (a number means points): the PDF's body type
#   linestretch     float: the PDF's leading is pressroom's (1.4) times this
#   link-citations  bool
# The pandoc spellings (`author`, `csl`, `papersize`) are removed once read.
NORMALISED = ("authors", "citation-style", "paper-size", "bibliography", "keywords", "date")


ALIASES = {"author": "authors", "csl": "citation-style", "papersize": "paper-size"}


DEFAULT_STYLE = "chicago-notes-bibliography"


def normalise(meta: dict[str, Any], path: Path, root: Path) -> yamlio.LineDict:
    """Validated metadata (from `path`) in the normalised form (NORMALISED above): pandoc's
    spellings read as pressroom's own, relative paths resolved against `path`'s folder."""
    lines = dict(getattr(meta, "lines", {}))
    out = yamlio.LineDict()
    for key, value in meta.items():
        name = ALIASES.get(key, key)
        out[name] = value
        if key in lines:
            lines[name] = lines[key]
    out.lines = lines
    if foreign_layout(out):  # validate_meta warned; later stages see the default
        del out["layout"]
    if "authors" in out:
        institute = out.pop("institute", None)
        by_id = institute if isinstance(institute, list) else None
        institutes = _institutes(by_id, out.pop("affiliations", None))
        out["authors"] = [_author(a, institutes) for a in _as_list(out["authors"])]
        if isinstance(institute, str) and institute.strip():
            for author in out["authors"]:
                if not author["affiliations"]:
                    author["affiliations"] = [institute.strip()]
                    author["affiliation"] = institute.strip()
    for key in ("title", "subtitle"):
        if isinstance(out.get(key), str):
            out[key] = line_block_title(out[key])
    if isinstance(out.get("keywords"), str):
        out["keywords"] = [k.strip() for k in out["keywords"].split(",") if k.strip()]
    if "date" in out:
        out["date"] = str(out["date"])
    if isinstance(out.get("paper-size"), str):
        out["paper-size"] = paper_size(out["paper-size"])
    if "csl" in meta:  # a file, relative to the file naming it; else a style name
        given = Path(str(meta["csl"])).expanduser()
        candidate = given if given.is_absolute() else path.parent / given
        out["citation-style"] = str(candidate) if candidate.is_file() else str(meta["csl"])
    for key in [k for k in out if k == "bibliography" or NAMED_BIBLIOGRAPHY.fullmatch(k)]:
        line = lines.get(key)
        out[key] = [str(_library_path(str(b), path, line, root)) for b in _as_list(out[key])]
    if "fontsize" in out:
        size = str(out["fontsize"]).strip()
        out["fontsize"] = f"{size}pt" if re.fullmatch(r"\d+(\.\d+)?", size) else size
        if not re.fullmatch(r"\d+(\.\d+)?(pt|px|mm)", out["fontsize"]):
            msg = f"fontsize must be a size like 11pt, not '{size}'"
            raise PressroomError(msg, path, lines.get("fontsize"), "config.value")
    if "linestretch" in out:
        try:
            out["linestretch"] = float(out["linestretch"])
        except ValueError:
            msg = f"linestretch must be a number like 1.5, not '{out['linestretch']}'"
            raise PressroomError(msg, path, lines.get("linestretch"), "config.value") from None
    return out


# A pandoc line block: every line opens with "|" and a space (or is "|" alone).
_LINE_BLOCK = re.compile(r"\A(?:[ \t]*\|(?: [^\n]*)?\n?)+\Z")


def line_block_title(text: str) -> str:
    """A title written as pandoc's line block (`| Chapter 4` / `| A Place for Nature`, one
    line each, as pandoc prints it) in the one-line Markdown every later stage reads: the
    lines joined by hard line breaks. Any other title is returned as it is."""
    if not _LINE_BLOCK.match(text.strip("\n") + "\n"):
        return text
    lines = [re.sub(r"\A[ \t]*\|[ ]?", "", line) for line in text.strip("\n").split("\n")]
    return "\\\n".join(line.strip() for line in lines if line.strip())


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _institutes(scholar: Any, joss: Any) -> dict[str, str]:
    """Affiliations named by id elsewhere, as id -> name: pandoc-scholar's `institute`
    ([{id: {name: ...}} or {id: name}]) and JOSS's `affiliations` ([{name: ..., index: 1}])."""
    found: dict[str, str] = {}
    for item in joss if isinstance(joss, list) else []:
        if isinstance(item, dict) and "index" in item and item.get("name"):
            found[str(item["index"])] = str(item["name"])
    for item in scholar if isinstance(scholar, list) else []:
        for ident, spec in item.items() if isinstance(item, dict) else []:
            name = spec.get("name") if isinstance(spec, dict) else spec
            found[str(ident)] = str(name if name is not None else ident)
    return found


def _author(author: Any, institutes: dict[str, str]) -> dict[str, Any]:
    """One author in the normalised form: name, affiliation as text and as a list."""
    if isinstance(author, str):
        name, email = _linked(author.strip())
        return {"name": name, "affiliation": "", "affiliations": [], **_email(email)}
    author = named_author(author)
    out = dict(author)
    out["name"], email = _linked(author_name(author.get("name")))
    if email and not out.get("email"):
        out["email"] = email
    given = author.get("affiliations", author.get("affiliation"))
    if given is None and "institute" in author:
        given = [institutes.get(str(i), str(i)) for i in _as_list(author["institute"])]
    elif isinstance(given, int | str) and institutes:  # JOSS: `affiliation: "1, 2"`
        refs = [r.strip() for r in str(given).split(",")]
        if all(r in institutes for r in refs):
            given = [institutes[r] for r in refs]
    names = [
        str(a.get("name") or "") if isinstance(a, dict) else str(a)
        for a in _as_list(given)
        if a is not None
    ]
    out["affiliations"] = [n for n in names if n]
    out["affiliation"] = "; ".join(out["affiliations"])
    if "corresponding" in out or "correspondence" in out:
        flag = out.pop("correspondence", out.get("corresponding"))
        out["corresponding"] = flag is True or str(flag).lower() in ("yes", "true")
    return out


# An author written as a Markdown link, `[Eleanor Roosevelt](er@example.org)` (pandoc prints
# the name as the link).
_LINKED = re.compile(r"\[([^\[\]]+)\]\(\s*(?:mailto:)?([^()\s]+)\s*\)")


def _linked(name: str) -> tuple[str, str]:
    """(name, e-mail) of an author's name written as a Markdown link to an address; a link
    elsewhere keeps its name only; any other name is as written, without an e-mail."""
    m = _LINKED.fullmatch(name)
    if not m:
        return name, ""
    target = m.group(2)
    return m.group(1).strip(), target if "@" in target and "://" not in target else ""


def _email(email: str) -> dict[str, str]:
    return {"email": email} if email else {}


def _library_path(given: str, named_in: Path, line: int | None, root: Path) -> Path:
    """A `bibliography` entry as a real path. Relative paths stay inside the project (no
    `../` or symlink out); a library outside it must be named as `~/...` or an absolute path,
    the user's explicit choice (README: Security)."""
    raw = Path(given).expanduser()
    explicit = raw.is_absolute()
    path = raw if explicit else named_in.parent / raw
    if not path.is_file():
        msg = f"bibliography file '{given}' not found"
        raise PressroomError(msg, named_in, line, "io.missing")
    real = path.resolve()
    if not explicit and not real.is_relative_to(root):
        msg = (
            f"bibliography '{given}' lies outside the project; copy it in, or name it by an "
            "absolute path or ~/... to read it where it is"
        )
        raise PressroomError(msg, named_in, line, "io.outside")
    return real
