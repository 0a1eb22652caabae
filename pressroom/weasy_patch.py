"""Runtime patches to WeasyPrint: the one place they are registered, checked and applied.

Each patch names the function it changes (`module`, `target`), the release it was written
against (`version`), and how it changes it: a `SourcePatch` edits the function's parsed source
(the AST node is replaced, not a line of text) and compiles it at its real file and line
numbers, so a traceback points at the right lines of WeasyPrint's own file; a `WrapPatch`
puts a function around the original. Patches of one target are applied together, source
patches first. Nothing is applied at import (the build imports WeasyPrint on a thread while
pandoc runs): `apply()` runs once per process, from the boundary module (`weasy.layout`, on
the thread that lays out: the main thread of the build or of a forked worker). A patch that
does not fit the installed WeasyPrint (other version, node not found) is skipped and
reported, so the build warns `pdf.patch-skipped` rather than silently running slower.

Switches: PRESSROOM_WEASYPRINT_PATCH=0 applies nothing (WeasyPrint as released);
PRESSROOM_WEASYPRINT_FAST=0 leaves out the patches that only make it faster (group "fast"),
so the bench and the tests can compare the two."""

from __future__ import annotations

import ast
import gc
import importlib
import inspect
import os
import textwrap
import threading
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .weasy_anchors import seen_lists
from .weasy_ctypes import one_array_type

NOTES = "notes"  # changes what WeasyPrint does: notes stay with their calls
LINES = "lines"  # changes what WeasyPrint does: total-fit line breaking (pressroom/linebreak)
TABLES = "tables"  # changes what WeasyPrint does: a split table's later parts say "continued"
FAST = "fast"  # changes only how fast: the output is the same with and without


@dataclass(frozen=True)
class Patch:
    """One change to one WeasyPrint function, written against one release."""

    name: str
    module: str  # e.g. "weasyprint.layout.block"
    target: str  # a function, or Class.method, in that module
    version: tuple[str, str]  # (module holding __version__, the version the patch was written for)
    group: str  # NOTES, LINES, TABLES or FAST


@dataclass(frozen=True)
class SourcePatch(Patch):
    """Edits the target's parsed source; `transform` returns why it could not, or None."""

    transform: Callable[[ast.FunctionDef], str | None] = lambda node: "no transform"


@dataclass(frozen=True)
class WrapPatch(Patch):
    """Replaces the target by `wrap(original)`."""

    wrap: Callable[[Any], Any] = lambda original: original


@dataclass(frozen=True)
class Skipped:
    """A patch that was not applied, and why."""

    name: str
    reason: str

    def message(self) -> str:
        return (
            f"WeasyPrint patch '{self.name}' not applied ({self.reason}); the PDF is laid "
            "out without it, correctly but more slowly"
        )


REGISTRY: list[Patch] = []


def register(patch: Patch) -> Patch:
    """Add a patch; it takes effect at the next `apply()` (or `configure()`)."""
    if any(p.name == patch.name for p in REGISTRY):
        raise ValueError(f"a WeasyPrint patch named {patch.name!r} is already registered")
    REGISTRY.append(patch)
    return patch


_lock = threading.Lock()
_originals: dict[tuple[str, str], Any] = {}  # (module, target) -> what WeasyPrint defined
_installed = False  # whether apply() or configure() has run
_fast = False  # whether the FAST group is in effect
_applied: list[str] = []  # names of the patches in effect
_skipped: list[Skipped] = []


def _switched_on(variable: str) -> bool:
    return os.environ.get(variable, "1") != "0"


def apply() -> list[Skipped]:
    """Apply the registered patches once (later calls return the first call's result)."""
    with _lock:
        if not _installed:
            _install(_switched_on("PRESSROOM_WEASYPRINT_PATCH"), None)
        return list(_skipped)


def configure(
    enabled: bool = True, fast: bool | None = None, without: Collection[str] = ()
) -> list[Skipped]:
    """Re-apply with other switches in this process (tests and bench compare with and without).

    `fast=None` reads PRESSROOM_WEASYPRINT_FAST; `without` names patches left out (the bench
    measures one patch against the others)."""
    with _lock:
        _install(enabled, fast, frozenset(without))
        return list(_skipped)


