"""Line breaking in the benchmark: layout time with the total-fit breaker against WeasyPrint's
own first fit, in one process and one run, and the copy editor's figures of each PDF.

The print HTML of a document is captured once (from a real build); then rounds alternate
first fit and total fit over the same HTML, timing WeasyPrint's layout in CPU seconds of this
process (the machine is shared: CPU time is steadier than the wall clock), the garbage of
the layout before collected first. The first round warms WeasyPrint's caches (fonts) and is
not counted; each later round times first fit, total fit as a fresh build (every word
measured and every paragraph planned again), and total fit as a watch session's later build
(word widths known). The ratio reported is the median of the rounds' paired ratios (total
fit / first fit of the same round), with their range.

    python bench/linebreak.py PROJECT [ROUNDS]     # prints the section of bench/RESULTS.md
    python bench/linebreak.py [--quick] [--write]  # the default paper and ~150 pages

`--write` puts the section in bench/RESULTS.md in place of the one `make bench` last wrote
there (`make bench` writes the whole file, this section included).
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def capture(project: Path, name: str = "paper") -> tuple[str, Path, list[Path]]:
    """Build the document's PDF once, in this process, and keep what WeasyPrint was asked to
    lay out."""
    from pressroom import pipeline, weasy
    from pressroom.config import load_project
    from pressroom.errors import Diagnostics

    seen: list[tuple[str, Path, list[Path]]] = []
    real = weasy.layout

    def layout(html: str, base: Path, roots: list[Path], *rest: Any, **kw: Any) -> Any:
        seen.append((html, base, roots))
        return real(html, base, roots, *rest, **kw)

    loaded = load_project(project)
    request = pipeline.Request(targets=frozenset({f"{name}.pdf"}), parallel=False)
    weasy.layout = layout  # type: ignore[assignment]
    try:
        pipeline.build(loaded, request, Diagnostics(loaded.root, echo=False))
    finally:
        weasy.layout = real  # type: ignore[assignment]
    if not seen:
        raise SystemExit(f"{project}: {name}.pdf was not laid out (up to date? remove build/)")
    return seen[0]


def compare(html: str, base: Path, roots: list[Path], rounds: int) -> dict[str, Any]:
    """Layout CPU time of first fit and total fit, alternating, and each PDF's figures.
    Total fit is timed twice a round: as a fresh build (`make`, one process per build)
    pays for it, every word measured again, and as a watch session's later builds do, the
    words' widths known from the build before (paragraphs planned again either way)."""
    from pressroom import weasy, weasy_lines
    from tests.typography import measure

    times: dict[str, list[float]] = {"first fit": [], "total fit": [], "total fit, warm": []}
    figures: dict[str, Any] = {}
    modes = list(times)
    for round_ in range(rounds + 1):  # round 0 warms fonts and WeasyPrint's own caches
        # The order turns every round: no mode always runs first after the warm-up or last.
        for mode in modes if round_ % 2 == 0 else modes[::-1]:
            if mode == "first fit":
                weasy_lines.uninstall()
            else:
                weasy_lines.install()
                weasy_lines.forget_plans() if mode.endswith("warm") else weasy_lines.forget_widths()
            gc.collect()  # the layout before, and its garbage, are gone before timing
            start = time.process_time()
            document = weasy.layout(html, base, roots).document
            spent = time.process_time() - start
            if round_:
                times[mode].append(spent)
            elif mode != "total fit, warm":
                with tempfile.TemporaryDirectory() as tmp:
                    pdf = Path(tmp) / "out.pdf"
                    pdf.write_bytes(weasy.write(document))
                    figures[mode] = measure(pdf)
                    figures[mode + " pages"] = len(document.pages)
            del document
    weasy_lines.install()
    ratios = [t / f for t, f in zip(times["total fit"], times["first fit"], strict=True)]
    warm = [t / f for t, f in zip(times["total fit, warm"], times["first fit"], strict=True)]
    return {
        "times": times,
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "figures": figures,
        "warm": statistics.median(warm),
        "warm_ratios": warm,
    }


def rows(label: str, result: dict[str, Any]) -> list[str]:
    """Markdown table rows: one per breaker."""
    out = []
    for mode in ("first fit", "total fit"):
        rep = result["figures"][mode]
        body, notes = rep.body, rep.notes
        t = result["times"][mode]
        out.append(
            f"| {label} | {mode} | {result['figures'][mode + ' pages']} | "
            f"{statistics.median(t):.2f} s (n={len(t)}) | "
            f"{100 * body.hyphen_share:.1f}% ({body.hyphenated}/{body.lines}) | "
            f"{max(body.ladder, notes.ladder)} | {len(rep.page_turns)} | "
            f"{body.loose + notes.loose} | {body.half_words + notes.half_words} | "
            f"{body.calls_at_start} |"
        )
    return out


TARGET = 1.15  # issue 13: layout time at most +15%


