"""watch's incremental preview PDF (pressroom/weasy_incremental.py) against a full PDF of the
same edited document, in one process (WeasyPrint imported once), as bench/weasy_fast.py does.

Each round edits one word of the paragraph at the middle of the paper (and the next round
puts it back), so every round starts from the state the round before left, as successive
edits in watch do. For each edit, the incremental preview (prepare the boxes, lay out the
pages from the restart page until the layout is in step, write them untagged, splice) and
the full PDF of the same print HTML are timed in alternating order; the full PDF is given
both as watch made its preview before (layout + untagged write) and as `build` makes the
final PDF (layout + tagged write). Line plans are dropped before each (a forked builder
starts without them). Ratios are per round, of CPU time (`time.process_time`).

    python bench/incremental.py [--quick] [--write] [--watch | --watch-only] [--first-page]
                                [--against DIR]

`--watch` adds the end-to-end figure (`--watch-only`: only it): the watch process
(bench/run.py's edit_watch) with an edit of a sentence at the middle of paper.md, edit saved ->
preview PDF on disk, wall clock, with and without PRESSROOM_INCREMENTAL in alternating
sessions, and with `--against DIR` (a checkout of an earlier commit, its .venv beside it: `git
worktree add DIR COMMIT; ln -s $PWD/.venv DIR/.venv`) that commit's watch as a baseline.
`--first-page` edits the introduction's first paragraph instead (bench/run.py's own edit, on
page 1: laid out again from the document's start), in a section of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import re
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
from bench.weasy_fast import SCALE_150, print_html  # noqa: E402

# Issue 15: edit one paragraph -> new PDF in the watch process, against a full PDF build.
TARGETS = {"default paper": 0.4, "~150 pages": 0.25}
HEADING = "## Incremental preview in watch"
WATCH_HEADING = "## Edit saved -> preview PDF in the watch process, end to end"
# (not WATCH_HEADING's words first: RESULTS.md's sections are found by their heading's text)
FIRST_PAGE_HEADING = "## An edit on the first page saved -> preview PDF in the watch process"


@dataclass
class Rounds:
    """One document's rounds: CPU seconds of each variant, and what each preview laid out."""

    label: str
    pages: int = 0
    incremental: list[float] = field(default_factory=list)
    preview: list[float] = field(default_factory=list)  # full layout + untagged write
    build: list[float] = field(default_factory=list)  # full layout + tagged write
    wall: list[float] = field(default_factory=list)  # the incremental preview, wall clock
    laid: list[str] = field(default_factory=list)
    same: list[bool] = field(default_factory=list)  # as many pages as the full PDF

    def ratios(self, against: list[float]) -> list[float]:
        return [i / f for i, f in zip(self.incremental, against, strict=True)]