def applied() -> list[str]:
    """The names of the patches in effect."""
    return list(_applied)


def _install(enabled: bool, fast: bool | None, without: frozenset[str] = frozenset()) -> None:
    global _installed, _fast
    for (module, target), original in _originals.items():
        _set(importlib.import_module(module), target, original)
    _installed, _applied[:], _skipped[:] = True, [], []
    if fast is None:
        fast = _switched_on("PRESSROOM_WEASYPRINT_FAST")
    _fast = enabled and fast
    if not enabled:
        return
    chosen = [p for p in REGISTRY if (fast or p.group != FAST) and p.name not in without]
    for key in dict.fromkeys((p.module, p.target) for p in chosen):
        _install_target(key, [p for p in chosen if (p.module, p.target) == key])


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Fewer garbage collections during a layout or a write (with the FAST group on).

    WeasyPrint allocates millions of small objects (boxes, computed styles, skip stacks), and
    CPython's collector keeps walking the whole growing heap. Freezing what exists (the
    imported modules) and raising the gen-0 threshold: at 146 pages 11 collections instead of
    2,004 during layout, 2.0 -> 1.4 s of collecting (CPU); the research prototype, on a machine
    short of memory, saw 0.52x -> 0.41x layout (research/review/performance.md §1.5). No full
    collection first: on the default paper it cost more (0.16 s) than it saved. Settings are
    restored after. In a process that ends with its command, see `_left_to_exit`."""
    if not _fast:
        yield
        return
    from . import process

    if process.ends_with_command:
        with _left_to_exit():
            yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def _left_to_exit() -> Iterator[None]:
    """No collection during the layout or the write, and none of what they made ever walked.

    Once thresholds are restored, the next generation-1 collection walks every object the
    layout made: 0.62 s at 145 pages, 1.72 s at 301, its cost per object rising with the heap
    (bench/RESULTS.md). A build ends with os._exit (process.leave), which gives all of it back
    without a walk, so here the collector is off during the block and what exists after it is
    frozen (gc.freeze: moved where no collection looks, in constant time). The cost: garbage
    in reference cycles stays allocated until the process ends, some 50 MB at 145 pages."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def collect_left() -> None:
    """Collect what `quiet_gc` left to the end of a process that ends with its command, in a
    process that goes on instead (the bench, between its rounds)."""
    gc.unfreeze()
    gc.collect()


class _FastZlib:
    """pydyf's view of zlib during a preview write: level 1 instead of its 6 (streams) and 9
    (the object stream)."""

    error = zlib.error

    @staticmethod
    def compress(data: bytes, level: int = 1) -> bytes:
        return zlib.compress(data, 1)

    @staticmethod
    def compressobj(level: int = 1, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(1, *args, **kwargs)


@contextmanager
def fast_compression() -> Iterator[None]:
    """PDF streams compressed at zlib level 1 during a write (previews only: zlib drops from 10 %
    to 1 % of the write, the file grows by about a quarter; research/review/performance.md §2).
    pydyf calls the `zlib` module it imported, so that name is swapped, and put back after."""
    import pydyf

    original = pydyf.zlib
    pydyf.zlib = _FastZlib
    try:
        yield
    finally:
        pydyf.zlib = original


def _install_target(key: tuple[str, str], patches: list[Patch]) -> None:
    """Apply every patch of one target: the source patches in one compile, then the wraps."""
    module = importlib.import_module(key[0])
    original = _originals.setdefault(key, _get(module, key[1]))
    fitting = []
    for patch in patches:
        version = getattr(importlib.import_module(patch.version[0]), "__version__", None)
        if version != patch.version[1]:
            _skipped.append(Skipped(patch.name, f"written for {patch.version[1]}, found {version}"))
        else:
            fitting.append(patch)
    current = original
    sources = [p for p in fitting if isinstance(p, SourcePatch)]
    if sources:
        current, done = _recompile(module, original, sources)
        _applied.extend(done)
    for patch in fitting:
        if isinstance(patch, WrapPatch):
            inner, current = current, patch.wrap(current)
            if current is not inner and callable(current):
                current.__wrapped__ = inner  # what it wraps, for inspect.unwrap and tests
            _applied.append(patch.name)
    if current is not original:
        _set(module, key[1], current)


def _recompile(module: Any, function: Any, patches: list[SourcePatch]) -> tuple[Any, list[str]]:
    """The function recompiled from its source with each patch's edit, at its real lines."""
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError) as exc:
        _skipped.extend(Skipped(p.name, f"source not readable: {exc}") for p in patches)
        return function, []
    source = "".join(lines)
    tree = ast.parse(textwrap.dedent(source))
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef) or node.decorator_list:
        _skipped.extend(Skipped(p.name, "not a plain function") for p in patches)
        return function, []
    done = []
    for patch in patches:
        reason = patch.transform(node)
        if reason is None:
            done.append(patch.name)
        else:
            _skipped.append(Skipped(patch.name, reason))
    if not done:
        return function, []
    ast.fix_missing_locations(tree)
    indent = len(source) - len(source.lstrip(" "))
    for child in ast.walk(tree):  # back to the columns of the indented original
        if isinstance(
            child, ast.expr | ast.stmt | ast.excepthandler | ast.arg | ast.keyword | ast.alias
        ):
            child.col_offset += indent
            child.end_col_offset = (child.end_col_offset or 0) + indent
    ast.increment_lineno(tree, first - 1)
    code = compile(tree, inspect.getsourcefile(function) or module.__file__, "exec")
    namespace: dict[str, Any] = {}
    exec(code, module.__dict__, namespace)  # the module's globals, as the original has
    patched = namespace[node.name]
    patched.__qualname__ = function.__qualname__
    return patched, done


