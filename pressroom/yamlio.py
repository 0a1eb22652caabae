"""Safe YAML: plain data only, no duplicate keys, bounded aliases, errors with `path:line`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import PressroomError

MAX_ALIASES = 100
MAX_NODES = 200_000  # expanded size; an alias bomb stops here (research/reliability.md §4)

try:  # PyYAML's wheels carry libyaml; a build without it parses in Python only
    from yaml._yaml import CParser

    _FAST = True
except ImportError:  # pragma: no cover
    CParser = object  # type: ignore[assignment,misc]
    _FAST = False


class LineDict(dict[str, Any]):
    """A mapping that remembers the line of each key (1-based, in its file)."""

    lines: dict[str, int]
    line: int


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and counts aliases."""

    line_offset = 0
    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(
                    problem=f"more than {MAX_ALIASES} aliases", problem_mark=mark
                )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        self.flatten_mapping(node)
        result = LineDict()
        result.lines = {}
        result.line = node.start_mark.line + 1 + self.line_offset
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise PressroomError(
                    "mapping keys must be plain text",
                    self.name,
                    key_node.start_mark.line + 1 + self.line_offset,
                    "yaml.key",
                )
            key = str(key)
            line = key_node.start_mark.line + 1 + self.line_offset
            if key in result:
                raise PressroomError(
                    f"duplicate key '{key}' (first on line {result.lines[key]})",
                    self.name,
                    line,
                    "yaml.duplicate",
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = line
        return result


def _plain_only(loader: _Loader, node: yaml.Node) -> Any:
    raise PressroomError(
        f"unsupported YAML tag {node.tag}; only plain text, numbers, lists and mappings",
        loader.name,
        node.start_mark.line + 1 + loader.line_offset,
        "yaml.type",
    )


def _timestamp(loader: _Loader, node: yaml.Node) -> str:
    # Dates stay text ("2026-06-05") so every value is JSON data; code that needs a date parses it.
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    try:
        yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError as exc:
        raise PressroomError(
            f"invalid date '{value}': {exc}",
            loader.name,
            node.start_mark.line + 1 + loader.line_offset,
            "yaml.date",
        ) from None
    return str(value)


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    # SafeLoader's own map constructor copies into a plain dict, losing every line number;
    # build the LineDict directly (a self-referencing alias then fails as a YAML error).
    return loader.construct_mapping(node, deep=True)


def _int(loader: _Loader, node: yaml.Node) -> int:
    # YAML 1.2: `010` is ten (1.1 read it as octal eight); octal is written `0o10`.
    text = str(loader.construct_scalar(node)).lower()  # type: ignore[arg-type]
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    return sign * int(digits, 10)


def _core_schema(loader: type[_Loader]) -> None:
    """YAML 1.2's core schema in place of PyYAML's YAML 1.1 one: `10:30` and `12:30:45` stay
    text (1.1 reads them as sexagesimal numbers, 630 and 45045), as do `NO`, `yes`, `on`
    (1.1 booleans: a country code, an answer), `1_000` and `0b1`. Dates stay recognised (and
    kept as text, `_timestamp`), as does the merge key `<<`."""
    old = loader.yaml_implicit_resolvers
    keep = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge"}
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in pairs if tag in keep] for first, pairs in old.items()
    }
    core = [
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
        (
            "float",
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            list("-+.0123456789"),
        ),
    ]
    for name, pattern, first in core:
        loader.add_implicit_resolver(f"tag:yaml.org,2002:{name}", re.compile(pattern), first)
    loader.add_constructor("tag:yaml.org,2002:int", _int)


_core_schema(_Loader)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _plain_only)
_Loader.add_constructor(None, _plain_only)


def _count(value: Any, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise OverflowError
    if isinstance(value, dict):
        for v in value.values():
            _count(v, budget)
    elif isinstance(value, list):
        for v in value:
            _count(v, budget)


class _FastLoader(CParser, _Loader):
    """_Loader's constructors and schema over libyaml's parser (C, several times faster): for
    text without aliases, which only _Loader counts."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


def loads(text: str, path: Path | str, line_offset: int = 0) -> Any:
    """Parse YAML text from `path`; `line_offset` is added to every reported line."""
    if _FAST and "*" not in text:
        try:
            return _loads(_FastLoader, text, path, line_offset)
        except Exception:  # any problem: the careful loader names it, at its line
            pass
    return _loads(_Loader, text, path, line_offset)


def _loads(kind: type[_Loader], text: str, path: Path | str, line_offset: int) -> Any:
    try:
        loader = kind(text)  # the reader refuses control characters right here
    except yaml.reader.ReaderError as exc:
        at = text[: exc.position].count("\n") + 1 + line_offset
        raise PressroomError(
            f"invalid YAML: control character #x{exc.character:04x} is not allowed",
            path,
            at,
            "yaml.syntax",
        ) from None
    loader.name = str(path)
    loader.line_offset = line_offset
    try:
        data = loader.get_single_data()
        _count(data, [MAX_NODES])
    except PressroomError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if "end of stream" in problem and exc.context_mark:
            # An unclosed quote or bracket: where it was opened, not the end of the file.
            mark = exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        if exc.context:
            problem = f"{exc.context}: {problem}" if "found" in problem else problem
        if "expected <block end>" in problem:
            problem = "this line's indentation does not fit the lines above it"
        elif "quoted scalar" in problem and "end of stream" in problem:
            problem = "a quoted value is never closed"
        elif problem == "mapping values are not allowed here":
            problem += " (a value that contains ': ' needs quotes)"
        raise PressroomError(f"invalid YAML: {problem}", path, line, "yaml.syntax") from None
    except yaml.YAMLError as exc:
        raise PressroomError(f"invalid YAML: {exc}", path, None, "yaml.syntax") from None
    except (RecursionError, OverflowError):
        raise PressroomError(
            "YAML nests or expands too deeply (alias bomb?)", path, None, "yaml.size"
        ) from None
    finally:
        loader.dispose()
    return data


def load(path: Path) -> Any:
    """Read and parse a YAML file as UTF-8."""
    return loads(read_text(path), path)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, with a clear error for binary or mis-encoded files."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PressroomError("file not found", path, None, "io.missing") from None
    except IsADirectoryError:
        raise PressroomError("expected a file, found a directory", path, None, "io.type") from None
    except PermissionError:
        raise PressroomError("permission denied", path, None, "io.permission") from None
    if b"\x00" in raw[:8192]:
        # Text with a stray NUL (or invalid UTF-8 before it) is located; a file that is not
        # text at all (an image saved as .md) is said to be one.
        nul = raw.index(b"\x00")
        if raw[:8192].count(b"\x00") > 8 or raw.startswith((b"\x89PNG", b"%PDF", b"PK\x03")):
            raise PressroomError("binary file where text was expected", path, None, "io.binary")
        _decode(raw[:nul], path)
        line = raw[:nul].count(b"\n") + 1
        raise PressroomError(
            "a NUL byte (0x00) in a text file; delete it", path, line, "io.binary"
        )
    return _decode(raw, path)


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PressroomError(
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            path,
            line,
            "io.encoding",
        ) from None
