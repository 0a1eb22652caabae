"""Incremental layout for watch's preview PDF: after an edit, WeasyPrint lays out only the pages
from just before the first changed block until its layout falls back into step with the last
one, and the new pages are spliced between the old ones (research/review/performance.md §3).

A full layout here is WeasyPrint's own, watched: at the start of every page it records
WeasyPrint's `page_maker` entry (the skip stack where the page starts, the next page's side and
break, the page counters) and what the layout carries into the page (notes reported from the
page before, floats broken across, the notes already placed). An incremental layout parses the
new page (parse, cascade and boxes are never incremental), restores that state at a page that
starts a block with nothing carried into it, runs WeasyPrint's own `remake_page` page after
page, and stops at the first page boundary whose state equals the old layout's (same skip
stack, counters, side, and the same notes waiting), after which every page would come out as
before. The new pages get their margin boxes as `layout_document` gives them, are written
untagged, and pikepdf splices them between the old preview's pages.

On any doubt the preview is laid out in full, and the progress line says why: another
WeasyPrint release, a changed page head (the stylesheets, a layout fix), features whose
state this does not carry (named strings, running elements, target counters, counter(pages),
fixed boxes), a file the page reads that changed, no page to restart from. Never a wrong PDF:
an edit that adds or removes a block, or changes the blocks' tags, never re-synchronises and
lays out to the end. The final tagged PDF is always a full layout (render/pdf.py).

The state lives in the long-lived watch process (`STORE`): a forked PDF builder inherits it,
and hands a new one back through `on_keep` (pressroom/watch.py). Switch:
PRESSROOM_INCREMENTAL=0."""

from __future__ import annotations

import copy
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint.formatting_structure import boxes

from . import weasy, weasy_restyle

WEASYPRINT = "70.0"  # the release whose page_maker, remake_page and layout_document this mirrors
log = logging.getLogger("pressroom.incremental")

# render/pdf.py numbers every block: <p data-b="12" ...>. The blocks are what edits are
# compared by; the numbers are left out of the comparison (an added block renumbers the rest).
_BLOCK = re.compile(r'<[a-z][a-z0-9]* data-b="(\d+)"')
_NUMBER = re.compile(r' data-b="\d+"')
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>")
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
# Tags that never start a block: an edit that adds or changes only these keeps the blocks'
# shape, so no sibling selector (h2 + p, :first-of-type) matches differently after it.
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img"}
    | {"ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup"}
    | {"time", "u", "var", "wbr", "math"}
)
# Stylesheet features whose state a restart does not carry, or that an edit later in the page
# can change earlier (selectors that look forward), read from the page's head.
_UNCARRIED = re.compile(
    r"string-set\s*:(?!\s*none\b)|\b(?:running|element)\(|counters?\(\s*pages\b"
)
_FORWARD = re.compile(r"last-child|last-of-type|only-child|only-of-type|nth-last|:has\(")
# CSS counters other than the page's: an edit (a note, a numbered element) can change the
# numbers printed after it without changing the HTML after it; then no page is in step.
# (target-counter() is refused where it is used: no laid-out page may look another up.)
_COUNTED = re.compile(
    r"counter-(?:increment|set)\s*:(?!\s*none\b)|(?<![\w-])counters?\(\s*(?!page\s*\))"
)


@dataclass(frozen=True)
class Start:
    """Where one page starts, and what the layout carries into it."""

    placed: int  # notes laid out on the pages before
    clean: bool  # nothing carried in, and the notes placed are the first `placed` of the page
    block: int | None  # data-b of the block the page starts in
    at_start: bool  # at that block's very start
    plain: bool  # reached through block boxes only (and then the block's lines)