def target_rows(results: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str, str, str]]:
    """Rows for the results table: layout time, and the figures, against their targets."""
    out = []
    for label, result in results:
        rep = result["figures"]["total fit"]
        figures_ok = (
            rep.body.hyphen_share <= 0.08
            and max(rep.body.ladder, rep.notes.ladder) <= 2
            and not rep.page_turns
            and rep.body.loose + rep.notes.loose <= 3
            and rep.body.half_words + rep.notes.half_words == 0
            and rep.body.calls_at_start == 0
        )
        ratio = result["ratio"]
        out.append(
            (
                f"PDF layout with total-fit line breaking / WeasyPrint's first fit, {label}, "
                "same process, CPU",
                f"{ratio:.2f}× (n={len(result['ratios'])})",
                f"≤ {TARGET:.2f}×",
                "met" if ratio <= TARGET else "**not met**",
            )
        )
        out.append(
            (
                f"Line breaking of {label}: hyphenated body lines, ladders, page turns, loose, "
                "half-word lines, calls at a line's start",
                f"{100 * rep.body.hyphen_share:.1f}%, {max(rep.body.ladder, rep.notes.ladder)}, "
                f"{len(rep.page_turns)}, {rep.body.loose + rep.notes.loose}, "
                f"{rep.body.half_words + rep.notes.half_words}, {rep.body.calls_at_start}",
                "≤ 8%, ≤ 2, 0, ≤ 3, 0, 0",
                "met" if figures_ok else "**not met**",
            )
        )
    return out


HEADING = "## Line breaking (bench/linebreak.py)"


def section(results: list[tuple[str, dict[str, Any]]], when: str = "") -> list[str]:
    lines = [
        f"{HEADING}: total fit against WeasyPrint's first fit",
        "",
        *([when, ""] if when else []),
        "Same print HTML, one process, rounds alternating; layout CPU time (median), and the "
        "figures of tests/typography.py on each PDF. Targets (issue 13): at most 8% of body "
        "lines hyphenated, no ladder of 3, no word divided across a page, at most 3 loose "
        "lines (mean word space above 0.40 em), no half-word line, no note call at a line's "
        "start; layout time at most +15%.",
        "",
        "| manuscript | breaker | pages | layout | body lines hyphenated | longest ladder | "
        "divided at a page turn | loose | half-word | call at line start |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, result in results:
        lines += rows(label, result)
    lines.append("")
    for label, result in results:
        ratios = ", ".join(f"{r:.2f}" for r in result["ratios"])
        warm = ", ".join(f"{r:.2f}" for r in result["warm_ratios"])
        lines.append(
            f"- {label}: layout time ratio, total fit / first fit, as a fresh build (every "
            f"word measured) {result['ratio']:.2f}× (median of {len(result['ratios'])} "
            f"paired rounds, {_span(result['ratios'])}: {ratios}; the fastest layouts' ratio "
            f"{_fastest(result, 'total fit'):.2f}×); in a watch session's later builds (word "
            f"widths known) {result['warm']:.2f}× ({_span(result['warm_ratios'])}: {warm}; "
            f"fastest {_fastest(result, 'total fit, warm'):.2f}×)."
        )
    return lines


PAPER_ROUNDS = 11  # timed rounds (after one not timed): the paper lays out in about 1.5 s
LONG_ROUNDS = 3  # ~150 pages: about 17 s a layout, three layouts a round


def _span(values: list[float]) -> str:
    return f"range {min(values):.2f}-{max(values):.2f}"


def _fastest(result: dict[str, Any], mode: str) -> float:
    """The fastest total-fit layout over the fastest first-fit one: a second estimate, the
    least disturbed by other processes (a round slowed by them is never the fastest)."""
    return min(result["times"][mode]) / min(result["times"]["first fit"])


def measure_all(work: Path, default: Path, quick: bool) -> list[tuple[str, dict[str, Any]]]:
    """The default paper (`default`, a copy of the repository's project) and ~150 pages."""
    import shutil

    from bench.generate import generate
    from bench.weasy_fast import SCALE_150
    from pressroom import weasy

    weasy.PDF_TIMEOUT = 0  # no time limit: a busy machine must not stop the measurement
    paper = work / "lines-default"
    shutil.rmtree(paper, ignore_errors=True)
    shutil.copytree(default, paper, ignore=shutil.ignore_patterns("build"))
    big = generate(SCALE_150, work / "lines-150")
    shutil.rmtree(big / "build", ignore_errors=True)
    out = []
    for label, project, rounds in (
        ("default paper", paper, 1 if quick else PAPER_ROUNDS),
        ("~150 pages", big, 1 if quick else LONG_ROUNDS),
    ):
        html, base, roots = capture(project)
        out.append((label, compare(html, base, roots, rounds)))
    return out


def stamp(load: str) -> str:
    """When and where a measurement was made: date, commit, load average before and after."""
    import datetime as dt
    import os
    import subprocess

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"Measured {now}, commit {commit}, load average {load} before and {after} after "
        "(2 cores shared with other builds: CPU seconds of this process, ratios paired "
        "per round)."
    )


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1].startswith("--"):
        return both()
    project = Path(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    from pressroom import weasy

    weasy.PDF_TIMEOUT = 0
    html, base, roots = capture(project)
    print("\n".join(section([(project.name, compare(html, base, roots, rounds))])))
    return 0


def both() -> int:
    """The default paper and ~150 pages, as `make bench` measures them; --write puts the
    section in bench/RESULTS.md."""
    import os

    from bench.run import RESULTS, WORK, default_project, write_section

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    WORK.mkdir(parents=True, exist_ok=True)
    found = measure_all(WORK, default_project(), "--quick" in sys.argv)
    lines = [
        *section(found, stamp(load)),
        "",
        *(f"- {a}: {b} (target {c}) {d}" for a, b, c, d in target_rows(found)),
    ]
    print("\n".join(lines))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
