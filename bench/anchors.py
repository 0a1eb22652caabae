"""Anchor rows (issue 15): how pressroom's PDF compares with an engine written for speed, and
how a long manuscript builds for real.

1. Typst beside WeasyPrint on the same cited text: from one cited AST, pressroom's PDF
   renderer (pandoc's HTML writer, the print page, WeasyPrint's layout and tagged write)
   against pandoc's Typst writer and the `typst` package's compiler (bench-only dependency:
   `pip install -e '.[bench]'`), and watch's incremental preview after a word edit beside
   them. Rounds interleaved in this one process, wall seconds; the pages differ (Typst's
   default template), so seconds per page are shown too.
2. A 300-page manuscript with notes (bench/generate.py), all formats, one cold build for real.
3. The cold full build of the default project vs the bare tools (bench/run.py's measurement).

    python bench/anchors.py [--quick] [--write]
    python bench/anchors.py --cold-only [--rounds N] [--against COMMIT] [--write]

prints the section; `--write` puts it in bench/RESULTS.md in place of the one there.
`--cold-only` measures the third row alone (and with `--write` replaces only its paragraph);
`--against COMMIT` builds that commit's toolkit in the same rounds (the same .venv), so a
change to the build's schedule is a ratio measured in one run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

HEADING = "## Anchors: Typst, a 300-page manuscript, the bare tools"
SCALE_150 = 11.3  # bench/generate.py's factor that gives about 150 pages (bench/weasy_fast.py)
PAGES_300 = 300
# bench/generate.py's factor for about 300 pages: SCALE_150 made 145 pages (12.8 per unit); the
# default paper's own 15 pages include front matter and a bibliography the copies do not repeat.
SCALE_300 = 23.4
COLD_LINE = "Cold full build of the default project vs the bare tools"  # its paragraph
CITATION_META = {"bibliography", "csl", "references", "citation-style"}


@dataclass
class Anchor:
    """WeasyPrint (pressroom's PDF) and Typst on one document, round by round."""

    label: str
    weasy_pages: int = 0
    typst_pages: int = 0
    weasy: list[float] = field(default_factory=list)
    typst: list[float] = field(default_factory=list)
    incremental: list[float] = field(default_factory=list)  # watch's preview after a word edit

    def ratios(self) -> list[float]:
        return [t / w for t, w in zip(self.typst, self.weasy, strict=True)]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _spread(values: list[float], unit: str) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}{unit}"
    return f"{_median(values):.2f}{unit} ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def typst_vs_weasy(label: str, project: Path, rounds: int) -> Anchor:
    """The paper of `project`, cited once, typeset by both engines `rounds` times each."""
    try:
        import typst
    except ImportError:
        sys.exit("bench/anchors.py: Typst is a bench-only dependency: pip install -e '.[bench]'")

    from pressroom import pandoc
    from pressroom.assets import embed_assets
    from pressroom.config import load_project
    from pressroom.documents import Corpus
    from pressroom.errors import Diagnostics
    from pressroom.render import render_document

    loaded = load_project(project)
    cited = embed_assets(Corpus(loaded).cited("paper"), loaded)
    # citeproc has run: the notes and the bibliography are text in the AST; without these
    # keys pandoc's Typst writer would ask Typst to cite again from the library.
    meta = {k: v for k, v in cited.ast["meta"].items() if k not in CITATION_META}
    ast = pandoc.to_json({**cited.ast, "meta": meta})
    source = project / "manuscript" / "paper.typ"  # beside paper.md: its image paths resolve
    out = project / "build" / "paper.typst.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)

    def with_weasy() -> tuple[float, int]:
        start = time.perf_counter()
        (pdf,) = render_document(cited, loaded, {"pdf"}, Diagnostics(loaded.root))
        return time.perf_counter() - start, int(pdf.facts["pages"])  # type: ignore[call-overload]

    def with_typst() -> tuple[float, int]:
        start = time.perf_counter()
        text = subprocess.run(
            [pandoc.binary(), "-f", "json", "-t", "typst-citations", "--standalone"],
            input=ast,
            capture_output=True,
            check=True,
        ).stdout
        source.write_bytes(text)
        typst.compile(str(source), output=str(out), root="/")
        return time.perf_counter() - start, _pages(out)

    with_incremental = _incremental_preview(label, project)
    anchor = Anchor(label)
    sides = ("weasy", "typst", "incremental")
    for i in range(rounds):
        for side in sides[i % 3 :] + sides[: i % 3]:  # each first in turn
            if side == "weasy":
                took, anchor.weasy_pages = with_weasy()
                anchor.weasy.append(took)
            elif side == "typst":
                took, anchor.typst_pages = with_typst()
                anchor.typst.append(took)
            else:
                anchor.incremental.append(with_incremental(i))
    print(
        f"  {label}: WeasyPrint {_spread(anchor.weasy, ' s')} ({anchor.weasy_pages} p), "
        f"incremental {_spread(anchor.incremental, ' s')}, "
        f"Typst {_spread(anchor.typst, ' s')} ({anchor.typst_pages} p)",
        flush=True,
    )
    return anchor