@dataclass
class State:
    """What one layout of a print page leaves for the next: its page states, and its PDF."""

    html: str
    entries: list[Any]  # WeasyPrint's page_maker: one entry per page, and one after the last
    starts: list[Start]  # one per page
    heads: list[tuple[str, ...]]  # per page: the lines of the block it starts in
    notes: list[str]  # the notes' ids, in document order
    sizes: dict[str, Any]  # the style computer's initial page sizes (set by page 1)
    files: dict[Path, tuple[int, int]]  # the files read: (mtime_ns, size)
    pdf: bytes = b""  # the untagged preview PDF of these pages
    origin: str = ""  # the key of the cite the page was made from (cite_incremental.py)
    # per page: the last block (data-b) its layout read (_Horizons); empty if not recorded
    horizons: list[int] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return len(self.starts)


# The states of the previews, by output path: kept by the watch process (see on_keep).
STORE: dict[str, State] = {}
# Called with each new state: a forked PDF builder sends it to the watch process.
on_keep: Callable[[str, State], None] | None = None
# Asked between pages: whether a newer edit stopped this preview (pressroom/watch_preview.py).
stopping: Callable[[], bool] = lambda: False  # noqa: E731


def keep(key: str, state: State) -> None:
    """Keep `state` for the next preview of the output `key`."""
    STORE[key] = state
    if on_keep is not None:
        on_keep(key, state)


@dataclass
class Outcome:
    """An incremental preview, or why there is none."""

    pdf: bytes | None
    message: str
    restart: int = 0  # the first page laid out again (0-based)
    laid: int = 0  # pages laid out
    resync: int | None = None  # the old page the layout fell back into step at (0-based)


# --- Recording a full layout --------------------------------------------------------------


def _number(box: Any) -> int | None:
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", None) or ""
    if element is None or "::" in tag:
        return None
    value = element.get("data-b")
    return int(value) if value and value.isdigit() else None


def _where(root: Any, skip: Any) -> tuple[int | None, bool, bool]:
    """Where a page starting at skip stack `skip` starts: (the block it starts in, whether at
    the block's very start, whether the way there is plain: only block boxes, and then at most
    the block's lines, no table, flex or anonymous box)."""
    box, block, plain = root, None, True
    while skip is not None:
        if not isinstance(skip, dict) or len(skip) != 1:
            return block, False, False
        ((index, skip),) = skip.items()
        children = getattr(box, "children", ())
        if not isinstance(index, int) or not 0 <= index < len(children):
            return block, False, False
        box = children[index]
        if isinstance(box, boxes.LineBox):
            return block, False, plain and _number(box) == block
        plain = plain and type(box) is boxes.BlockBox
        block = _number(box) or block
    while _number(box) is None and type(box) is boxes.BlockBox and box.children:
        box = box.children[0]
    number = _number(box)
    if number is None or type(box) is not boxes.BlockBox:
        return block, False, False
    return number, True, plain


def _text(line: Any) -> str:
    return "".join(d.text for d in line.descendants() if isinstance(d, boxes.TextBox))


def _head(page: Any, block: int | None) -> tuple[str, ...]:
    """The text of each line a page holds of `block` (the block it starts in), up to the
    first line of another block: how the lines of a paragraph resumed there fell."""
    lines: list[str] = []

    def walk(box: Any, current: int | None) -> bool:
        current = _number(box) or current
        if isinstance(box, boxes.LineBox):
            if current == block:
                lines.append(_text(box))
                return True
            return not lines
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.FootnoteAreaBox | boxes.MarginBox):
                continue
            if not walk(child, current):
                return False
        return True

    if block is not None:
        walk(page.children[0], None)
    return tuple(lines)


def _start(context: Any, root: Any, notes: list[Any], index: int) -> Start:
    """The state of the layout as page `index` begins (before WeasyPrint makes it)."""
    waiting = {id(n) for n in context.footnotes}
    placed = len(notes) - len(context.footnotes)
    prefix = len(waiting) == len(context.footnotes)
    prefix = prefix and all(id(n) in waiting for n in notes[placed:])
    clean = prefix and not context.reported_footnotes and not context.broken_out_of_flow
    return Start(placed, clean, *_where(root, context.page_maker[index][0]))