def _get(module: Any, target: str) -> Any:
    owner, _, name = target.rpartition(".")
    holder = getattr(module, owner) if owner else module
    return holder.__dict__[name] if owner else getattr(holder, name)


def _set(module: Any, target: str, value: Any) -> None:
    owner, _, name = target.rpartition(".")
    setattr(getattr(module, owner) if owner else module, name, value)


def assigned_value(function: ast.FunctionDef, name: str) -> ast.Assign | None:
    """The one `name = ...` statement in `function`, or None when there is none or several."""
    found = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == name
    ]
    return found[0] if len(found) == 1 else None


def _same(node: ast.AST, source: str) -> bool:
    """Whether `node` is the expression `source` (compared as trees, not text)."""
    return ast.dump(node) == ast.dump(ast.parse(source, mode="eval").body)


# --- The patches -----------------------------------------------------------------------------

WEASYPRINT = ("weasyprint", "70.0")


def _never_report_a_note(function: ast.FunctionDef) -> str | None:
    """`report = not context.in_column and ...` in `_linebox_layout` becomes `report = False`.

    When the first lines of a paragraph overflow a page, WeasyPrint 70 "reports" the page's
    last footnote to the next page so that the line fits, leaving that note's call behind;
    reporting two can lose one (WeasyPrint #1564, #2502). With the decision False, the same
    case takes WeasyPrint's ordinary path, `_break_line`, which honours orphans and widows by
    moving the paragraph's start to the next page: what a typesetter does. Without it, the
    check-and-relayout loop of the PDF renderer still puts every note back on its call's
    page, in about three layout passes instead of one on the default paper."""
    assign = assigned_value(function, "report")
    if assign is None:
        return "no single `report = ...` in _linebox_layout"
    pinned = "not context.in_column and can_break_now and not could_break_before"
    if not _same(assign.value, pinned):
        return "the `report = ...` decision differs from the pinned release's"
    assign.value = ast.copy_location(ast.Constant(False), assign.value)
    return None


register(
    SourcePatch(
        name="keep-notes-with-calls",
        module="weasyprint.layout.block",
        target="_linebox_layout",
        version=WEASYPRINT,
        group=NOTES,
        transform=_never_report_a_note,
    )
)


