"""The schedule of a build on two cores: the largest document (a cold build's critical path:
the paper's cite, then its PDF's layout) read first, in this process, while WeasyPrint is
imported beside it; then two forked workers (parallel.py), which inherit both, render it at once
and read and render the rest, so that no document waits for another it does not read.

    lead      the largest stale document is cited here (pandoc runs; WeasyPrint is imported
              meanwhile, its patches applied, and, if the cite still runs, the page templates
              compiled and the language's hyphenation read), then the workers are forked: the
              first free one lays out its PDF, the other writes its other formats (their
              pandoc writers off the PDF's core)
    queue     the other stale documents, the largest first
    read      a free worker cites the next one and sends back its citations (not its AST)
    re-plan   a document gone stale through a read (a citation index it reads) is queued
    render    the worker that read a document renders it at once, from the AST it holds
    report    once every document is read: the library's summary, then each document's
              warnings and outputs, in the order they were finished (as a serial build does)

A document whose Jinja asks for citations not read yet (cited_in) is put back until they are,
and the one it waits for is queued first; under --strict every document is read before any is
rendered (a warning stops the build before anything is written). On an error the workers stop
at once, and the caller reads again in its own process, in document order, so that a read
error is reported as a serial build reports it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import freshness, parallel
from .documents import Corpus, Waiting
from .errors import BuildWarning, Diagnostics, PressroomError
from .model import Cited
from .progress import Listener

EVERY = -1  # held_by: a document read before the workers were forked

# Render one cited document in a worker: (corpus, name, formats, diagnostics).
Render = Callable[[Corpus, str, set[str], Diagnostics], None]


@dataclass(frozen=True)
class Task:
    """What a worker is asked: read `name` (unless it holds it), then render `formats`."""

    name: str
    formats: frozenset[str]
    read: bool
    known: dict[str, Cited]  # documents read elsewhere, by citations only


@dataclass
class Schedule:
    """The parent's view of the build: what is queued, read, waiting and held by whom."""

    plan: freshness.Plan
    targets: frozenset[str] | None
    progress: Listener | None
    hold: bool  # every document read before any is rendered (--strict)
    queue: list[str] = field(default_factory=list)
    queued: set[str] = field(default_factory=set)  # ever queued
    held_by: dict[str, int] = field(default_factory=dict)  # read, by worker
    waiting: dict[str, str] = field(default_factory=dict)  # a document -> the one it needs
    # read, to render where read (EVERY: read before the fork, held by every worker)
    renders: dict[int, list[tuple[str, frozenset[str]]]] = field(default_factory=dict)
    sent: dict[int, set[str]] = field(default_factory=dict)  # citations each worker has
    reports: list[tuple[str, frozenset[str], list[BuildWarning]]] = field(default_factory=list)
    summarised: bool = False

    def add(self, name: str, first: bool = False) -> None:
        if name in self.queued:
            return
        self.queued.add(name)
        self.queue.insert(0, name) if first else self.queue.append(name)

    def started(self, name: str, formats: frozenset[str] | None = None) -> None:
        if self.progress is not None:
            for fmt in sorted(self.plan.stale.get(name, ()) if formats is None else formats):
                self.progress.started(name, fmt)

    def render(self, worker: int, name: str) -> None:
        """Render `name` where it is held. One read before the fork is held by both workers:
        its PDF (the critical path) goes to the first free one, and its other formats'
        pandoc writers to the next, rather than beside the PDF's own writer."""
        formats = frozenset(self.plan.stale.get(name, ()))
        parts = [formats]
        if worker == EVERY and "pdf" in formats and len(formats) > 1:
            parts = [frozenset({"pdf"}), formats - {"pdf"}]
        self.renders.setdefault(worker, []).extend((name, part) for part in parts)

    def all_read(self) -> bool:
        return all(n in self.held_by for n in self.queued)

    def next_task(self, worker: int, corpus: Corpus) -> Task | None:
        """A free worker's next task: a document it holds to render, else the next queued."""
        pinned = self.renders.get(worker) or self.renders.get(EVERY, [])
        if pinned and (not self.hold or self.summarised):
            name, formats = pinned.pop(0)
            self.started(name, formats)
            return Task(name, formats, False, {})
        if not self.queue:
            return None
        name = self.queue.pop(0)
        sent = self.sent.setdefault(worker, set())
        known = {n: c for n, c in corpus.read().items() if n not in sent}
        sent.update(known)
        if self.progress is not None:
            self.progress.reading(name)
        formats = frozenset() if self.hold else frozenset(self.plan.stale.get(name, ()))
        return Task(name, formats, True, known)