_swap = threading.Lock()
# WeasyPrint's own functions while they are watched: (module, name, function)
_originals: list[tuple[Any, str, Any]] = []


@contextmanager
def _watching(
    on_layout: Callable[..., None],
    on_page: Callable[..., None],
    on_made: Callable[[int, Any], None] | None = None,
    on_block: Callable[[Any], None] | None = None,
) -> Iterator[None]:
    """WeasyPrint's layout_document and remake_page, told to us as they run (`on_made`: each
    page as remake_page made it; `on_block`: each block container as its layout begins)."""
    import weasyprint.document as wdocument
    import weasyprint.layout.block as wblock
    import weasyprint.layout.page as wpage

    layout_document, remake_page = wdocument.layout_document, wpage.remake_page
    container_layout = wblock.block_container_layout

    def watched_layout(html: Any, root_box: Any, context: Any, *args: Any) -> Iterator[Any]:
        on_layout(root_box, context)
        yield from layout_document(html, root_box, context, *args)

    def watched_page(index: int, context: Any, root_box: Any, html: Any) -> Any:
        on_page(index, context, root_box)
        made = remake_page(index, context, root_box, html)
        if on_made is not None:
            on_made(index, made[0])
        return made

    def watched_block(context: Any, box: Any, *args: Any, **kwargs: Any) -> Any:
        if on_block is not None:
            on_block(box)
        return container_layout(context, box, *args, **kwargs)

    swapped = [
        (wdocument, "layout_document", watched_layout),
        (wpage, "remake_page", watched_page),
        (wblock, "block_container_layout", watched_block),
    ]
    with _swap:
        _originals[:] = [(module, name, getattr(module, name)) for module, name, _ in swapped]
        for module, name, function in swapped:
            setattr(module, name, function)
        try:
            yield
        finally:
            for module, name, function in _originals:
                setattr(module, name, function)
            _originals.clear()


def unwatch() -> None:
    """WeasyPrint's own functions back, for good: in a process forked while a layout was
    watched (pressroom/weasy_parallel.py), which lays out pages of its own and then exits."""
    for module, name, function in _originals:
        setattr(module, name, function)


class _Horizons:
    """The last block (data-b) each page's layout read: a block laid out, or any block inside
    a box that is not a plain container (a table, an anonymous box, a note: its whole
    content). A page's layout reads nothing else of the document: an edit after its horizon
    cannot change it, nor any page before it."""

    def __init__(self) -> None:
        self.pages: dict[int, int] = {}
        self.index = -1  # the page being made
        self._last: dict[int, tuple[Any, int]] = {}  # id(element) -> (element, its last block)

    def page(self, index: int) -> None:
        self.index = index
        self.pages[index] = 0

    def see(self, box: Any) -> None:
        element = getattr(box, "element", None)
        if element is None or self.index < 0:
            return
        if isinstance(box, boxes.FootnoteAreaBox | boxes.MarginBox | boxes.PageBox):
            return  # (their notes and margin content are seen as they are laid out)
        if type(box) is boxes.BlockBox and not box.is_table_wrapper and _number(box) is None:
            return  # a plain container: its children are seen as each is laid out
        known = self._last.get(id(element))
        if known is None:
            numbers = (e.get("data-b") for e in element.iter())
            last = max((int(n) for n in numbers if n and n.isdigit()), default=0)
            known = self._last[id(element)] = (element, last)
        if known[1] > self.pages[self.index]:
            self.pages[self.index] = known[1]

    def of(self, first: int, count: int) -> list[int]:
        """The horizons of pages first..first+count-1, or [] if one was not seen."""
        found = [self.pages.get(i) for i in range(first, first + count)]
        return [h for h in found if h is not None] if None not in found else []