def _skip_boxes_without_a_note(function: ast.FunctionDef) -> str | None:
    """`... if descendant.footnote in context.footnotes` tests `is not None` first.

    For every line, while any note is unplaced, `_linebox_layout` tested every box of the
    line against the list of every note not yet placed: lines x boxes x notes, 4% of layout
    at 149 pages and growing with the square of the length. Most boxes have no note, and the
    list never holds None: the same notes come out in the same order."""
    pinned = "descendant.footnote in context.footnotes"
    found = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.comprehension) and len(node.ifs) == 1 and _same(node.ifs[0], pinned)
    ]
    if len(found) != 1:
        return "no single note scan `if descendant.footnote in context.footnotes`"
    test = ast.parse(f"descendant.footnote is not None and {pinned}", mode="eval").body
    found[0].ifs[0] = ast.copy_location(test, found[0].ifs[0])
    for node in ast.walk(test):  # the new nodes sit on the line of the test they replace
        ast.copy_location(node, found[0].ifs[0])
    return None


register(
    SourcePatch(
        name="note-scan",
        module="weasyprint.layout.block",
        target="_linebox_layout",
        version=WEASYPRINT,
        group=FAST,
        transform=_skip_boxes_without_a_note,
    )
)


def _cache_page_references(original: property) -> property:
    """pydyf's `PDF.page_references`, built once per page count instead of on every read.

    WeasyPrint's PDF/UA tags (pdf/tags.py) read `pdf.page_references[n]` for every tagged
    element, and the property builds the tuple of every page's reference each time: 26,208
    tuples of 149 at 149 pages (write 0.87x with the cache). Pages are only ever appended
    (`add_page` extends Kids), so the page count decides the tuple: the PDF is byte-identical."""
    build = original.fget
    assert build is not None

    def page_references(pdf: Any) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_pressroom_page_references")
        if cached is None or cached[0] is not kids or cached[1] != len(kids):
            cached = (kids, len(kids), build(pdf))
            pdf.__dict__["_pressroom_page_references"] = cached
        return cached[2]

    return property(page_references, doc=original.__doc__)


register(
    WrapPatch(
        name="page-references",
        module="pydyf",
        target="PDF.page_references",
        version=("pydyf", "0.13.0"),
        group=FAST,
        wrap=_cache_page_references,
    )
)


# The note-area memo: how often a note's layout was reused, laid out, or found moved since.
memo_counts = {"hit": 0, "miss": 0, "stale": 0, "refused": 0}


@dataclass
class _Memo:
    """The notes laid out in one page's note area: key -> (result, position it was left at)."""

    area: Any  # the page's FootnoteAreaBox (context.current_footnote_area)
    entries: dict[tuple[Any, ...], tuple[tuple[Any, ...], tuple[float, float], Any]]


def _memo_for(context: Any) -> _Memo:
    memo = context.__dict__.get("_pressroom_note_memo")
    if memo is None or memo.area is not context.current_footnote_area:
        memo = _Memo(context.current_footnote_area, {})  # a new page: start afresh
        context.__dict__["_pressroom_note_memo"] = memo
    return memo


def _side_effects(context: Any, absolute: list[Any], fixed: list[Any]) -> tuple[int, ...]:
    """What a note's layout could leave behind besides its box: a note's layout is reused only
    when all of these are the same after it as before."""
    return (
        len(absolute),
        len(fixed),
        len(context.footnotes),
        len(context.current_page_footnotes),
        len(context.reported_footnotes),
        len(context.broken_out_of_flow),
        len(context.excluded_shapes),
    )


