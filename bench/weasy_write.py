"""The tagged PDF write with and without this session's write patches: each page's content
stream compressed on a worker thread while the next pages are drawn
(pressroom/weasy_deflate.py), and a long write's second half drawn by a forked child
(pressroom/weasy_paint.py, at 40 pages or more; PRESSROOM_PARALLEL=1 here, so the child is
forked whatever the load and the parent waits for its pages), against the rest of the "fast"
group.

One process, the print HTML of the default paper, ~150 pages and ~300 pages
(bench/generate.py). Each round lays the page out once and writes the tagged PDF/UA-1 once per
variant, interleaved A B, B A, ...; before each write the document's fonts are emptied, so that
every write starts as a first write does (no glyph widths known). The patches move work onto
other threads and another process, so three clocks: wall seconds (`time.perf_counter`, what a
build waits for: it depends on the machine's load, given in the table), the CPU seconds of
the drawing thread (`time.thread_time`: the write's critical path when a second core is free)
and all CPU seconds spent (`time.process_time` of every thread, and the child's). Every
round checks that the variants give the same PDF, byte for byte.

    python bench/weasy_write.py [--quick] [--write]

`--quick` is one round of the default paper and of ~150 pages; `--write` puts the table in
bench/RESULTS.md in place of this section's last run.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.weasy_fast import print_html, workloads  # noqa: E402

HEADING = "## The tagged write: pages compressed while drawn, the second half in a child"
NEW = (  # the patches measured: this session's
    "deflate-while-drawing",
    "deflated-stream-data",
    "split-write-pages",
    "split-write-pages-taken",
)
SCALE_300 = 23.4  # bench/anchors.py's factor for about 300 pages
CLOCKS = ("wall", "thread", "cpu")


@dataclass
class Rounds:
    """Rounds of one document: seconds per clock and variant (False: without the new patches),
    and whether the two PDFs were equal."""

    label: str
    pages: int = 0
    times: dict[tuple[str, bool], list[float]] = field(default_factory=dict)
    identical: list[bool] = field(default_factory=list)
    when: str = ""

    def add(self, new: bool, found: dict[str, float]) -> None:
        for clock in CLOCKS:
            self.times.setdefault((clock, new), []).append(found[clock])

    def ratios(self, clock: str) -> list[float]:
        return [
            n / o for o, n in zip(self.times[clock, False], self.times[clock, True], strict=True)
        ]


def _all_cpu() -> float:
    """CPU seconds of this process's threads and of its children reaped so far."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def write_once(document: Any, new: bool) -> tuple[dict[str, float], bytes]:
    """One tagged write of a laid-out document, as a first write: (seconds per clock, PDF)."""
    from pressroom import weasy, weasy_patch

    weasy_patch.configure(fast=True, without=() if new else NEW)
    document.fonts.clear()  # no widths, Unicode maps or glyph pieces kept from the last write
    gc.collect()
    wall, thread, cpu = time.perf_counter(), time.thread_time(), _all_cpu()
    pdf = weasy.write(document)
    found = {
        "wall": time.perf_counter() - wall,
        "thread": time.thread_time() - thread,
        "cpu": _all_cpu() - cpu,
    }
    return found, pdf


def measure_one(label: str, page: tuple[str, Path, list[Path]], rounds: int) -> Rounds:
    """Rounds of one print page: a fresh layout each round, written once per variant."""
    from pressroom import weasy, weasy_patch

    result = Rounds(label)
    for r in range(rounds):
        weasy_patch.configure(fast=True)
        laid = weasy.layout(*page)
        if any(w.kind == "pdf.patch-skipped" for w in laid.warnings):
            raise SystemExit(f"bench: a patch was skipped: {laid.warnings}")
        result.pages = len(laid.document.pages)
        pdfs = {}
        for new in (False, True) if r % 2 == 0 else (True, False):
            found, pdfs[new] = write_once(laid.document, new)
            result.add(new, found)
        result.identical.append(pdfs[False] == pdfs[True])
        print(
            f"  {label}, round {r + 1}: wall {result.times['wall', False][-1]:.2f} -> "
            f"{result.times['wall', True][-1]:.2f} s, drawing thread "
            f"{result.times['thread', False][-1]:.2f} -> {result.times['thread', True][-1]:.2f} s,"
            f" identical: {result.identical[-1]}",
            flush=True,
        )
    weasy_patch.configure()
    return result


