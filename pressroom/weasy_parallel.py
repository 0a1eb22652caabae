"""Parallel layout of one long print page for watch's preview PDF, on the second core
(issue 15 item 4; research/review/performance.md §4.1).

When watch lays out a long preview in full (the incremental preview could not be made), the
last layout of the same output (weasy_incremental.STORE) says where each page began. Once the
box tree is built, the process forks: the child restores that layout's state at a split page
near the middle (a page that starts a block with nothing carried into it, as `restart_page`
asks), lays out from there to the end with WeasyPrint's own `remake_page`, writes its pages
untagged and hands them back. The parent goes on with WeasyPrint's ordinary full layout. When
it reaches the split page, it compares its real state there with the restored one (the skip
stack, page side, counters but the total of pages, the notes placed and waiting, page sizes):

- equal: the child's pages are the pages the parent would make (both lay out the same new
  page; only the state at the split came from the last layout, and it is the real one). The
  parent writes its own pages before the split, untagged, and as soon as the child's arrive
  (looked for between two of its own pages) splices them on (pikepdf) and drafts the preview.
  It still lays out to the end: the final tagged PDF is written from its own whole layout.
- not equal (an edit before the split moved it, a note added before it): the child is stopped
  and its work thrown away; the parent's layout simply goes on, and the preview is drafted
  from it as without this module. The progress line says why.

So unlike the incremental preview, a changed page head (a stylesheet edited) is no reason to
refuse: the check at the split decides. The parent never waits for the child: if the child is
not done when the parent's layout is (no free core after all), the child is stopped and the
preview comes from the whole layout; with PRESSROOM_PARALLEL=1 (below) the parent waits, so
that the outcome never depends on timing. A layout WeasyPrint paginated twice, or whose state
cannot be kept, drafts its whole layout's preview again.

Where it applies: watch's preview only, which is untagged. The final tagged PDF (PDF/UA) has one
structure tree, outline and set of link targets over all pages; spliced from two processes'
writes it would have two of each, to be merged and renumbered, and would not be the file one
process writes; it is always laid out and written by one process. Used when the preview is laid
out in full, the last layout of the same output had more than MIN_PAGES pages, and a core is
free (`core_free`). Switch: PRESSROOM_PARALLEL=0 never, PRESSROOM_PARALLEL=1 always (not asking
whether a core is free, and waiting for the child: tests and the bench)."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

import weasyprint

from . import weasy, weasy_incremental
from .process import die_with_parent
from .weasy_incremental import WEASYPRINT, Change, Start, State, _Recorder, _Relayout

MIN_PAGES = 60  # shorter previews are laid out by one process: a fork costs more than it saves
ONE = "pdf preview laid out by one process"  # how every refusal begins
QUIET = "~"  # begins a reason not to lay out in parallel that the progress line leaves out
log = weasy_incremental.log


def mode() -> str:
    """'off' (PRESSROOM_PARALLEL=0), 'on' (=1: whether a core is free is not asked, and the
    parent waits for the child's pages) or 'auto'."""
    value = os.environ.get("PRESSROOM_PARALLEL", "")
    return {"0": "off", "1": "on"}.get(value, "auto")


def core_free() -> bool:
    """Whether a second core is idle: this process may use more than one, and the system's load
    over the last minute (this layout counting as one) leaves half a core or more unused.
    Run on a busy core, the child's pages would come after the parent's own (§4.1: 0.80x).
    In watch the PDF builder is the only build worker (it makes its outputs one after another),
    so the load is what tells whether another program holds the second core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (macOS, Windows)
        cores = os.cpu_count() or 1
    return cores >= 2 and os.getloadavg()[0] < cores - 1 + 0.5


def split_page(state: State) -> int | None:
    """The page (0-based) nearest the middle of the last layout that begins a block at its very
    start with nothing carried into it; None if none does."""
    fits = [i for i in range(1, state.pages) if _splittable(state.starts[i])]
    return min(fits, key=lambda i: abs(2 * i - state.pages)) if fits else None


def _splittable(start: Start) -> bool:
    return start.clean and start.plain and start.at_start and start.block is not None


def plan(key: str, html: str, min_pages: int | None = None) -> tuple[State, int] | str:
    """The last layout of `key` and the page to split `html`'s layout at, or why it is laid
    out by one process (starting with QUIET: not worth a line)."""
    why = _refusal(key, html, MIN_PAGES if min_pages is None else min_pages)
    if why:
        return why
    old = weasy_incremental.STORE[key]
    split = split_page(old)
    if split is None:
        return "no page of the last layout to split at"
    return old, split


def _refusal(key: str, html: str, min_pages: int) -> str:
    choice = mode()
    old = weasy_incremental.STORE.get(key)
    if choice == "off":
        return QUIET + "off (PRESSROOM_PARALLEL=0)"
    if "fork" not in _start_methods():
        return QUIET + "this system cannot fork"
    if old is None:
        return QUIET + "no earlier layout kept"
    if old.pages <= min_pages:
        return QUIET + f"{old.pages} pages, not more than {min_pages}"
    if weasyprint.__version__ != WEASYPRINT:
        return f"written for WeasyPrint {WEASYPRINT}, found {weasyprint.__version__}"
    head = weasy_incremental._blocks(html)[0]
    if weasy_incremental._UNCARRIED.search(head):
        return "the stylesheet uses named strings, running elements or counter(pages)"
    if choice == "auto" and not core_free():
        return "no free core"
    return ""


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


@dataclass
class Parallel:
    """What the parallel layout did: the spliced preview if it was made, and the message."""

    pdf: bytes | None
    message: str
    said: bool = True  # whether the progress line says it (not: a short or a first layout)
    # CPU seconds (bench/parallel.py): the parent's at the fork and once its pages before the
    # split are written, the child's in all, the splice's.
    cpu: dict[str, float] = field(default_factory=dict)


class _Speculation(_Recorder):
    """A full layout by WeasyPrint (recorded as weasy_incremental's), with the pages from
    `split` on laid out at the same time by a forked child from `old`'s state there."""

    def __init__(self, old: State, split: int, on_preview: Callable[[bytes], None]) -> None:
        super().__init__()
        self.old, self.split, self.on_preview = old, split, on_preview
        self.page: Any = None  # WeasyPrint's HTML
        self.made: dict[int, Any] = {}  # the parent's pages before the split
        self.child: int | None = None  # its pid, while it runs
        self.receive: Connection | None = None
        self.first: bytes = b""  # the parent's pages before the split, written
        self.result = Parallel(None, "")
        self.started = time.perf_counter()
        self.cpu: dict[str, float] = {}

    def render(self, page: Any) -> Any:
        self.page = page
        try:
            return super().render(page)
        finally:
            if self.first and self.child is not None:  # (done while the last pages were made?)
                self.collect(block=mode() == "on")
            if self.child is not None:
                ended = f"the layout ended before page {self.split + 1}"
                late = "the second half was not ready before the whole layout"
                self.stop(f"{ONE}: {late if self.first else ended}")

    def on_layout(self, root: Any, context: Any) -> None:
        super().on_layout(root, context)
        receive, send = Pipe(duplex=False)
        try:
            pid = os.fork()
        except OSError as exc:  # (out of processes or memory: one process it is)
            receive.close()
            send.close()
            self.result = Parallel(None, f"{ONE}: could not fork ({exc.strerror})")
            return
        if pid == 0:  # the child: lays out from the split page, hands its pages back, exits
            die_with_parent()
            receive.close()
            _second_half(self.old, self.split, self.page, root, context, send)
        send.close()
        self.child, self.receive = pid, receive
        self.cpu["fork"] = time.process_time()

    def on_page(self, index: int, context: Any, root: Any) -> None:
        super().on_page(index, context, root)
        if self.child is None:
            return
        try:
            if index == self.split and not self.first:
                why = _differs(self.old, self.split, context, root, self.notes)
                if why:
                    self.stop(f"{ONE}: page {index + 1} {why}")
                    return
                pages = [self.made[i] for i in range(index)]
                self.first = _write_first(context, self.page, pages)
                self.cpu["first"] = time.process_time()
            if self.first:
                self.collect(block=False)
        except Exception as exc:  # a bug included: the whole layout goes on, and is the preview
            self.stop(f"{ONE}: {type(exc).__name__}: {exc}")

    def on_made(self, index: int, page: Any) -> None:
        if self.child is not None and index < self.split:
            self.made[index] = page

    def collect(self, block: bool) -> None:
        """The child's pages spliced after the parent's, if they have come."""
        assert self.receive is not None
        try:
            if not block and not self.receive.poll():
                return
            kind, value = self.receive.recv()
        except (EOFError, OSError):
            kind, value = "failed", "it stopped"
        if kind != "pdf":
            self.stop(f"{ONE}: the second process {kind} ({value})")
            return
        spliced = time.process_time()
        pdf = weasy_incremental.splice(self.first, value, self.split, self.split)
        self.cpu["splice"] = time.process_time() - spliced
        took = time.perf_counter() - self.started
        last = self.split + _page_count(value)
        self.result = Parallel(
            pdf,
            f"pdf preview: pages 1-{self.split} and {self.split + 1}-{last} laid out in "
            f"parallel ({took:.2f} s)",
            cpu=self.cpu,
        )
        self.stop("")
        self.on_preview(pdf)

    def stop(self, why: str) -> None:
        """The child stopped (if it still runs) and reaped; `why`, if any, is the message."""
        if self.child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child, signal.SIGKILL)
            usage = os.wait4(self.child, 0)[2]
            self.cpu["child"] = usage.ru_utime + usage.ru_stime
            self.child = None
        if self.receive is not None:
            self.receive.close()
            self.receive = None
        if why:
            self.result = Parallel(None, why)
        self.made.clear()


def _page_count(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as opened:
        return len(opened.pages)


def _differs(old: State, split: int, context: Any, root: Any, notes: list[Any]) -> str:
    """Why the parent's real state as page `split` begins is not the one the child restored
    from `old`, or '' (then the child's pages are the parent's: the same tree and stylesheets
    from the same state)."""
    now = weasy_incremental._start(context, root, notes, split)
    if now != old.starts[split]:
        return "begins elsewhere than in the last layout"
    if _comparable(context.page_maker[split]) != _comparable(old.entries[split]):
        return "begins with another page state than in the last layout"
    if dict(context.style_for.initial_page_sizes) != old.sizes:
        return "has other page sizes than in the last layout"
    if any(e[4]["content_changed"] or e[4]["pages_wanted"] for e in context.page_maker[:split]):
        return "waits for pages to be laid out again"
    why = weasy_incremental._unsupported(context, [])
    return f"follows pages with {why}" if why else ""


def _comparable(entry: Any) -> tuple[Any, ...]:
    """A page_maker entry without the total of pages (not known before the end, and refused
    in the stylesheet: counter(pages))."""
    resume_at, next_page, right_page, (quotes, counters, scopes, groups) = entry[:4]
    counters = {k: v for k, v in counters.items() if k != "pages"}
    return resume_at, next_page, right_page, quotes, counters, scopes, groups


def _write_first(context: Any, html: Any, pages: list[Any]) -> bytes:
    """The parent's pages before the split, finished as layout_document finishes them (on
    copies: WeasyPrint finishes the pages themselves at its end) and written untagged."""
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.layout.page import make_margin_boxes

    finished = []
    for number, page in enumerate(pages, 1):
        root, notes, note_area = page.children
        copy = page.copy()
        context.current_page = number  # (make_page sets it again for the next page)
        children = [root] + [a for a in (notes, note_area) if a.children]
        children.extend(make_margin_boxes(context, copy, context.page_maker[number][3]))
        copy.children = tuple(children)
        layout_backgrounds(copy, context.get_image_from_uri)
        finished.append(copy)
    # Links to the pages after the split find no anchor in this part ("No anchor #sec-x"): not
    # the layout's warnings, which the whole layout reports.
    logger = logging.getLogger("weasyprint")
    was, logger.disabled = logger.disabled, True
    try:
        return weasy.write(_document(finished, context, html), preview=True)
    finally:
        logger.disabled = was


def _document(pages: list[Any], context: Any, html: Any) -> Any:
    from weasyprint.document import Document, Page
    from weasyprint.html import get_html_metadata
    from weasyprint.pdf.metadata import DocumentMetadata

    document = Document(
        [Page(p) for p in pages],
        DocumentMetadata(**get_html_metadata(html)),
        html.url_fetcher,
        context.font_config,
        {},
        None,
    )
    document._html = html
    return document


# The child never re-synchronises: it lays out from the split page to the end.
_TO_THE_END = Change(first=1, last=0, count=0, same_shape=False)


def _second_half(
    old: State, split: int, html: Any, root: Any, context: Any, send: Connection
) -> None:
    """In the forked child: lay out from page `split` in `old`'s state, send the pages written
    untagged (or why not), and exit without returning into the parent's stack."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (not watch's builder's handler)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        logging.getLogger("weasyprint").disabled = True  # (the parent's whole layout reports)
        _orphaned_exits(os.getppid())
        _limit_cpu(weasy.layout_limit(len(old.html)))
        weasy_incremental.unwatch()
        work = _Relayout(old, _TO_THE_END, split)
        work.context, work.root, work.notes = context, root, list(context.footnotes)
        pages = work._pages(html) if work._restore() else []
        if work.refused or not pages:
            send.send(("refused", work.refused or "no pages"))
        else:
            send.send(("pdf", weasy.write(_document(pages, context, html), preview=True)))
    except BaseException as exc:  # whatever it was, the parent goes on alone
        code = 1
        with contextlib.suppress(OSError, pickle.PicklingError):
            send.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(code)


def _orphaned_exits(parent: int) -> None:
    """Exit when the parent has gone (watch stops its builder at the next edit)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _limit_cpu(seconds: float) -> None:
    """The layout's CPU limit (weasy.time_limit) for the child, which a fork does not inherit:
    past it, the child exits and the parent goes on alone."""
    signal.signal(signal.SIGPROF, lambda signum, frame: os._exit(1))
    signal.setitimer(signal.ITIMER_PROF, seconds)


def full_layout(
    key: str,
    html: str,
    base: Path,
    roots: list[Path],
    locate: Callable[[str], tuple[Path, int | None]] | None = None,
    on_preview: Callable[[bytes], None] | None = None,
    min_pages: int | None = None,
) -> tuple[weasy.Laid, State | None, Parallel]:
    """weasy_incremental.full_layout of `html`, with its second half laid out in parallel where
    `plan` allows: `on_preview` is called with the spliced preview as soon as it is made, which
    Parallel.pdf also holds (None: no preview was made; the message says why)."""
    planned = plan(key, html, min_pages)
    if isinstance(planned, str):
        laid, state = weasy_incremental.full_layout(html, base, roots, locate)
        why = planned.removeprefix(QUIET)
        said = why == planned
        return laid, state, Parallel(None, f"{ONE}: {why}", said)
    old, split = planned
    work = _Speculation(old, split, on_preview or (lambda pdf: None))
    laid = weasy.layout(html, base, roots, locate, render=work.render)
    state, why = work.state(html, laid)
    if state is None:
        log.info("pdf preview: the next edit will be laid out in full (%s)", why)
    result = work.result
    if result.pdf is not None and state is None:  # (paginated twice, or a feature not carried)
        result = Parallel(None, f"{ONE}, again: {why}")
    return laid, state, result
