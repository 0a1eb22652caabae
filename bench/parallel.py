"""watch's preview of a long document laid out in full, by one process against two
(pressroom/weasy_parallel.py), in one run, rounds alternating: wall clock, and the CPU seconds on
the longer path to the preview (the wall time with a core each).

The document is bench/generate.py's ~150 pages. Each round lays out the print HTML with a
rule added to its stylesheet, or taken out again (the page's head changed: the incremental
preview refuses, and watch lays the preview out in full), and one word of its first paragraph
edited, or put back, starting from the state the round before left, as successive edits in
watch do. *One process* is what watch did before:
the whole layout, then the untagged preview written. *Two processes* is weasy_parallel's full
layout with PRESSROOM_PARALLEL=1 (no check for a free core; the child's pages waited for): the
preview is ready when the spliced PDF is drafted; the final tagged write can start when the
parent's whole layout is done (one process: after its preview write). Line plans are dropped
before each layout (a forked builder starts without them). Each round checks that the spliced
preview has the same text on every page as the one-process preview (pdftotext).

    python bench/parallel.py [--quick] [--write]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.incremental import when  # noqa: E402
from bench.weasy_fast import SCALE_150, print_html  # noqa: E402

HEADING = "## A long preview laid out in full on two cores"
KEY = "bench-parallel"


@dataclass
class Rounds:
    """Wall seconds per round: to the preview, and to the start of the tagged write."""

    pages: int = 0
    one: list[float] = field(default_factory=list)  # one process: layout + preview write
    two: list[float] = field(default_factory=list)  # two processes: to the spliced preview
    two_done: list[float] = field(default_factory=list)  # two processes: the whole layout
    said: list[str] = field(default_factory=list)
    same: list[bool] = field(default_factory=list)
    one_cpu: list[float] = field(default_factory=list)  # one process: CPU seconds to the preview
    two_cpu: list[float] = field(default_factory=list)  # two: CPU on the longer path (below)
    loads: list[float] = field(default_factory=list)  # load average (1 min) at each round

    def ratios(self) -> list[float]:
        return [t / o for t, o in zip(self.two, self.one, strict=True)]

    def cpu_ratios(self) -> list[float]:
        return [t / o for t, o in zip(self.two_cpu, self.one_cpu, strict=True)]


def edited(html: str) -> str:
    """A stylesheet rule more (the print colour of paragraphs), and one word added to the first
    paragraph of the text (on the first page)."""
    at = html.index(">", html.index("<p data-b=")) + 1
    html = html[:at] + "Indeed, " + html[at:]
    return html.replace("</head>", "<style>p { color: #222; }</style>\n</head>", 1)


def _one(html: str, base: Path, roots: list[Path]) -> tuple[float, float, bytes]:
    """Wall and CPU seconds to the preview, laid out and written by one process; the PDF."""
    from pressroom import weasy, weasy_incremental

    started, cpu = time.perf_counter(), time.process_time()
    laid, state = weasy_incremental.full_layout(html, base, roots)
    pdf = weasy.write(laid.document, preview=True)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    if state is not None:
        state.pdf = pdf
        weasy_incremental.keep(KEY, state)
    return took, cpu, pdf


def _path(result: Any, cpu: float) -> float:
    """The CPU seconds on the longer of the two paths to the spliced preview (`cpu`: the
    parent's at the start): the parent's to its pages before the split written, or the parent's
    to the fork and then the child's; then the splice. With a core each, that is the wall time
    to the preview."""
    times = result.cpu
    first, child = times["first"] - cpu, times["fork"] - cpu + times["child"]
    return max(first, child) + times["splice"]


def _two(
    html: str, base: Path, roots: list[Path]
) -> tuple[float, float, float, bytes | None, str]:
    """Wall seconds to the preview and to the whole layout, the CPU path (`_path`), the
    spliced PDF and what was said."""
    from pressroom import weasy, weasy_parallel

    started, cpu = time.perf_counter(), time.process_time()
    ready: list[float] = []
    laid, state, result = weasy_parallel.full_layout(
        KEY, html, base, roots, on_preview=lambda pdf: ready.append(time.perf_counter())
    )
    done = time.perf_counter() - started
    pdf = result.pdf
    if pdf is None:  # refused: the preview is the whole layout's, as without this module
        pdf = weasy.write(laid.document, preview=True)
        ready.append(time.perf_counter())
    if state is not None:
        state.pdf = pdf
        from pressroom import weasy_incremental

        weasy_incremental.keep(KEY, state)
    path = _path(result, cpu) if result.pdf is not None else float("nan")
    return ready[0] - started, done, path, result.pdf, result.message


def _text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            ["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def measure(work: Path, quick: bool) -> Rounds:
    """~150 pages, 3 rounds (1 with `quick`), laid out with PRESSROOM_PARALLEL=1."""
    was = os.environ.get("PRESSROOM_PARALLEL")
    os.environ["PRESSROOM_PARALLEL"] = "1"
    try:
        return _rounds(work, quick)
    finally:
        if was is None:
            os.environ.pop("PRESSROOM_PARALLEL")
        else:
            os.environ["PRESSROOM_PARALLEL"] = was


def _rounds(work: Path, quick: bool) -> Rounds:
    from pressroom import weasy, weasy_lines

    weasy.PDF_TIMEOUT = 0  # no time limit: a busy machine must not stop the measurement
    html, base, roots = print_html(generate(SCALE_150, work / "scale-150"))
    versions = [edited(html), html]
    weasy_lines.forget_plans()
    _one(html, base, roots)  # the state the first round starts from
    result = Rounds()
    for r in range(1 if quick else 3):
        new = versions[r % 2]
        result.loads.append(os.getloadavg()[0])
        spliced, whole = None, b""
        for two in (True, False) if r % 2 == 0 else (False, True):
            weasy_lines.forget_plans()
            if two:
                ready, done, path, spliced, said = _two(new, base, roots)
                result.two.append(ready)
                result.two_done.append(done)
                result.two_cpu.append(path)
                result.said.append(said.split(" (")[0])
            else:
                took, cpu, whole = _one(new, base, roots)
                result.one.append(took)
                result.one_cpu.append(cpu)
        result.same.append(spliced is not None and _text(spliced) == _text(whole))
        result.pages = _text(whole).count("\f")
        print(
            f"  round {r + 1}: two processes {result.two[-1]:.2f} s to the preview "
            f"({result.two_done[-1]:.2f} s to the whole layout; {result.said[-1]}), one "
            f"{result.one[-1]:.2f} s; CPU path {result.two_cpu[-1]:.2f} s against "
            f"{result.one_cpu[-1]:.2f} s; load {result.loads[-1]:.1f}",
            flush=True,
        )
    return result


def _spread(values: list[float], unit: str) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}{unit} (1 round)"
    return f"{med:.2f}{unit} ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def section(found: Rounds, started: str) -> list[str]:
    """The section of RESULTS.md."""
    same = "identical" if all(found.same) else "**differs**"
    return [
        f"{HEADING} (pressroom/weasy_parallel.py)",
        "",
        "bench/generate.py's ~150 pages, a stylesheet rule and a word of the first paragraph "
        "added (or taken out) round after round: the page's head changed, so that watch lays the "
        "preview out in full; in one process, the two "
        "variants alternating, each round starting from the state the one before left. *One "
        "process*: the whole layout and the untagged preview written (what watch did before). "
        "*Two processes*: the second half laid out by a forked child from the last layout's "
        "state at the middle page, checked there, spliced with pikepdf (PRESSROOM_PARALLEL=1: "
        "no check for a free core). *Wall*: edit laid out -> preview, as measured; the 2 cores "
        "are shared with other work (load average at each round below), and with another "
        "process on the second core the child runs no sooner than the parent (§4.1: 0.80×), "
        "which is why watch asks for a free core first (weasy_parallel.core_free). *CPU path*: "
        "the CPU seconds of the longer of the two paths to the preview (the parent's to its "
        "pages before the split written; the parent's to the fork, then the child's; then the "
        "splice), against one process's CPU to its preview: the wall time with a core each, "
        "as on a quiet machine. *Whole layout*: when the tagged write can start (one process: "
        "after its preview, the first column).",
        "",
        f"Measured {started}; load average at the rounds "
        f"{', '.join(f'{x:.1f}' for x in found.loads)}, {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| document | one process: wall | two processes: wall | ratio, wall (two / one) "
        "| one process: CPU | two processes: CPU path | ratio, CPU path (two / one) "
        "| two processes: whole layout, wall "
        "| text, every page | split |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| ~150 pages ({found.pages} p) | {_spread(found.one, ' s')} "
        f"| {_spread(found.two, ' s')} | {_spread(found.ratios(), '×')} "
        f"| {_spread(found.one_cpu, ' s')} | {_spread(found.two_cpu, ' s')} "
        f"| {_spread(found.cpu_ratios(), '×')} "
        f"| {_spread(found.two_done, ' s')} | {same} | {found.said[0]} |",
    ]


if __name__ == "__main__":
    from bench.run import RESULTS, WORK, write_section

    WORK.mkdir(parents=True, exist_ok=True)
    started = when()
    lines = section(measure(WORK, "--quick" in sys.argv), started)
    print("\n".join(lines))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, lines)
