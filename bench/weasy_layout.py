"""The layout's style, strut and used-length patches (pressroom/weasy_style.py, weasy_strut.py,
weasy_percent.py) at 15, ~150 and ~300 pages: three variants of WeasyPrint's layout in one
process, the same print HTML, interleaved in a rotating order:

- *plain*: `PRESSROOM_WEASYPRINT_FAST=0` (WeasyPrint with pressroom's notes and line patches);
- *before*: the "fast" group without these patches (what the group was before them);
- *after*: the whole "fast" group.

Each round gives the CPU-time ratios after / plain (issue 15's measure), before / plain and
after / before, and checks that the three place every note and end every page alike. Layout
only: the PDF bytes are compared by tests/test_weasy_layout_fast.py and bench/weasy_fast.py.

    python bench/weasy_layout.py [--quick] [--write]
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.anchors import SCALE_300  # noqa: E402
from bench.generate import generate  # noqa: E402
from bench.weasy_fast import SCALE_150, print_html  # noqa: E402

HEADING = "## The layout's style, strut and used-length patches"
VARIANTS = ("plain", "before", "after")


def these_patches() -> tuple[str, ...]:
    """The names of the patches this bench switches off for *before*."""
    from pressroom import weasy_patch

    return tuple(
        p.name
        for p in weasy_patch.REGISTRY
        if p.name in ("uncascaded-values-copied", "strut-kept-on-style")
        or p.name.startswith("percentages-in-one-loop")
    )


def one(page: tuple[str, Path, list[Path]], variant: str) -> tuple[float, Any]:
    """One layout in `variant`: (CPU seconds, note placement)."""
    from pressroom import weasy, weasy_patch

    if variant == "plain":
        weasy_patch.configure(fast=False)
    else:
        weasy_patch.configure(fast=True, without=these_patches() if variant == "before" else ())
    weasy_patch.collect_left()  # each variant from a collected heap, as a build's process
    start = time.process_time()
    laid = weasy.layout(*page)
    spent = time.process_time() - start
    if any(w.kind == "pdf.patch-skipped" for w in laid.warnings):
        raise SystemExit(f"bench: a patch was skipped: {laid.warnings}")
    return spent, weasy.placement(laid.document)


def measure_one(label: str, page: tuple[str, Path, list[Path]], rounds: int) -> dict[str, Any]:
    """Rounds of one print page: seconds per variant, pages, and whether all agreed."""
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    same, pages = [], 0
    for r in range(rounds):
        order = VARIANTS[r % 3 :] + VARIANTS[: r % 3]
        placed = {}
        for variant in order:
            spent, placed[variant] = one(page, variant)
            times[variant].append(spent)
        same.append(placed["plain"] == placed["before"] == placed["after"])
        pages = len(placed["after"].last_block)
        print(
            f"  {label}, round {r + 1}: "
            + ", ".join(f"{v} {times[v][-1]:.2f} s" for v in VARIANTS)
            + f", same placement: {same[-1]}",
            flush=True,
        )
    from pressroom import weasy_patch

    weasy_patch.configure()
    return {"label": label, "pages": pages, "times": times, "same": all(same)}


def _ratio(row: dict[str, Any], top: str, bottom: str) -> list[float]:
    return [a / b for a, b in zip(row["times"][top], row["times"][bottom], strict=True)]


def _spread(values: list[float], unit: str = "×") -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}{unit} (1 round)"
    return f"{med:.2f}{unit} ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def section(found: list[dict[str, Any]], when: str) -> list[str]:
    lines = [
        HEADING,
        "",
        "bench/weasy_layout.py: WeasyPrint's layout (parse, cascade, boxes, pages) of the same "
        "print HTML in one process, three variants interleaved in a rotating order: *plain* "
        "(`PRESSROOM_WEASYPRINT_FAST=0`), *before* (the fast group without "
        "`uncascaded-values-copied`, `strut-kept-on-style` and `percentages-in-one-loop`; "
        "the layout-template keeping of weasy_text.py is not separable and is in both), "
        "*after* (the whole fast group). CPU seconds (median, min–max) and per-round ratios. "
        "Same = the same note placement and page ends in all three, every round.",
        "",
        f"Measured {when}.",
        "",
        "| document | plain | before | after | after / plain | before / plain "
        "| after / before | same |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in found:
        t = row["times"]
        lines.append(
            f"| {row['label']} ({row['pages']} p) | {_spread(t['plain'], ' s')} "
            f"| {_spread(t['before'], ' s')} | {_spread(t['after'], ' s')} "
            f"| {_spread(_ratio(row, 'after', 'plain'))} "
            f"| {_spread(_ratio(row, 'before', 'plain'))} "
            f"| {_spread(_ratio(row, 'after', 'before'))} | {'yes' if row['same'] else '**no**'} |"
        )
    return lines


def main() -> None:
    from bench.run import RESULTS, WORK, default_project, write_section
    from bench.weasy_fast import workloads
    from pressroom import process, weasy

    quick = "--quick" in sys.argv
    weasy.PDF_TIMEOUT = 0  # no time limit: a busy machine must not stop the measurement
    process.ends_with_command = True  # as in a build: the layout's objects left to the exit
    WORK.mkdir(parents=True, exist_ok=True)
    small, big = workloads(WORK, default_project(), "layout-default")
    longest = print_html(generate(SCALE_300, WORK / "scale-300"))
    load = f"{os.getloadavg()[0]:.1f}"
    start = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    found = [
        measure_one("default paper", small, 1 if quick else 5),
        measure_one(f"~150 pages (scale {SCALE_150})", big, 1 if quick else 5),
        measure_one(f"~300 pages (scale {SCALE_300})", longest, 1 if quick else 5),
    ]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    when = (
        f"{start}, commit {commit}, load average {load} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    lines = section(found, when)
    print("\n".join(lines))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, lines)


if __name__ == "__main__":
    main()