def _memoise_notes(original: Callable[..., Any]) -> Callable[..., Any]:
    """`block_level_layout` of `_in_flow_layout` that reuses a note's layout in the note area.

    For every note added to a page, WeasyPrint 70 lays out every note already on it again
    (`LayoutContext._update_footnote_area`: n(n+1)/2 per page), only to learn the area's
    height and whether its last note overflows `max-height`: half of all layout time. Here
    each note's layout, as a child of the page's note area, is kept and reused when it is
    asked for again with the same inputs: the same note (its style object), position, area
    width, margins, page state and flags. The area itself is still laid out by WeasyPrint's
    own code each time, so its max-height clamp and overflow test, reporting a note to the
    next page and taking lines back all run as before on the same numbers. Refused (laid out
    afresh): any float on the page, a note that is split or leaves anything behind, a kept
    box that was moved since (research/review/performance.md §1.3)."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    def block_level_layout(
        context: Any,
        box: Any,
        bottom_space: float,
        skip_stack: Any,
        containing_block: Any,
        page_is_empty: bool = True,
        absolute_boxes: list[Any] | None = None,
        fixed_boxes: list[Any] | None = None,
        adjoining_margins: list[float] | None = None,
        first_letter_style: Any = None,
        first_line_style: Any = None,
        discard: bool = False,
        max_lines: int | None = None,
    ) -> Any:
        args = (
            context,
            box,
            bottom_space,
            skip_stack,
            containing_block,
            page_is_empty,
            absolute_boxes,
            fixed_boxes,
            adjoining_margins,
            first_letter_style,
            first_line_style,
            discard,
            max_lines,
        )
        if (
            not isinstance(containing_block, FootnoteAreaBox)
            or skip_stack is not None
            or first_letter_style is not None
            or first_line_style is not None
            or context.in_column
            or context.excluded_shapes
        ):
            return original(*args)
        absolute = [] if absolute_boxes is None else absolute_boxes
        fixed = [] if fixed_boxes is None else fixed_boxes
        memo = _memo_for(context)
        key = (
            id(box.style),
            type(box),
            box.position_x,
            box.position_y,
            containing_block.width,
            containing_block.height,
            bottom_space,
            page_is_empty,
            tuple(adjoining_margins or ()),
            discard,
            max_lines,
            context.current_page,
            context.forced_break,
            bool(context.footnotes),
        )
        found = memo.entries.get(key)
        if found is not None:
            result, position, style = found
            new_box = result[0]
            if style is box.style and (new_box.position_x, new_box.position_y) == position:
                memo_counts["hit"] += 1
                new_box, resume_at, next_page, margins, through, lines = result
                return new_box, resume_at, dict(next_page), list(margins), through, lines
            memo_counts["stale"] += 1
        before = _side_effects(context, absolute, fixed)
        result = original(
            context,
            box,
            bottom_space,
            skip_stack,
            containing_block,
            page_is_empty,
            absolute,
            fixed,
            adjoining_margins,
            first_letter_style,
            first_line_style,
            discard,
            max_lines,
        )
        new_box, resume_at, next_page, margins, through, lines = result
        if (
            new_box is None
            or resume_at is not None
            or _side_effects(context, absolute, fixed) != before
        ):
            memo_counts["refused"] += 1
            memo.entries.pop(key, None)
            return result
        memo_counts["miss"] += 1
        kept = (new_box, resume_at, dict(next_page), list(margins), through, lines)
        memo.entries[key] = (kept, (new_box.position_x, new_box.position_y), box.style)
        return result

    return block_level_layout


register(
    WrapPatch(
        name="note-area-memo",
        module="weasyprint.layout.block",
        target="block_level_layout",
        version=WEASYPRINT,
        group=FAST,
        wrap=_memoise_notes,
    )
)


# How often a note's box tree, anonymised once on its page, was copied instead of anonymised.
anonymised_counts = {"reused": 0, "made": 0}
_anonymised = threading.local()  # .page: the page box; .notes: id(style) -> (style, tree)


def _anonymise_notes_once(original: Callable[..., Any]) -> Callable[..., Any]:
    """`create_anonymous_boxes` that anonymises each note once per page, not once per update.

    Every time a note is added to a page, `_update_footnote_area` deep-copies the note area
    and runs `create_anonymous_boxes` over every note on it (and `make_page` once more): each
    note's tree is walked again for every later note on its page, 4% of the layout at 146
    pages once the note-area memo had removed the layouts themselves. Here a note area whose
    children are all plain block boxes (pressroom's `footnote-display: block`) gets, for each
    note, a deep copy of that note's tree as anonymised the first time on this page: the
    same tree the original builds, since at that level the five passes only recurse into
    block children. Anything else (inline notes, other boxes) is anonymised as released."""
    from weasyprint.formatting_structure.boxes import BlockBox, FootnoteAreaBox

    def create_anonymous_boxes(box: Any) -> Any:
        children = getattr(box, "children", None)
        if (
            not isinstance(box, FootnoteAreaBox)
            or not children
            or any(type(child) is not BlockBox for child in children)
        ):
            return original(box)
        if getattr(_anonymised, "page", None) is not box.page:  # a new page: start afresh
            _anonymised.page, _anonymised.notes = box.page, {}
        notes = _anonymised.notes
        copies = []
        for child in children:
            found = notes.get(id(child.style))
            if found is None or found[0] is not child.style:
                found = notes[id(child.style)] = (child.style, original(child.deepcopy()))
                anonymised_counts["made"] += 1
            else:
                anonymised_counts["reused"] += 1
            copies.append(found[1].deepcopy())
        return box.copy_with_children(copies)

    return create_anonymous_boxes


register(
    WrapPatch(
        name="note-anonymous-boxes",
        module="weasyprint.formatting_structure.build",
        target="create_anonymous_boxes",
        version=WEASYPRINT,
        group=FAST,
        wrap=_anonymise_notes_once,
    )
)


def _cache_under_its_key(function: ast.FunctionDef) -> str | None:
    """`characters = characters_until_regex[key] = regex` stores under the key it looked up.

    tinyhtml5 2.1.0 caches the regular expression of each `chars_until` character set, but
    its chained assignment binds `characters` first, so the entry is stored under the new
    regex, never found, and the regex is built again on every call: a third of the HTML
    parse (0.4 s at 146 pages). Assigning the dictionary first stores it under the set of
    characters; the parse is the same."""
    pinned = "characters = characters_until_regex[(characters, opposite)] = regex"
    found = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and ast.dump(node) == ast.dump(ast.parse(pinned).body[0])
    ]
    if len(found) != 1:
        return "no single `characters = characters_until_regex[...] = regex`"
    found[0].targets.reverse()
    return None


register(
    SourcePatch(
        name="html-parse-regex-cache",
        module="tinyhtml5.inputstream",
        target="HTMLUnicodeInputStream.chars_until",
        version=("tinyhtml5", "2.1.0"),
        group=FAST,
        transform=_cache_under_its_key,
    )
)


def _deferred(module: str, wrapper: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrap that imports `pressroom.<module>` only when the patch is applied (it imports
    WeasyPrint) and puts its `wrapper` around the original."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        found: Callable[..., Any] = getattr(importlib.import_module(f"pressroom.{module}"), wrapper)
        return found(original)

    return wrap


# split_inline_box given each planned line's natural width (total-fit line breaking)
register(
    WrapPatch(
        name="total-fit-lines",
        module="weasyprint.layout.inline",
        target="split_inline_box",
        version=WEASYPRINT,
        group=LINES,
        wrap=_deferred("weasy_lines", "wrap_split_inline_box"),
    )
)

# split_first_line: no hyphenation tries after a planned line that ends between words
register(
    WrapPatch(
        name="no-hyphen-tries-at-planned-ends",
        module="weasyprint.layout.inline",
        target="split_first_line",
        version=WEASYPRINT,
        group=LINES,
        wrap=_deferred("weasy_lines", "wrap_split_first_line"),
    )
)

# _linebox_layout: a page's part of a paragraph set again if it would end on a divided word
register(
    WrapPatch(
        name="whole-words-at-page-turns",
        module="weasyprint.layout.block",
        target="_linebox_layout",
        version=WEASYPRINT,
        group=LINES,
        wrap=_deferred("weasy_lines", "wrap_linebox_layout"),
    )
)

# text_align that also shrinks the spaces of a line planned tight
register(
    WrapPatch(
        name="shrink-tight-lines",
        module="weasyprint.layout.inline",
        target="text_align",
        version=WEASYPRINT,
        group=LINES,
        wrap=_deferred("weasy_lines", "wrap_text_align"),
    )
)

# table_layout that leaves a table's "(continued)" label out of its first part
register(
    WrapPatch(
        name="continued-tables",
        module="weasyprint.layout.block",
        target="table_layout",
        version=WEASYPRINT,
        group=TABLES,
        wrap=_deferred("weasy_tables", "wrap_table_layout"),
    )
)

# draw_first_line reading a line's glyphs from Pango in one block (the tagged write's text)
register(
    WrapPatch(
        name="draw-glyphs-in-one-read",
        module="weasyprint.draw.text",
        target="draw_first_line",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_draw", "wrap_draw_first_line"),
    )
)

# Layout.setup copying the Pango layout made for the same font settings (layout and write)
register(
    WrapPatch(
        name="layouts-from-templates",
        module="weasyprint.text.line_break",
        target="Layout.setup",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_text", "wrap_setup"),
    )
)

# Box.is_in_normal_flow from one read of float and one of position (layout)
register(
    WrapPatch(
        name="normal-flow-in-one-test",
        module="weasyprint.formatting_structure.boxes",
        target="Box.is_in_normal_flow",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_box", "wrap_is_in_normal_flow"),
    )
)

# layout_box_backgrounds: no background for a box whose background properties are all initial
register(
    WrapPatch(
        name="no-background-early",
        module="weasyprint.layout.background",
        target="layout_box_backgrounds",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_backgrounds", "wrap_layout_box_backgrounds"),
    )
)

# generate_pdf forking a child that draws the second half of a long tagged write's pages
register(
    WrapPatch(
        name="split-write-pages",
        module="weasyprint.document",
        target="generate_pdf",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_paint", "wrap_generate_pdf"),
    )
)

# Page.paint taking that child's drawing of a page from the second half on
register(
    WrapPatch(
        name="split-write-pages-taken",
        module="weasyprint.document",
        target="Page.paint",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_paint", "wrap_paint"),
    )
)

# Page.paint handing the page's content stream to a thread that compresses it (the write)
register(
    WrapPatch(
        name="deflate-while-drawing",
        module="weasyprint.document",
        target="Page.paint",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_deflate", "wrap_paint"),
    )
)

# pydyf's Stream.data taking that compression when the stream is still what was compressed
register(
    WrapPatch(
        name="deflated-stream-data",
        module="pydyf",
        target="Stream.data",
        version=("pydyf", "0.13.0"),
        group=FAST,
        wrap=_deferred("weasy_deflate", "wrap_stream_data"),
    )
)

# Font._harfbuzz_subset asking cffi for one glyph-array type, not one per length (the write)
register(
    SourcePatch(
        name="one-glyph-array-type",
        module="weasyprint.pdf.fonts",
        target="Font._harfbuzz_subset",
        version=WEASYPRINT,
        group=FAST,
        transform=one_array_type,
    )
)

# ComputedStyle.__missing__ copying an uncascaded inherited or initial value itself (layout)
register(
    WrapPatch(
        name="uncascaded-values-copied",
        module="weasyprint.css",
        target="ComputedStyle.__missing__",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_style", "wrap_missing"),
    )
)

# inline layout's strut(style) answered from the answer kept on the style object (layout)
register(
    WrapPatch(
        name="strut-kept-on-style",
        module="weasyprint.layout.inline",
        target="strut",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_strut", "wrap_strut"),
    )
)

# make_page asking whether it has seen an anchor of a set, not of a list of every anchor before
register(
    SourcePatch(
        name="anchors-seen-in-a-set",
        module="weasyprint.layout.page",
        target="make_page",
        version=WEASYPRINT,
        group=FAST,
        transform=seen_lists,
    )
)

# inline_block_width measuring only the max-content width when min-width decides it (layout)
register(
    WrapPatch(
        name="min-width-decides-inline-blocks",
        module="weasyprint.layout.inline",
        target="inline_block_width",
        version=WEASYPRINT,
        group=FAST,
        wrap=_deferred("weasy_shrink", "wrap_inline_block_width"),
    )
)

# resolve_percentages resolving a box's fourteen used lengths in one loop, in its module and in
# every module that imports it by name (flex.py calls it through `percent`) (layout)
_PERCENT_USERS = ("percent", "block", "inline", "page", "table", "float", "absolute", "column")
for _module in (*_PERCENT_USERS, "grid"):
    register(
        WrapPatch(
            name=f"percentages-in-one-loop ({_module})",
            module=f"weasyprint.layout.{_module}",
            target="resolve_percentages",
            version=WEASYPRINT,
            group=FAST,
            wrap=_deferred("weasy_percent", "wrap_resolve_percentages"),
        )
    )
