"""The one Jinja setup: sources (Markdown) and page templates (HTML), with one loader and one
translation of Jinja's errors into located pressroom errors (`jinja.*` kinds).

Sources render in a sandbox whose comments are `{## ##}` (`{#id}` is pandoc's header-id
syntax), with no autoescaping (the output is Markdown); page templates autoescape (the output
is HTML). Both raise on an undefined name and record every file they read."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import yamlio
from .errors import PressroomError

MAX_OUTPUT = 20_000_000  # characters: a runaway loop stops here, not in swap


class Loader(jinja2.BaseLoader):
    """Loads templates from the first of `roots` that has them, never from outside a root (no
    `../`, no symlink out); records each file read; `mark` may rewrite a file's text on load
    (assemble marks source lines for its source map)."""

    def __init__(
        self,
        roots: Sequence[Path],
        reads: set[Path],
        mark: Callable[[Path, str], str] | None = None,
    ) -> None:
        self.roots = [r.resolve() for r in roots]
        self.reads = reads
        self.mark = mark

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        for base in self.roots:
            path = (base / template).resolve()
            if not path.is_relative_to(base):
                raise jinja2.TemplateNotFound(f"{template} (outside {base.name}/)")
            if path.is_file():
                self.reads.add(path)
                text = yamlio.read_text(path)
                return (self.mark(path, text) if self.mark else text), str(path), lambda: False
        raise jinja2.TemplateNotFound(template)


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with string repetition bounded (`"x" * 10**10` is not intercepted)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > 64:
            raise jinja2.sandbox.SecurityError("exponent too large")
        if operator == "*":
            seq, count = (left, right) if isinstance(right, int) else (right, left)
            if (
                isinstance(seq, str | list)
                and isinstance(count, int)
                and len(seq) * count > MAX_OUTPUT
            ):
                raise jinja2.sandbox.SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


class _Compiled(jinja2.BytecodeCache):
    """Templates compiled once per process (a page template is otherwise compiled for every
    page made, 20-30 ms each), kept by file and taken only for the same text (Jinja compares
    its checksum): the loader still reads, and records, every file. One per kind of
    environment, whose settings compile differently."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_SOURCES = _Compiled()
_PAGES = _Compiled()


def source_environment(loader: Loader) -> jinja2.Environment:
    """For Markdown sources: delimiters that leave Markdown and pandoc syntax alone."""
    return _Sandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        comment_start_string="{##",
        comment_end_string="##}",
        autoescape=False,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_SOURCES,
    )


def page_environment(loader: Loader) -> jinja2.Environment:
    """For HTML page templates: autoescaped, with a filter for CSS string values."""
    env = _Sandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_PAGES,
    )
    env.filters["css_string"] = _css_string
    return env


def _css_string(value: object) -> Markup:
    """Text for a CSS string inside <style>: escaped for CSS, once. (HTML escaping there would
    print `&#39;` in a running head: <style> is raw text; `<` is escaped so no `</style>`.)"""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(text.replace("<", "\\3c "))


def render(template: jinja2.Template, context: dict[str, Any], fallback: Path) -> str:
    """Render, turning any template failure into an error at the template line that caused it
    (`fallback`: the file to name when no template frame is found)."""
    def files() -> set[str]:  # the templates read so far: the page, its includes
        loader = template.environment.loader
        reads = loader.reads if isinstance(loader, Loader) else set()
        return {str(fallback.resolve()), *(str(p) for p in reads)}

    try:
        text = _generate(template, context, fallback)
    except PressroomError as exc:
        # ref(), cited_in(), qr(): our own errors, placed at the template line that called them
        if exc.line is None:
            place = _template_frame(exc, files())
            if place:
                exc.path, exc.line = Path(place[0]), place[1]
        raise
    except jinja2.TemplateSyntaxError as exc:  # in an included file
        raise syntax_error(exc, fallback) from None
    except SyntaxError as exc:  # an included file nests too deeply for Python to compile it
        path = Path(exc.filename) if exc.filename and Path(exc.filename).is_file() else fallback
        raise too_deep(template.environment, path) from None
    except (jinja2.TemplateError, RecursionError, OverflowError, MemoryError) as exc:
        raise _runtime_error(exc, files(), fallback, _describe(exc), _kind(exc)) from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as exc:
        raise _runtime_error(
            exc, files(), fallback, f"template error: {exc}", "jinja.runtime"
        ) from None
    return text