class _Recorder:
    """A full layout by WeasyPrint, with the state of each page recorded as it starts."""

    def __init__(self) -> None:
        self.context: Any = None
        self.root: Any = None
        self.notes: list[Any] = []
        self.starts: dict[int, Start] = {}
        self.again = False  # a page was made twice: WeasyPrint paginated again
        self.horizons = _Horizons()

    def render(self, page: Any) -> Any:
        with _watching(self.on_layout, self.on_page, self.on_made, self.horizons.see):
            return page.render()

    def on_layout(self, root: Any, context: Any) -> None:
        self.root, self.context, self.notes = root, context, list(context.footnotes)

    def on_page(self, index: int, context: Any, root: Any) -> None:
        self.again = self.again or index in self.starts
        self.starts[index] = _start(context, root, self.notes, index)
        self.horizons.page(index)

    def on_made(self, index: int, page: Any) -> None:
        """Each page as WeasyPrint made it (for pressroom/weasy_parallel.py)."""

    def state(self, html: str, laid: weasy.Laid) -> tuple[State | None, str]:
        """The state to keep, or None and why the layout cannot be restarted later."""
        pages = len(laid.document.pages)
        why = _unsupported(self.context, laid.document.pages) or (
            "WeasyPrint paginated twice" if self.again else ""
        )
        if not why and sorted(self.starts) != list(range(pages)):
            why = "pages were not all made once"
        if why:
            return None, why
        return State(
            html=html,
            entries=copy.deepcopy(self.context.page_maker),
            starts=[self.starts[i] for i in range(pages)],
            heads=[
                _head(weasy._page_box(p), self.starts[i].block)
                for i, p in enumerate(laid.document.pages)
            ],
            notes=[_note_id(n) for n in self.notes],
            sizes=dict(self.context.style_for.initial_page_sizes),
            files=_stamps(laid.read),
            horizons=self.horizons.of(0, pages),
        ), ""


def _note_id(note: Any) -> str:
    element = getattr(note, "element", None)
    return str(element.get("id", "")) if element is not None else ""


def _stamps(files: set[Path]) -> dict[Path, tuple[int, int]]:
    found = {}
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        found[path] = (info.st_mtime_ns, info.st_size)
    return found


def _unsupported(context: Any, pages: list[Any]) -> str:
    """What in a laid-out page this cannot restart, or ''."""
    if context is None:
        return "the layout was not seen"
    if any(context.string_set.values()) or any(context.running_elements.values()):
        return "named strings or running elements"
    if context.target_collector.counter_lookup_items:
        return "counters that look up other pages"
    if any(getattr(weasy._page_box(p), "fixed_boxes", None) for p in pages):
        return "fixed boxes, drawn on every page"
    return ""


def full_layout(
    html: str,
    base: Path,
    roots: list[Path],
    locate: Callable[[str], tuple[Path, int | None]] | None = None,
) -> tuple[weasy.Laid, State | None]:
    """WeasyPrint's own layout of `html` (weasy.layout), and the state to restart it from
    (None when it cannot be, said on the progress line)."""
    recorder = _Recorder()
    laid = weasy.layout(html, base, roots, locate, render=recorder.render)
    state, why = recorder.state(html, laid)
    if state is None:
        log.info("pdf preview: the next edit will be laid out in full (%s)", why)
    return laid, state


# --- Comparing two print pages ------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Where the new print page differs from the old, in blocks (data-b numbers, from 1)."""

    first: int  # the first changed block
    last: int  # the last changed block of the new page (first - 1 if only blocks were removed)
    count: int  # blocks in the new page
    same_shape: bool  # as many blocks, with the same tags: only their content changed
    empty_matters: bool = True  # the stylesheet has :empty (a block's text can match it)


def _blocks(html: str) -> tuple[str, list[str]]:
    """The page's head (everything before the first block) and its blocks, unnumbered."""
    marks = [m.start() for m in _BLOCK.finditer(html)]
    if not marks:
        return html, []
    cuts = [*marks, len(html)]
    return html[: marks[0]], [_NUMBER.sub("", html[a:b], 1) for a, b in pairwise(cuts)]