def _incremental_preview(label: str, project: Path) -> Callable[[int], float]:
    """watch's preview after an edit (bench/incremental.py's word edit at the middle of the
    paper, put back the round after), from the print page to the spliced PDF: the incremental
    layout, the untagged write of the pages laid out again, the splice. Wall seconds."""
    from bench.incremental import keep_layout, word
    from bench.weasy_fast import print_html
    from pressroom import weasy_incremental, weasy_lines

    (project / "build" / "paper.pdf").unlink(missing_ok=True)  # so that it is laid out again
    html, base, roots = print_html(project)
    key = f"anchor {label}"
    keep_layout(key, html, base, roots)
    versions = [word(html), html]

    def run(round_: int) -> float:
        weasy_lines.forget_plans()  # as in watch's forked builder
        start = time.perf_counter()
        outcome = weasy_incremental.preview(key, versions[round_ % 2], base, roots)
        took = time.perf_counter() - start
        assert outcome.pdf is not None, outcome.message
        return took

    return run


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


@dataclass
class Long:
    """One cold build of a long manuscript, every format."""

    pages: int
    words: int
    wall: float
    rss: float
    outputs: list[str]


def manuscript_300(work: Path) -> Long:
    from bench.generate import words
    from bench.run import PY, run

    project = generate(SCALE_300, work / "scale-300")
    shutil.rmtree(project / "build", ignore_errors=True)
    wall, rss = run([PY, str(ROOT / "build.py"), "build"], project)
    outputs = sorted(p.name for p in (project / "build").iterdir() if p.is_file())
    text = (project / "manuscript" / "paper.md").read_text("utf-8")
    long = Long(_pages(project / "build" / "paper.pdf"), words(text), wall, rss, outputs)
    print(f"  300 pages: {long.pages} p, {wall:.1f} s, {rss:.0f} MiB", flush=True)
    return long