def _generate(template: jinja2.Template, context: dict[str, Any], path: Path) -> str:
    """The template's output, stopped as soon as it passes MAX_OUTPUT characters more than
    the text it was given (a loop bomb ends here in a moment, not after filling the memory)."""
    # A page template prints the body it is given, images inlined: a thesis chapter's 15 MB of
    # photographs is the chapter's size, not a runaway loop, so the given text is allowed too.
    given = sum(len(value) for value in context.values() if isinstance(value, str))
    parts: list[str] = []
    size = 0
    stream: Any = template.generate(**context)
    for part in stream:
        size += len(part)
        if size > MAX_OUTPUT + given:
            where, line = _running_line(stream, path)
            stream.close()
            raise PressroomError(
                f"template output passed {MAX_OUTPUT + given:,} characters (a runaway loop?)",
                where,
                line,
                "jinja.size",
            )
        parts.append(part)
    return "".join(parts)


def _running_line(stream: Any, path: Path) -> tuple[Path, int | None]:
    """The template file and line a suspended render stands at (its innermost generator)."""
    while getattr(stream, "gi_yieldfrom", None) is not None:
        stream = stream.gi_yieldfrom
    frame = getattr(stream, "gi_frame", None)
    template = frame.f_globals.get("__jinja_template__") if frame else None
    if template is None or frame is None:
        return path, None
    where = Path(template.filename) if template.filename else path
    return where, template.get_corresponding_lineno(frame.f_lineno)


def compile_source(env: jinja2.Environment, text: str, path: Path) -> jinja2.Template:
    """A template from `text` (read from `path`), its syntax and nesting errors located."""
    try:
        return env.from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        raise syntax_error(exc, path) from None
    except (SyntaxError, RecursionError, MemoryError):
        raise too_deep(env, path, text) from None


# Tags that open a block closed by `end<tag>`.
_OPENERS = frozenset({"for", "if", "macro", "call", "filter", "with", "block", "autoescape"})


def too_deep(env: jinja2.Environment, path: Path, text: str | None = None) -> PressroomError:
    """Blocks nested more deeply than Python compiles (about 20 loops, 100 blocks of any
    kind): an error at the line of the deepest block."""
    line, depth = _deepest(env, yamlio.read_text(path) if text is None else text)
    return PressroomError(
        f"blocks nest too deeply ({depth} inside each other; Python compiles about 20 nested "
        "loops or 100 blocks); move the inner part into an include",
        path,
        line,
        "jinja.depth",
    )


def _deepest(env: jinja2.Environment, text: str) -> tuple[int | None, int]:
    """(line, depth) of the most deeply nested block tag in `text`."""
    depth, deepest, line = 0, 0, None
    after_begin = False
    try:
        for lineno, kind, value in env.lex(text):
            if kind == "block_begin":
                after_begin = True
                continue
            if kind == "whitespace":
                continue
            if after_begin and kind == "name":
                if value in _OPENERS:
                    depth += 1
                    if depth > deepest:
                        deepest, line = depth, lineno
                elif value.startswith("end") and value[3:] in _OPENERS:
                    depth -= 1
            after_begin = False
    except jinja2.TemplateSyntaxError:
        pass
    return line, deepest


def syntax_error(exc: jinja2.TemplateSyntaxError, fallback: Path) -> PressroomError:
    return PressroomError(
        f"template syntax: {exc.message}", exc.filename or fallback, exc.lineno, "jinja.syntax"
    )


def _runtime_error(
    exc: BaseException, files: set[str], fallback: Path, message: str, kind: str
) -> PressroomError:
    place = _template_frame(exc, files)
    path, line = place if place else (str(fallback), None)
    return PressroomError(message, path, line, kind)


def _template_frame(exc: BaseException, files: set[str]) -> tuple[str, int] | None:
    """The innermost frame of the traceback that lies in one of our template files; for a
    circular include, the include that closes the circle (the innermost frame would depend on
    how deep the caller's stack happened to be)."""
    frames = [
        (f.filename, f.lineno)
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename in files and f.lineno
    ]
    if isinstance(exc, RecursionError):
        for i, (_, line) in enumerate(frames[:-1]):
            if frames[i + 1][0] in {name for name, _ in frames[: i + 1]}:
                return frames[i][0], line
    return frames[-1] if frames else None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        # "'pressroom.yamlio.LineDict object' has no attribute 'venue'" names our class, not
        # the user's data: say which key is missing instead.
        m = re.fullmatch(r"'[\w.]+ object' has no attribute '(.+)'", exc.message or "")
        return f"undefined: no key '{m.group(1)}' here" if m else f"undefined: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"include not found: {exc.message}"
    if isinstance(exc, RecursionError):
        return "includes nest too deeply (circular include?)"
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return f"not allowed in a template: {exc}"
    return f"template error: {exc}"


def _kind(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return "jinja.undefined"
    if isinstance(exc, jinja2.TemplateNotFound | RecursionError):
        return "jinja.include"
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return "jinja.security"
    return "jinja.runtime"