def _shape(block: str) -> list[tuple[str, str, str]]:
    """The block's tags that can start a block, with their attributes; text and inline tags
    (and drawn math) left out."""
    return [t for t in _TAG.findall(_SVG.sub("", block)) if t[1].lower() not in _INLINE]


def compare(old: str, new: str) -> Change | str:
    """How `new` differs from `old`, or why it cannot be laid out from `old`'s pages."""
    old_head, before = _blocks(old)
    new_head, after = _blocks(new)
    if old_head != new_head:
        return "the page's head changed (stylesheets, metadata or a layout fix)"
    if _UNCARRIED.search(new_head):
        return "the stylesheet uses named strings, running elements or counter(pages)"
    first = 0
    while first < min(len(before), len(after)) and before[first] == after[first]:
        first += 1
    kept = 0
    limit = min(len(before), len(after)) - first
    while kept < limit and before[-1 - kept] == after[-1 - kept]:
        kept += 1
    changed = range(first, len(after) - kept)
    same = len(before) == len(after) and all(_shape(before[j]) == _shape(after[j]) for j in changed)
    same = same and not _COUNTED.search(new_head)
    if not same and _FORWARD.search(new_head):
        return "the blocks changed shape and the stylesheet has selectors that look ahead"
    return Change(first + 1, len(after) - kept, len(after), same, ":empty" in new_head)


# --- Laying out again ---------------------------------------------------------------------


def restart_page(state: State, change: Change) -> int | None:
    """The last page (0-based) that starts in a block before the change with nothing carried
    into it, where the layout of the page before it read no changed block: the pages before
    it were laid out knowing nothing of the change. What a page's layout read is its horizon
    (_Horizons): ended inside a block, it read no further; ended between blocks, it may have
    read the styles of the next one without laying it out, which an edit that keeps the
    blocks' shape does not change. Without horizons (a state from a layout that did not record
    them), the page must hold nothing of the changed blocks (a page's break looks no further
    than the page after it). A page that starts inside a paragraph must hold its end (checked
    again once laid out: the same lines). Else the first page: no page comes before it, and the
    layout from the document's start still stops where it falls back into step (an edit on
    the first page or two)."""
    known = len(state.horizons) == state.pages
    for i in range(state.pages - 1, 0, -1):
        start, after = state.starts[i], state.starts[i + 1] if i + 1 < state.pages else None
        if not (start.clean and start.plain and start.block is not None):
            continue
        if start.block >= change.first or (after is not None and after.block is None):
            continue
        if after and not start.at_start and after.block == start.block and not after.at_start:
            continue  # a paragraph longer than the page
        if known:
            if state.horizons[i - 1] >= change.first:
                continue  # (the page before read a changed block)
            if not start.at_start or (change.same_shape and not change.empty_matters):
                return i
        if after is None or after.block is None:
            continue
        if after.block < change.first or (after.block == change.first and after.at_start):
            return i
    return 0 if state.pages and state.starts[0].clean else None


