"""WeasyPrint with and without pressroom's speed patches (pressroom/weasy_patch.py, group "fast"):
the note-area memo, the note-scan fix, the page_references cache and the GC tuning.

Both variants lay out and write the same print HTML in this one process (WeasyPrint imported
once), interleaved A B, B A, ...; each round gives the ratio fast / plain of CPU time
(`time.process_time`), for the layout and for the write. Every round also checks that the two
give the same note placement and the same PDF, byte for byte. Each variant starts from a
collected heap, so that neither pays for the other's garbage. As in a build (the command line's
process, which ends with os._exit), the fast variant's layout and write leave their objects to
the process's end (weasy_patch.quiet_gc); the bench collects them between variants, untimed.
The ~150-page manuscript is measured twice: with total-fit line breaking (issue 13, on by
default, the same cost in both variants) and without it, as issue 15's "today" was measured.

    python bench/weasy_fast.py [--quick] [--write]

prints the table; `--write` puts it in bench/RESULTS.md in place of the section `make bench`
last wrote there (`make bench` writes the whole file, this section included).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
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

# Targets of issue 15: layout with real footnotes at most this share of the plain layout.
NO_BREAKER = "~150 pages, WeasyPrint's line breaking"
TARGETS = {"default paper": 0.75, "~150 pages": 0.45, NO_BREAKER: 0.45}
SCALE_150 = 11.3  # bench/generate.py's factor that gives about 150 pages


@dataclass
class Pair:
    """Rounds of one document: CPU seconds per variant, and whether the outputs were equal."""

    label: str
    pages: int = 0
    layout: dict[bool, list[float]] = field(default_factory=lambda: {False: [], True: []})
    write: dict[bool, list[float]] = field(default_factory=lambda: {False: [], True: []})
    identical: list[bool] = field(default_factory=list)
    when: str = ""  # date, commit and load average of the run

    def ratios(self, part: str) -> list[float]:
        times = getattr(self, part)
        return [f / p for p, f in zip(times[False], times[True], strict=True)]


def print_html(project: Path) -> tuple[str, Path, list[Path]]:
    """The print HTML pressroom lays out for the project's paper.pdf (its last layout pass)."""
    from pressroom import weasy
    from pressroom.cli import main

    seen: dict[str, Any] = {}
    real = weasy.layout

    def capture(html: str, base: Path, roots: list[Path], *args: Any, **kwargs: Any) -> Any:
        seen.update(html=html, base=base, roots=roots)
        return real(html, base, roots, *args, **kwargs)

    weasy.layout = capture  # type: ignore[assignment]
    try:
        main.main(
            args=["--project", str(project), "build", "paper.pdf"],
            prog_name="build.py",
            standalone_mode=False,
        )
    finally:
        weasy.layout = real  # type: ignore[assignment]
    return seen["html"], seen["base"], seen["roots"]


def one(html: str, base: Path, roots: list[Path], fast: bool) -> tuple[float, float, Any, bytes]:
    """Lay out and write once with the fast patches on or off: (layout s, write s, placement,
    PDF)."""
    from pressroom import weasy, weasy_patch

    weasy_patch.configure(fast=fast)
    weasy_patch.collect_left()  # each variant from a collected heap, as a build's process
    start = time.process_time()
    laid = weasy.layout(html, base, roots)
    done = time.process_time()
    pdf = weasy.write(laid.document)
    written = time.process_time()
    if any(w.kind == "pdf.patch-skipped" for w in laid.warnings):
        raise SystemExit(f"bench: a patch was skipped: {laid.warnings}")
    return done - start, written - done, weasy.placement(laid.document), pdf


def measure_one(
    label: str, page: tuple[str, Path, list[Path]], rounds: int, breaker: bool = True
) -> Pair:
    """Rounds of one print page, with total-fit line breaking (`breaker`) or WeasyPrint's own."""
    from pressroom import weasy_lines

    html, base, roots = page
    breaking = weasy_lines._enabled  # put back after
    if not breaker:
        weasy_lines.uninstall()
    pair = Pair(label)
    for r in range(rounds):
        runs = {}
        for fast in (False, True) if r % 2 == 0 else (True, False):
            runs[fast] = one(html, base, roots, fast)
            pair.layout[fast].append(runs[fast][0])
            pair.write[fast].append(runs[fast][1])
        pair.identical.append(runs[False][2:] == runs[True][2:])
        pair.pages = len(runs[True][2].last_block)
        print(
            f"  {label}, round {r + 1}: layout {runs[False][0]:.2f} -> {runs[True][0]:.2f} s, "
            f"write {runs[False][1]:.2f} -> {runs[True][1]:.2f} s, "
            f"identical: {pair.identical[-1]}",
            flush=True,
        )
    from pressroom import weasy_patch

    weasy_patch.configure()
    if breaking:
        weasy_lines.install()
    return pair


