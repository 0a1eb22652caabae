"""The tagged PDF write (and the layout) with and without four of WeasyPrint's speed patches:
glyphs read in one block when text is drawn (pressroom/weasy_draw.py), Pango layouts copied
from one per font setting (pressroom/weasy_text.py), the normal-flow test in one function
(pressroom/weasy_box.py) and boxes without a background told so early
(pressroom/weasy_backgrounds.py), against the rest of the "fast" group.

One process, the same print HTML as bench/weasy_fast.py. Each round lays out afresh and writes
the tagged PDF/UA-1 once per variant (a write of an already written document finds its fonts'
widths known, so every write gets its own layout), variants interleaved A B, B A, ...; CPU
seconds (`time.process_time`) of the layout and of the write, and the per-round ratio. Every
round checks that the variants give the same note placement and the same PDF, byte for byte.

    python bench/weasy_write.py [--quick] [--write]

`--write` puts the table in bench/RESULTS.md in place of this section's last run.
"""

from __future__ import annotations

import datetime as dt
import gc
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

from bench.weasy_fast import Pair, workloads  # noqa: E402

HEADING = "## The tagged write and the layout: four more speed patches, with and without"
NEW = (  # the patches measured: this session's
    "draw-glyphs-in-one-read",
    "layouts-from-templates",
    "normal-flow-in-one-test",
    "no-background-early",
)


def one(page: tuple[str, Path, list[Path]], new: bool) -> tuple[float, float, Any, bytes]:
    """A fresh layout and its tagged write, with the new patches on or off: (layout s,
    write s, placement, PDF)."""
    from pressroom import weasy, weasy_patch

    weasy_patch.configure(fast=True, without=() if new else NEW)
    html, base, roots = page
    gc.collect()
    start = time.process_time()
    laid = weasy.layout(html, base, roots)
    done = time.process_time()
    pdf = weasy.write(laid.document)
    written = time.process_time()
    if any(w.kind == "pdf.patch-skipped" for w in laid.warnings):
        raise SystemExit(f"bench: a patch was skipped: {laid.warnings}")
    return done - start, written - done, weasy.placement(laid.document), pdf


def measure_one(label: str, page: tuple[str, Path, list[Path]], rounds: int) -> Pair:
    """Rounds of one print page; Pair's False is without the new patches, True with."""
    from pressroom import weasy_patch

    pair = Pair(label)
    for r in range(rounds):
        runs = {}
        for new in (False, True) if r % 2 == 0 else (True, False):
            runs[new] = one(page, new)
            pair.layout[new].append(runs[new][0])
            pair.write[new].append(runs[new][1])
        pair.identical.append(runs[False][2:] == runs[True][2:])
        pair.pages = len(runs[True][2].last_block)
        print(
            f"  {label}, round {r + 1}: write {runs[False][1]:.2f} -> {runs[True][1]:.2f} s, "
            f"layout {runs[False][0]:.2f} -> {runs[True][0]:.2f} s, "
            f"identical: {pair.identical[-1]}",
            flush=True,
        )
    weasy_patch.configure()
    return pair


def measure(work: Path, default: Path, quick: bool) -> list[Pair]:
    """The default paper (a copy of the repository's project) and ~150 pages."""
    from pressroom import weasy

    weasy.PDF_TIMEOUT = 0  # no time limit: a busy machine must not stop the measurement
    load = f"{os.getloadavg()[0]:.1f}"
    start = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    small, big = workloads(work, default, "write-default")
    pairs = [
        measure_one("default paper", small, 1 if quick else 5),
        measure_one("~150 pages", big, 1 if quick else 3),
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


def section(pairs: list[Pair]) -> list[str]:
    """The section of RESULTS.md."""
    lines = [
        HEADING,
        "",
        "pressroom/weasy_draw.py (a line's glyphs read from Pango in one block, each glyph's "
        "piece of the TJ array formatted once per font and size), pressroom/weasy_text.py "
        "(Pango layouts copied from one made per font setting), pressroom/weasy_box.py "
        "(the normal-flow test in one function) and pressroom/weasy_backgrounds.py (no "
        "background, told early), against the rest of the "
        '"fast" group as it stood before them (bench/weasy_write.py). One process, the same '
        "print HTML; each round lays out afresh and writes the tagged PDF/UA-1 once per "
        "variant, interleaved; CPU seconds (median, min–max) and the per-round ratio with / "
        "without. Identical = same note placement and the same PDF bytes in every round.",
        "",
        f"Measured {pairs[0].when if pairs else ''}.",
        "",
        "| document | write without | write with | ratio | layout without | layout with "
        "| ratio | identical |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in pairs:
        lines.append(
            f"| {p.label} ({p.pages} p) | {_spread(p.write[False], ' s')} "
            f"| {_spread(p.write[True], ' s')} | {_spread(p.ratios('write'))} "
            f"| {_spread(p.layout[False], ' s')} | {_spread(p.layout[True], ' s')} "
            f"| {_spread(p.ratios('layout'))} | {'yes' if all(p.identical) else '**no**'} |"
        )
    return lines


if __name__ == "__main__":
    from bench.run import RESULTS, WORK, default_project, write_section

    WORK.mkdir(parents=True, exist_ok=True)
    found = measure(WORK, default_project(), "--quick" in sys.argv)
    lines = section(found)
    print("\n".join(lines))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, lines)