class _Relayout:
    """Pages laid out again by WeasyPrint's own remake_page, from a restored state."""

    def __init__(
        self, old: State, change: Change, restart: int, html: str = "", key: str = ""
    ) -> None:
        self.old, self.change, self.restart = old, change, restart
        self.html = html  # the page laid out (its stylesheets and styles kept: weasy_restyle)
        self.key = key  # the output it is of (where weasy_restyle keeps them)
        self.context: Any = None
        self.root: Any = None
        self.notes: list[Any] = []
        self.starts: list[Start] = []
        self.resync: int | None = None
        self.refused = ""
        self.horizons = _Horizons()

    def render(self, page: Any) -> Any:
        """Parse, cascade and build the boxes as Document._render does, then lay out."""
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.document import Document, Page
        from weasyprint.formatting_structure.build import build_formatting_structure
        from weasyprint.html import get_html_metadata
        from weasyprint.pdf.metadata import DocumentMetadata
        from weasyprint.text.fonts import FontConfiguration

        options = dict(DEFAULT_OPTIONS)
        first = _BLOCK.search(self.html)
        at = first.start() if first else len(self.html)
        head, body = self.html[:at], self.html[at:]
        kept = weasy_restyle.sheets(self.key, page, head, body) if self.html else None
        if kept is None:
            fonts, counters = FontConfiguration(), CounterStyle()
            context = Document._build_layout_context(page, fonts, counters, {}, options)
        else:
            fonts, counters = kept.fonts, kept.counters
            change = self.change
            same = change.same_shape and not change.empty_matters
            changed = range(change.first, change.last + 1) if same else None
            last = self.old.html
            context = weasy_restyle.context(self.key, page, self.html, kept, options, last, changed)
        root = build_formatting_structure(
            page.etree_element,
            context.style_for,
            context.get_image_from_uri,
            page.base_url,
            context.target_collector,
            counters,
            context.footnotes,
        )
        self.context, self.root, self.notes = context, root, list(context.footnotes)
        with _watching(_ignore, _ignore, None, self.horizons.see):
            pages = self._pages(page) if self._restore() else []
        document = Document(
            [Page(p) for p in pages],
            DocumentMetadata(**get_html_metadata(page)),
            page.url_fetcher,
            fonts,
            {},
            options["output_intent"],
        )
        document._html = page
        return document

    def _restore(self) -> bool:
        """WeasyPrint's state as the restart page begins, from the old layout's."""
        context, start = self.context, self.old.starts[self.restart]
        ids = [_note_id(n) for n in self.notes]
        if ids[: start.placed] != self.old.notes[: start.placed]:
            self.refused = "the notes before the restart page differ"
            return False
        if self.restart == 0:  # the document's start, as WeasyPrint's page maker begins it
            if self.old.entries[0][0] is not None:
                self.refused = "the first page does not start the document"
                return False
        elif _where(self.root, self.old.entries[self.restart][0]) != (
            start.block,
            start.at_start,
            True,
        ):
            self.refused = "the restart page does not start the same block"
            return False
        context.page_maker = copy.deepcopy(self.old.entries[: self.restart + 1])
        context.style_for.initial_page_sizes.update(self.old.sizes)
        context.rendered_notes = []
        del context.footnotes[: start.placed]
        return True

    def _pages(self, html: Any) -> list[Any]:
        """make_all_pages from the restart page, until the end or the state is in step."""
        from weasyprint.layout.page import remake_page

        context, pages, index = self.context, [], self.restart
        in_step = False  # whether the page being made began in step with the old one
        while True:
            if stopping():
                self.refused = "stopped by a newer edit"
                return []
            self.starts.append(_start(context, self.root, self.notes, index))
            self.horizons.page(index)
            remake = context.page_maker[index][-1]
            remake.update(content_changed=False, pages_wanted=False, anchors=[], content_lookups=[])
            page, resume_at = remake_page(index, context, self.root, html)
            pages.append(page)
            if index == self.restart and not self._same_head(page, index):
                self.refused = "the paragraph the restart page begins in broke differently"
                return []
            index += 1
            if resume_at is None and not context.reported_footnotes:
                context.page_maker = context.page_maker[: index + 1]
                break
            was, in_step = in_step and self._same_head(page, index - 1), self._in_step(index)
            if in_step and (self.old.starts[index].at_start or (was and self._ends(index - 1))):
                self.resync = index
                break
        why = _unsupported(context, [])
        if any(getattr(page, "fixed_boxes", None) for page in pages):
            why = "fixed boxes, drawn on every page"
        if why:
            self.refused = why
            return []
        total = self.old.pages if self.resync is not None else index
        for entry in context.page_maker:
            entry[3][1]["pages"] = [total]
        return [self._finish(page, self.restart + n + 1) for n, page in enumerate(pages)]

    def _same_head(self, page: Any, index: int) -> bool:
        """Whether a page begun inside a paragraph holds the same lines of it as before (the
        line breaker plans a paragraph from its start: resumed, it must come out the same)."""
        start = self.old.starts[index]
        return start.at_start or _head(page, start.block) == self.old.heads[index]

    def _ends(self, index: int) -> bool:
        """Whether the block old page `index` starts in ends on that page."""
        start, after = self.old.starts[index], self.old.starts[index + 1]
        return after.at_start or after.block != start.block

    def _in_step(self, index: int) -> bool:
        """Whether page `index` begins exactly as it did in the old layout, with the same
        content after it. At a block's start every later page is then the old one; inside a
        paragraph, once that page also holds the same lines of it."""
        old, change, context = self.old, self.change, self.context
        if not change.same_shape or index >= old.pages:
            return False
        start = old.starts[index]
        # Blocks of the same shape match the same selectors, but for :empty (their text):
        # then the block before the page must be unchanged too (a sibling selector).
        after = change.last + 1 if change.empty_matters else change.last
        if not start.clean or start.block is None or start.block <= after:
            return False
        if context.page_maker[index][:4] != tuple(old.entries[index][:4]):
            return False
        now = _start(context, self.root, self.notes, index)
        waiting = [_note_id(n) for n in self.notes[now.placed :]]
        return now == start and waiting == old.notes[now.placed :]

    def _finish(self, page: Any, number: int) -> Any:
        """Margin boxes and backgrounds, as layout_document gives each page."""
        from weasyprint.layout.background import layout_backgrounds
        from weasyprint.layout.page import make_margin_boxes

        context = self.context
        root, notes, note_area = page.children
        context.current_page = number
        children = [root] + [a for a in (notes, note_area) if a.children]
        children.extend(make_margin_boxes(context, page, context.page_maker[number][3]))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)
        return page

    def state(self, html: str, laid: weasy.Laid, pdf: bytes) -> State:
        old, end = self.old, self.resync
        entries = self.context.page_maker
        if end is not None:
            entries = entries[:end] + old.entries[end:]
        starts = old.starts[: self.restart] + self.starts
        pages = laid.document.pages
        heads = old.heads[: self.restart] + [
            _head(p._page_box, s.block) for p, s in zip(pages, self.starts, strict=True)
        ]
        if end is not None:
            starts += old.starts[end:]
            heads += old.heads[end:]
        files = {**old.files, **_stamps(laid.read)}
        notes = [_note_id(n) for n in self.notes]
        new = self.horizons.of(self.restart, len(pages))
        horizons = old.horizons[: self.restart] + new
        if end is not None:
            horizons += old.horizons[end:]
        # (kept only whole, and where none of the pages kept read a changed block)
        read = any(h >= self.change.first for h in old.horizons[: self.restart])
        if read or not (old.horizons and new) or len(horizons) != len(starts):
            horizons = []
        state = State(html, entries, starts, heads, notes, old.sizes, files, pdf)
        state.horizons = horizons
        return state