def workloads(
    work: Path, default: Path, copy: str
) -> tuple[tuple[str, Path, list[Path]], tuple[str, Path, list[Path]]]:
    """The print HTML of the default paper (a copy of `default` in work/`copy`) and of ~150
    pages (bench/generate.py), as the benches of WeasyPrint lay them out."""
    paper = work / copy
    shutil.rmtree(paper, ignore_errors=True)
    shutil.copytree(default, paper, ignore=shutil.ignore_patterns("build"))
    return print_html(paper), print_html(generate(SCALE_150, work / "scale-150"))


def measure(work: Path, default: Path, quick: bool) -> list[Pair]:
    """The default paper (`default`, a copy of the repository's project) and ~150 pages."""
    from pressroom import process, weasy

    weasy.PDF_TIMEOUT = 0  # no time limit: a busy machine must not stop the measurement
    process.ends_with_command = True  # as in a build: the layout's objects left to the exit
    load = f"{os.getloadavg()[0]:.1f}"
    start = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    small, big = workloads(work, default, "fast-default")
    pairs = [
        measure_one("default paper", small, 1 if quick else 5),
        measure_one("~150 pages", big, 1 if quick else 3),
        measure_one(NO_BREAKER, big, 1 if quick else 3, breaker=False),
    ]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    pairs[0].when = (
        f"{start}, commit {commit}, load average {load} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    return pairs


def _spread(values: list[float], unit: str = "×") -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}{unit} (1 round)"
    return f"{med:.2f}{unit} ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def rows(pairs: list[Pair]) -> list[tuple[str, str, str, str]]:
    """Rows for the results table: the layout ratio against its target."""
    out = []
    for p in pairs:
        ratio = statistics.median(p.ratios("layout"))
        target = TARGETS.get(p.label)
        ok = "" if target is None else ("met" if ratio <= target else "**not met**")
        out.append(
            (
                f"PDF layout with the speed patches / without, {p.label} ({p.pages} p), "
                "same process, CPU",
                _spread(p.ratios("layout")) + ("" if all(p.identical) else "; **PDFs differ**"),
                "" if target is None else f"≤ {target:.2f}×",
                ok,
            )
        )
    return out


def section(pairs: list[Pair]) -> list[str]:
    """The section of RESULTS.md: seconds and ratios for layout and write."""
    lines = [
        f"{HEADING} (pressroom/weasy_patch.py), with and without",
        "",
        "One process, the same print HTML, variants interleaved; CPU seconds (median, min–max) "
        "and the per-round ratio with / without. `PRESSROOM_WEASYPRINT_FAST=0` is the baseline "
        "(WeasyPrint with pressroom's notes patch only). Identical = same note placement and "
        "the same PDF bytes in every round. *WeasyPrint's line breaking*: total-fit breaking "
        "(issue 13) off in both variants, as issue 15's baseline was measured. With it the "
        "ratio is lower, not diluted: the plain layout lays each note out again several times "
        "and pays the breaker's planning each time. As in a build, the fast variant leaves the "
        "layout's and the write's objects to the process's end, which frees them without a "
        "collection (os._exit): the bench collects them between variants, untimed. "
        "CPU-time ratios move with the machine's "
        "load (research/"
        "review/performance.md §0): compare rounds of one run, not runs.",
        "",
        f"Measured {pairs[0].when if pairs else ''}.",
        "",
        "| document | layout without | layout with | ratio | write without | write with "
        "| ratio | identical |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in pairs:
        lines.append(
            f"| {p.label} ({p.pages} p) | {_spread(p.layout[False], ' s')} "
            f"| {_spread(p.layout[True], ' s')} | {_spread(p.ratios('layout'))} "
            f"| {_spread(p.write[False], ' s')} | {_spread(p.write[True], ' s')} "
            f"| {_spread(p.ratios('write'))} | {'yes' if all(p.identical) else '**no**'} |"
        )
    return lines


HEADING = "## WeasyPrint's speed patches"


if __name__ == "__main__":
    from bench.run import RESULTS, WORK, default_project, write_section

    WORK.mkdir(parents=True, exist_ok=True)
    found = measure(WORK, default_project(), "--quick" in sys.argv)
    lines = [*section(found), "", *(f"- {a}: {b} (target {c}) {d}" for a, b, c, d in rows(found))]
    print("\n".join(lines))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, lines)