def run(
    corpus: Corpus,
    plan: freshness.Plan,
    targets: frozenset[str] | None,
    progress: Listener | None,
    diagnostics: Diagnostics,
    render: Render,
    summary: Callable[[], None],
    finished: Callable[[str, frozenset[str]], None],
    sizes: Callable[[str], int],
) -> None:
    """Read and render every stale document of `plan` (which grows with what the reads make
    stale) on the workers, the largest (`sizes`) first; `summary` is called once every
    document is read, and `finished(name, formats)` as outputs are reported."""
    s = Schedule(plan, targets, progress, hold=diagnostics.strict)
    order = sorted(plan.stale, key=lambda n: -sizes(n))
    lead = next(n for n in order if "pdf" in plan.stale[n])
    if progress is not None:
        progress.reading(lead)
    _read_lead(corpus, lead)
    for name in corpus.read():  # the lead, and any document it read the citations of
        s.queued.add(name)
        _received(s, corpus, EVERY, ("read", name, corpus.read()[name]))
    for name in order:
        s.add(name)
    workers = parallel.Workers(_handler(corpus, render, diagnostics.strict))
    s.sent = {w: set(corpus.read()) for w in range(len(workers.pipes))}  # they inherit them
    try:
        idle = list(range(len(workers.pipes)))
        while True:
            idle = _dispatch(s, workers, idle, corpus)
            if len(idle) == len(workers.pipes) and not s.queue and not any(s.renders.values()):
                assert not s.waiting, f"documents left waiting: {s.waiting}"
                break
            worker, message = workers.receive()
            if message[0] == "free":
                idle.append(worker)
            elif message[0] == "error":
                raise message[1]
            else:
                _received(s, corpus, worker, message)
            if not s.summarised and s.all_read() and not s.waiting:
                s.summarised = True
                summary()
            if s.summarised:
                _report(s, diagnostics, finished)
    except BaseException:
        workers.stop()
        raise
    workers.close()
    _report(s, diagnostics, finished)


def _read_lead(corpus: Corpus, name: str) -> None:
    """Cite `name` on a thread (its pandoc is another process) while this one imports the
    renderers and WeasyPrint (0.4 s), which the workers then inherit; no thread is left when
    they are forked (a lock held by a thread at a fork stays held in the child)."""
    failed: list[BaseException] = []

    def read() -> None:
        try:
            corpus.cited(name)
        except BaseException as exc:  # raised below, in this thread
            failed.append(exc)

    reading = threading.Thread(target=read, daemon=True)
    reading.start()
    parallel.import_renderers()
    if reading.is_alive():  # time to spare: what every worker's first page needs (0.1 s)
        parallel.prepare_pages(corpus.project)
    reading.join()
    if failed:
        raise failed[0]


def _dispatch(s: Schedule, workers: parallel.Workers, idle: list[int], corpus: Corpus) -> list[int]:
    """Give each idle worker its next task; those left without one stay idle."""
    still: list[int] = []
    for worker in idle:
        task = s.next_task(worker, corpus)
        if task is None:
            still.append(worker)
        else:
            workers.send(worker, task)
    return still


def _received(s: Schedule, corpus: Corpus, worker: int, message: tuple[str, str, Any]) -> None:
    kind, name, value = message
    if kind == "read":
        corpus.adopt({name: value})
        s.held_by[name] = worker
        if worker != EVERY and not s.hold:
            s.started(name)  # the worker that read it renders it now
        elif s.plan.stale.get(name):
            s.render(worker, name)
        for waiter in [w for w, d in s.waiting.items() if d == name]:
            del s.waiting[waiter]
            s.queued.discard(waiter)
            s.add(waiter, first=True)
        _replan(s, corpus, worker)
    elif kind == "wait":
        s.queued.discard(name)
        if value in s.held_by:  # read meanwhile
            s.add(name, first=True)
            return
        s.waiting[name] = value
        if _circle(s.waiting, name):
            # Reported as a serial build reports it: the caller reads again, in order.
            raise PressroomError("documents read each other's citations in a circle")
        s.queued.add(name)
        s.add(value, first=True)
    elif kind == "done":
        formats, warnings = value
        s.reports.append((name, formats, warnings))


def _replan(s: Schedule, corpus: Corpus, worker: int) -> None:
    """A document whose inputs changed through this read (a citation index) joins the plan;
    one read already, as another's dependency, is rendered where it is held."""
    more = freshness.plan(corpus.project, s.targets, skip=set(s.plan.stale))
    s.plan.add(more)
    for name in more.stale:
        if name in s.held_by:
            s.render(s.held_by[name], name)
        else:
            s.add(name)


def _circle(waiting: dict[str, str], start: str) -> bool:
    seen = {start}
    name = waiting[start]
    while name in waiting:
        if name in seen:
            return True
        seen.add(name)
        name = waiting[name]
    return name in seen


def _report(
    s: Schedule, diagnostics: Diagnostics, finished: Callable[[str, frozenset[str]], None]
) -> None:
    for name, formats, warnings in s.reports:
        for w in warnings:
            diagnostics.warn(w.message, w.kind, w.path, w.line)
        finished(name, formats)
    s.reports.clear()


def _handler(corpus: Corpus, render: Render, strict: bool) -> parallel.Handler:
    """What a worker does with a Task (it runs in the forked child, on its copy of `corpus`)."""

    def handle(task: Task, send: Callable[[object], None]) -> None:
        corpus.defer = True  # the child's copy: the schedule reads what a document reads
        corpus.adopt(task.known)
        if task.read:
            try:
                cited = corpus.cited(task.name)
            except Waiting as waiting:
                send(("wait", task.name, waiting.name))
                return
            send(("read", task.name, dataclasses.replace(cited, ast={})))
        if task.formats:
            diagnostics = Diagnostics(echo=False, strict=strict)
            render(corpus, task.name, set(task.formats), diagnostics)
            send(("done", task.name, (task.formats, diagnostics.warnings)))

    return handle