def word(html: str) -> str:
    """One word changed in the paragraph at the middle of the page."""
    paragraphs = list(re.finditer(r'<p data-b="\d+">', html))
    at = html.index(" the ", paragraphs[len(paragraphs) // 2].end())
    return html[:at] + " a " + html[at + 5 :]


def _pages(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as opened:
        return len(opened.pages)


def keep_layout(key: str, html: str, base: Path, roots: list[Path]) -> Any:
    """A full layout of `html` and its preview, kept under `key` as watch keeps its last
    preview's (the state the next incremental preview starts from)."""
    from pressroom import weasy, weasy_incremental

    laid, state = weasy_incremental.full_layout(html, base, roots)
    assert state is not None, f"{key}: the layout cannot be restarted"
    state.pdf = weasy.write(laid.document, preview=True)
    weasy_incremental.keep(key, state)
    return state


def measure_one(label: str, project: Path, rounds: int) -> Rounds:
    from pressroom import weasy, weasy_incremental, weasy_lines

    html, base, roots = print_html(project)
    state = keep_layout(label, html, base, roots)
    result = Rounds(label, state.pages)
    versions = [word(html), html]
    for r in range(rounds):
        new = versions[r % 2]
        for incremental in (True, False) if r % 2 == 0 else (False, True):
            weasy_lines.forget_plans()
            cpu, wall = time.process_time(), time.perf_counter()
            if incremental:
                outcome = weasy_incremental.preview(label, new, base, roots)
                assert outcome.pdf is not None, outcome.message
                result.incremental.append(time.process_time() - cpu)
                result.wall.append(time.perf_counter() - wall)
                result.laid.append(outcome.message.split(" (")[0])
                spliced = outcome.pdf
            else:
                document = weasy.layout(new, base, roots).document
                full = weasy.write(document, preview=True)
                result.preview.append(time.process_time() - cpu)
                middle = time.process_time()
                weasy.write(document)
                result.build.append(result.preview[-1] + time.process_time() - middle)
        result.same.append(_pages(spliced) == _pages(full))
        print(
            f"  {label}, round {r + 1}: incremental {result.incremental[-1]:.2f} s CPU "
            f"({result.wall[-1]:.2f} s wall; {result.laid[-1]}), full preview "
            f"{result.preview[-1]:.2f} s, full build {result.build[-1]:.2f} s",
            flush=True,
        )
    return result


def measure(work: Path, default: Path, quick: bool) -> list[Rounds]:
    """The default paper (`default`, a copy of the repository's project) and ~150 pages."""
    from pressroom import weasy

    weasy.PDF_TIMEOUT = 0  # no time limit: a busy machine must not stop the measurement
    paper = work / "incremental-default"
    shutil.rmtree(paper, ignore_errors=True)
    shutil.copytree(default, paper, ignore=shutil.ignore_patterns("build"))
    found = [measure_one("default paper", paper, 2 if quick else 5)]
    if not quick:
        found.append(measure_one("~150 pages", generate(SCALE_150, work / "scale-150"), 2))
    return found


MIDDLE = "Washington was also developing conventional programs"  # a paragraph of paper.md's
# middle, on page 8 of 15


# The end-to-end variants: (label, incremental preview on, the checkout that runs watch: None
# for this one, else --against's).
Variant = tuple[str, bool, "Path | None"]


def watch_variants(against: Path | None) -> list[Variant]:
    variants: list[Variant] = [
        ("incremental", True, None),
        ("PRESSROOM_INCREMENTAL=0", False, None),
    ]
    if against is not None:
        variants.append((f"before ({short_commit(against)})", True, against))
    return variants


def watch_end_to_end(
    project: Path, runs: int, against: Path | None = None, first_page: bool = False
) -> dict[str, dict[str, list[float]]]:
    """Edit saved -> paper.pdf rewritten (the preview) and paper.docx rewritten in the watch
    process, wall seconds, per variant, in sessions taken in turn (twice each); `against`, a
    checkout of an earlier commit with its own .venv, runs its own watch as one more variant;
    `first_page`: bench/run.py's edit of the introduction's first paragraph, not the middle's."""
    from bench import run as bench

    class Middle(bench.Edit):
        ANCHOR = MIDDLE

        def __call__(self) -> None:
            self.count += 1
            edited = MIDDLE.replace("Washington", f"Washington (edit {self.count})")
            self.path.write_text(self.original.replace(MIDDLE, edited, 1), "utf-8")

    variants = watch_variants(against)
    found: dict[str, dict[str, list[float]]] = {v[0]: {"pdf": [], "docx": []} for v in variants}
    before = os.environ.get("PRESSROOM_INCREMENTAL")
    edit, root, py = bench.Edit, bench.ROOT, bench.PY
    if not first_page:
        bench.Edit = Middle  # type: ignore[misc]
    try:
        for label, on, checkout in variants + variants:
            os.environ["PRESSROOM_INCREMENTAL"] = "1" if on else "0"
            bench.ROOT = checkout or root
            bench.PY = str((checkout or root) / ".venv" / "bin" / "python")
            series = bench.edit_watch(project, runs)
            for fmt in ("pdf", "docx"):
                found[label][fmt] += series[fmt].values
            print(f"  {label}: preview PDF {series['pdf'].values}, DOCX {series['docx'].values}")
    finally:
        bench.Edit, bench.ROOT, bench.PY = edit, root, py  # type: ignore[misc]
        if before is None:
            os.environ.pop("PRESSROOM_INCREMENTAL", None)
        else:
            os.environ["PRESSROOM_INCREMENTAL"] = before
    return found


def watch_lines(
    found: dict[str, dict[str, list[float]]], when: str, first_page: bool = False
) -> list[str]:
    labels = list(found)
    base = statistics.median(found[labels[-1]]["pdf"])
    rows = [
        f"| {label} | {_spread(f['pdf'], ' s')} | {statistics.median(f['pdf']) / base:.2f}× "
        f"| {_spread(f['docx'], ' s')} |"
        for label, f in found.items()
    ]
    where = (
        "the introduction's first paragraph (page 1) edited"
        if first_page
        else "a sentence of the paragraph at the middle of paper.md edited"
    )
    option = " --first-page" if first_page else ""
    return [
        FIRST_PAGE_HEADING if first_page else WATCH_HEADING,
        "",
        f"The watch process (`python bench/incremental.py --watch{option} [--against DIR]`): "
        f"{where}, saved -> the preview PDF "
        "on disk (and the DOCX), wall clock, sessions of each variant taken in turn; the ratio is "
        f"of medians, to the last row (target: under 0.8 s on a quiet machine; load average "
        f"{os.getloadavg()[0]:.1f} at the end). *before* is watch at an earlier commit (its own "
        "checkout), the same edits.",
        "",
        f"Measured {when}.",
        "",
        "| watch | edit saved -> preview PDF | ratio | edit saved -> DOCX |",
        "|---|---|---|---|",
        *rows,
    ]


def short_commit(checkout: Path) -> str:
    """The short hash of `checkout`'s HEAD."""
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True, text=True
    ).stdout.strip()


def _spread(values: list[float], unit: str = "×") -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}{unit} (1 round)"
    return f"{med:.2f}{unit} ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def section(found: list[Rounds], when: str) -> list[str]:
    """The section of RESULTS.md."""
    lines = [
        f"{HEADING} (pressroom/weasy_incremental.py)",
        "",
        "One word edited in the paragraph at the middle of the paper, then put back, round after "
        "round: the new preview PDF laid out again from the page before the edit and spliced into "
        "the last one, against a full PDF of the same print HTML, in one process, alternating; "
        "CPU seconds (median, min–max) and the per-round ratio. *Full preview* is what watch "
        "drafted before (layout + untagged write); *full build* is a `build`'s PDF (layout + "
        "tagged write). Both exclude the HTML and pandoc steps before the layout, the same for "
        "both. The self-check of the pages is tests/test_incremental_layout.py; here, the page "
        "count is compared.",
        "",
        f"Measured {when}.",
        "",
        "| document | incremental | full preview | full build | ratio to full build "
        "| ratio to full preview | target | laid out again |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in found:
        ratio = statistics.median(r.ratios(r.build))
        target = TARGETS.get(r.label)
        verdict = "" if target is None else ("met" if ratio <= target else "**not met**")
        lines.append(
            f"| {r.label} ({r.pages} p) | {_spread(r.incremental, ' s')} "
            f"| {_spread(r.preview, ' s')} | {_spread(r.build, ' s')} "
            f"| {_spread(r.ratios(r.build))} | {_spread(r.ratios(r.preview))} "
            f"| ≤ {target:.2f}×: {verdict} | {r.laid[0]}"
            f"{'' if all(r.same) else '; **page counts differ**'} |"
        )
    return lines


def when() -> str:
    commit = short_commit(ROOT)
    start = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{start}, commit {commit}, load average {os.getloadavg()[0]:.1f} at the start"


if __name__ == "__main__":
    from bench.run import RESULTS, WORK, default_project, write_section

    WORK.mkdir(parents=True, exist_ok=True)
    started = when()
    default = default_project()
    quick = "--quick" in sys.argv
    if "--watch-only" not in sys.argv:
        lines = section(measure(WORK, default, quick), started)
        print("\n".join(lines))
        if "--write" in sys.argv:
            write_section(RESULTS, HEADING, lines)
    if "--watch" in sys.argv or "--watch-only" in sys.argv:
        at = sys.argv.index("--against") + 1 if "--against" in sys.argv else 0
        first_page = "--first-page" in sys.argv
        against = Path(sys.argv[at]) if at else None
        lines = watch_lines(watch_end_to_end(default, 3, against, first_page), started, first_page)
        print("\n".join(lines))
        if "--write" in sys.argv:
            write_section(RESULTS, lines[0], lines)