def _ignore(*args: Any) -> None:
    """A watcher's call not listened to."""


def _changed_files(state: State) -> list[Path]:
    return [p for p, stamp in state.files.items() if _stamps({p}).get(p) != stamp]


def preview(
    key: str,
    html: str,
    base: Path,
    roots: list[Path],
    locate: Callable[[str], tuple[Path, int | None]] | None = None,
    origin: str = "",
) -> Outcome:
    """The preview PDF of `html` from the last layout kept under `key`, laid out again only
    where it changed; Outcome.pdf is None when it cannot be (the message says why). `origin`
    names the cite `html` was made from."""
    started = time.perf_counter()
    old = STORE.get(key)
    why = _doubt(old, html)
    if why or old is None:
        return Outcome(None, f"pdf preview in full: {why}")
    if old.html == html:
        if origin != old.origin:  # (the next edit's print page may be spliced into it)
            old.origin = origin
            keep(key, old)
        return Outcome(old.pdf, "pdf preview: the print page did not change")
    change = compare(old.html, html)
    if isinstance(change, str):
        return Outcome(None, f"pdf preview in full: {change}")
    restart = restart_page(old, change)
    if restart is None:
        return Outcome(None, "pdf preview in full: no page to restart from before the change")
    work = _Relayout(old, change, restart, html, key)
    laid = weasy.layout(html, base, roots, locate, render=work.render)
    if work.refused:
        return Outcome(None, f"pdf preview in full: {work.refused}")
    chunk = weasy.write(laid.document, preview=True)
    end = work.resync if work.resync is not None else old.pages
    pdf = splice(old.pdf, chunk, restart, end)
    state = work.state(html, laid, pdf)
    state.origin = origin
    keep(key, state)
    count = len(laid.document.pages)
    where = f"in step again at page {end + 1}" if work.resync is not None else "to the end"
    pages = f"page {restart + 1}" if count == 1 else f"pages {restart + 1}-{restart + count}"
    message = (
        f"pdf preview: {pages} laid out again, {where} "
        f"({time.perf_counter() - started:.2f} s)"
    )
    return Outcome(pdf, message, restart, count, work.resync)