def measure(work: Path, default: Path, quick: bool) -> list[Rounds]:
    """The default paper (a copy of the repository's project), ~150 and ~300 pages."""
    from pressroom import weasy

    weasy.PDF_TIMEOUT = 0  # no time limit: a busy machine must not stop the measurement
    switch = os.environ.get("PRESSROOM_PARALLEL")
    os.environ["PRESSROOM_PARALLEL"] = "1"  # the child forked whatever the load (see above)
    try:
        found = _measure(work, default, quick)
    finally:
        if switch is None:
            os.environ.pop("PRESSROOM_PARALLEL", None)
        else:
            os.environ["PRESSROOM_PARALLEL"] = switch
    return found


def _measure(work: Path, default: Path, quick: bool) -> list[Rounds]:
    load = f"{os.getloadavg()[0]:.1f}"
    start = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    small, big = workloads(work, default, "write-default")
    found = [
        measure_one("default paper", small, 1 if quick else 5),
        measure_one("~150 pages", big, 1 if quick else 3),
    ]
    if not quick:
        longest = print_html(generate(SCALE_300, work / "scale-300"))
        found.append(measure_one("~300 pages", longest, 2))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    found[0].when = (
        f"{start}, commit {commit}, load average {load} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end (2 cores)"
    )
    return found


def _spread(values: list[float], unit: str = "×") -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}{unit} (1 round)"
    return f"{med:.2f}{unit} ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def section(found: list[Rounds]) -> list[str]:
    """The section of RESULTS.md."""
    lines = [
        HEADING,
        "",
        "pressroom/weasy_deflate.py (each page's content stream compressed on a worker thread "
        "once the page is painted, while the next pages are drawn) and pressroom/weasy_paint.py "
        "(from 40 pages, the second half drawn by a forked child; forced on here, "
        "PRESSROOM_PARALLEL=1) against the rest of the "
        '"fast" group (bench/weasy_write.py). One process, the same print HTML; each round '
        "lays out once and writes the tagged PDF/UA-1 once per variant, interleaved, every "
        "write a first write (the document's fonts emptied before it). Seconds (median, "
        "min–max) and the per-round ratio with / without, on three clocks: wall (what the "
        "build waits for; depends on the load), the drawing thread's CPU (the write's "
        "critical path when a second core is free) and all CPU (every thread and the child). "
        "Identical = the same PDF bytes in every round.",
        "",
        f"Measured {found[0].when if found else ''}.",
        "",
        "| document | wall without | wall with | ratio | drawing thread without "
        "| drawing thread with | ratio | all CPU ratio | identical |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in found:
        lines.append(
            f"| {r.label} ({r.pages} p) | {_spread(r.times['wall', False], ' s')} "
            f"| {_spread(r.times['wall', True], ' s')} | {_spread(r.ratios('wall'))} "
            f"| {_spread(r.times['thread', False], ' s')} "
            f"| {_spread(r.times['thread', True], ' s')} | {_spread(r.ratios('thread'))} "
            f"| {_spread(r.ratios('cpu'))} | {'yes' if all(r.identical) else '**no**'} |"
        )
    return lines


if __name__ == "__main__":
    from bench.run import RESULTS, WORK, default_project, write_section

    WORK.mkdir(parents=True, exist_ok=True)
    measured = measure(WORK, default_project(), "--quick" in sys.argv)
    lines = section(measured)
    print("\n".join(lines))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, lines)