def measure(work: Path, default: Path, quick: bool) -> dict[str, Any]:
    from bench.run import cold_vs_floor, floor_project, run

    load0 = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    found: dict[str, Any] = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    compiled(ROOT)
    run(["make", "--no-print-directory", "-f", str(ROOT / "Makefile")], default)  # warm-up
    found["anchors"] = [typst_vs_weasy("default paper", default, 1 if quick else 3)]
    if not quick:
        long = generate(SCALE_150, work / "anchor-150")
        found["anchors"].append(typst_vs_weasy("~150 pages", long, 1))
    found["long"] = manuscript_300(work)
    floor = floor_project(default)
    run(["make", "-j2", "-s"], floor)  # warm-up
    found["cold"] = cold_vs_floor(default, floor, 1 if quick else 3)
    found["load"] = (load0, ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return found


def section(found: dict[str, Any]) -> list[str]:
    cold = found["cold"]
    long: Long = found["long"]
    lines = [
        HEADING,
        "",
        f"Measured {found['when']}; load average {found['load'][0]} before, "
        f"{found['load'][1]} after (2 cores shared with other builds: these ratios need a "
        "re-run on a quiet machine).",
        "",
        "Typst typesetting the same cited text: one cited AST; WeasyPrint = pressroom's PDF "
        "renderer (pandoc HTML writer, print page, layout, tagged PDF/UA-1 write); Typst = "
        "pandoc's Typst writer + `typst.compile` (its default template, so other pages). "
        "WeasyPrint-incremental = watch's preview after one word is edited at the middle of "
        "the paper (issue 15 item 3: from the print page, the pages laid out again, written "
        "untagged and spliced into the last preview; pandoc's HTML writer not included). "
        "Interleaved rounds, wall seconds; ratios per round.",
        "",
        "| document | WeasyPrint-full | WeasyPrint-incremental | pages | Typst | pages "
        "| Typst / WeasyPrint-full | Typst / WeasyPrint-incremental "
        "| per page, Typst / WeasyPrint-full |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for a in found["anchors"]:
        per_page = (_median(a.typst) / a.typst_pages) / (_median(a.weasy) / a.weasy_pages)
        to_incremental = [t / i for t, i in zip(a.typst, a.incremental, strict=True)]
        lines.append(
            f"| {a.label} | {_spread(a.weasy, ' s')} | {_spread(a.incremental, ' s')} "
            f"| {a.weasy_pages} | {_spread(a.typst, ' s')} | {a.typst_pages} "
            f"| {_spread(a.ratios(), '×')} | {_spread(to_incremental, '×')} | {per_page:.2f}× |"
        )
    lines += [
        "",
        f"A {PAGES_300}-page manuscript with notes (bench/generate.py), all formats, one cold "
        f"`build.py build`, run for real: **{long.wall:.1f} s**, {long.pages} PDF pages, "
        f"{long.words:,} words, peak {long.rss:.0f} MiB; outputs {', '.join(long.outputs)} "
        "(target: under 20 s, stretch 17 s, on a quiet machine).",
        "",
        f"{COLD_LINE} (make -j2, one pandoc or "
        f"WeasyPrint call per output): ours {cold['ours'].show()}, bare "
        f"{cold['bare'].show()}, ratio **{cold['ratio'].show('×')}** (target ≤ 0.75×).",
    ]
    return lines


def cold_only(work: Path, default: Path, rounds: int, against: str | None) -> str:
    """The third row alone: paired rounds of the bare tools, this toolkit and (`against`) an
    earlier commit's, in turn (each round starts with the next side), each from an empty
    build/; the paragraph that reports them."""
    from bench.run import MAKE, Series, clean_floor, floor_project, run

    load0 = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    sides: dict[str, list[str]] = {"ours": MAKE}
    compiled(ROOT)
    if against:
        sides[against] = _baseline(work, against)
    floor = floor_project(default)
    run(["make", "-j2", "-s"], floor)  # warm-up
    for command in sides.values():
        shutil.rmtree(default / "build", ignore_errors=True)
        run(command, default)
    times = {name: Series() for name in ["bare", *sides]}
    order = list(times)
    for i in range(rounds):
        for name in order[i % len(order) :] + order[: i % len(order)]:
            if name == "bare":
                clean_floor(floor)
                times[name].values.append(run(["make", "-j2", "-s"], floor)[0])
            else:
                shutil.rmtree(default / "build", ignore_errors=True)
                times[name].values.append(run(sides[name], default)[0])
        done = ", ".join(f"{k} {v.values[-1]:.2f} s" for k, v in times.items())
        print(f"  round {i + 1}: {done}", flush=True)
    shutil.rmtree(default / "build", ignore_errors=True)
    run(MAKE, default)

    def ratio(a: str, b: str) -> str:
        pairs = zip(times[a].values, times[b].values, strict=True)
        return Series([x / y for x, y in pairs]).show("×")

    load1 = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    head = _commit("HEAD")
    text = (
        f"{COLD_LINE} (make -j2, one pandoc or WeasyPrint call per output), {rounds} paired "
        f"rounds, commit {head}, load average {load0} before, {load1} after: ours "
        f"{times['ours'].show()}, bare {times['bare'].show()}, ratio "
        f"**{ratio('ours', 'bare')}** (target ≤ 0.75×)."
    )
    if against:
        text += (
            f" In the same rounds, commit {against}'s toolkit: {times[against].show()}, "
            f"{ratio(against, 'bare')} the bare tools; ours / {against} {ratio('ours', against)}."
        )
    return text


def compiled(toolkit: Path) -> None:
    """The toolkit's modules compiled (__pycache__), as pip leaves an installed package and a
    clone's first run leaves its own, so that no build here compiles them from source again:
    where PYTHONDONTWRITEBYTECODE is set (CI, this machine's sessions) every run would, and
    the bare tools' WeasyPrint is compiled (about 0.1 s of a cold start)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(toolkit / "pressroom")], check=True
    )


def _commit(ref: str) -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def _baseline(work: Path, commit: str) -> list[str]:
    """`make` with an earlier commit's toolkit (git archive) and this checkout's .venv."""
    tree = work / f"toolkit-{commit}"
    if not tree.is_dir():
        tree.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    compiled(tree)
    venv = f"VENV={ROOT / '.venv'}"
    return ["make", "--no-print-directory", "-f", str(tree / "Makefile"), venv]


def _option(name: str) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def write_cold_line(results: Path, text: str) -> None:
    """Replace the cold-build paragraph of the anchors' section, leaving the rest as it was."""
    lines = results.read_text("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(COLD_LINE))
    lines[at] = text
    results.write_text("\n".join(lines), "utf-8")


if __name__ == "__main__":
    from bench.run import RESULTS, WORK, default_project, write_section

    WORK.mkdir(parents=True, exist_ok=True)
    if "--cold-only" in sys.argv:
        rounds = int(_option("--rounds") or 5)
        line = cold_only(WORK, default_project(), rounds, _option("--against"))
        print(line)
        if "--write" in sys.argv:
            write_cold_line(RESULTS, line)
        sys.exit(0)
    found = measure(WORK, default_project(), "--quick" in sys.argv)
    lines = section(found)
    print("\n".join(lines))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, lines)