def warm(key: str, base: Path, roots: list[Path]) -> str:
    """watch, once its first build is done (pressroom/watch_preview.py): what the first
    preview of output `key` would do for the first time in this process, done ahead: the kept
    page's stylesheets parsed and every element's style computed (weasy_restyle: the first
    edit then computes only its changed blocks' styles), and a page near its middle laid out
    again as if a block on it had changed (its fonts, word widths, lines), written and spliced
    in memory. Nothing is kept or written: STORE is left as it was, and a newer edit stops it
    between pages. Returns what was done, or why not (`base`, `roots`: as for weasy.layout)."""
    old = STORE.get(key)
    why = _doubt(old, "")
    if why or old is None:
        return f"not readied: {why}"
    head, blocks = _blocks(old.html)
    if not blocks:
        return "not readied: no block"
    # A block on the middle page, or on the next (the first page: its first block).
    first = min((old.starts[old.pages // 2].block or 0) + 1, len(blocks))
    change = Change(first, first, len(blocks), True, ":empty" in head)
    restart = restart_page(old, change)
    if restart is None:
        return "not readied: no page to restart from"
    work = _Relayout(old, change, restart, old.html, key)
    laid = weasy.layout(old.html, base, roots, render=work.render)
    if work.refused:
        return f"not readied: {work.refused}"
    end = work.resync if work.resync is not None else old.pages
    splice(old.pdf, weasy.write(laid.document, preview=True), restart, end)
    return f"readied: {len(laid.document.pages)} page(s) from page {restart + 1} laid out ahead"


def _doubt(old: State | None, html: str) -> str:
    if old is None:
        return "no earlier layout kept"
    if weasyprint.__version__ != WEASYPRINT:
        return f"written for WeasyPrint {WEASYPRINT}, found {weasyprint.__version__}"
    if not old.pdf:
        return "no earlier preview kept"
    changed = _changed_files(old)
    if changed:
        return f"{changed[0].name} changed"
    return ""


# --- Splicing -----------------------------------------------------------------------------


def splice(old: bytes, new: bytes, restart: int, end: int) -> bytes:
    """Pages 1..restart of `old`, then every page of `new`, then `old`'s pages from `end` on
    (0-based), with the named destinations of their links; the document's information from
    `new`. The outline is left out: the preview is for reading, the final PDF has it."""
    import pikepdf

    with pikepdf.open(io.BytesIO(old)) as before, pikepdf.open(io.BytesIO(new)) as middle:
        out = pikepdf.new()
        out.add_pages_from(before, range(restart))
        out.add_pages_from(middle)
        out.add_pages_from(before, range(end, len(before.pages)))
        out.docinfo = out.copy_foreign(middle.docinfo)  # type: ignore[assignment]
        if "/Lang" in middle.Root:
            out.Root.Lang = middle.Root.Lang
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
