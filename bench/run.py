"""The benchmark (`make bench`): measures this machine in one run and writes bench/RESULTS.md.

1. cold full build of the default project vs the bare tools (pandoc + WeasyPrint, make -j2);
2. no-op `make`;  3. one paragraph of paper.md edited, through `make` and the watch process;
4. scaling: synthetic manuscripts (bench/generate.py) of about 10, 50 and 200 pages;
5. WeasyPrint with and without pressroom's speed patches, in one process (bench/weasy_fast.py),
   the tagged write with and without its pages compressed while drawn and its second half
   drawn by a child (bench/weasy_write.py);
   the pandoc steps against their code at an earlier commit (bench/pandoc_steps.py);
   watch's incremental preview against a full PDF, in one process (bench/incremental.py);
   a long preview laid out in full by one process and by two (bench/parallel.py).
6. Line breaking, first fit against total fit, with its figures (bench/linebreak.py).
7. Anchors: Typst on the same cited text, a 300-page manuscript for real (bench/anchors.py).

Medians of several runs, with min and max; the work happens in bench/work/ (gitignored).
`--quick` takes one run of each and skips the 200-page manuscript (for trying the script).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import anchors, incremental, pandoc_steps, weasy_fast, weasy_write  # noqa: E402
from bench import linebreak as lines_bench  # noqa: E402
from bench import parallel as parallel_bench  # noqa: E402
from bench.generate import generate, words  # noqa: E402

WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "RESULTS.md"
PY = str(ROOT / ".venv" / "bin" / "python")
MAKE = ["make", "--no-print-directory", "-f", str(ROOT / "Makefile")]
FORMATS = ("html", "docx", "pdf")
MANUBOT = (4.7, 5.0)  # research/performance.md: Manubot on the same paper, HTML + PDF + DOCX


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Series:
    """Several runs of one measurement, in seconds (or MiB)."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
        v = [x * scale for x in self.values]
        med = statistics.median(v)
        if len(v) == 1:
            return f"{med:.{digits}f} {unit} (1 run)"
        return f"{med:.{digits}f} {unit} ({min(v):.{digits}f}–{max(v):.{digits}f}, n={len(v)})"


# Started between the bench and the command: Linux keeps a process's peak RSS across fork and
# exec, so a command forked from this (by then large) process would report this process's peak
# as its own. Forked from this small one instead, it reports its own; written to argv[1].
_PEAK = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execvp(sys.argv[2], sys.argv[2:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MiB of its largest process)."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        # wait4's maxrss covers the command and every descendant it waited for (pandoc).
        proc = subprocess.run(
            [sys.executable, "-c", _PEAK, peak.name, *cmd],
            cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
        )
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed in {cwd}:\n{err.read().decode()}")
        kilobytes = int(peak.read() or 0)
    return wall, kilobytes / 1024


def mtimes(build: Path, name: str) -> dict[str, int]:
    out = {}
    for fmt in FORMATS:
        try:
            out[fmt] = (build / f"{name}.{fmt}").stat().st_mtime_ns
        except OSError:
            out[fmt] = 0
    return out


def until_new(build: Path, before: dict[str, int], start: float, limit: float = 300) -> dict:
    """Poll until each of the paper's outputs is newer than `before`; seconds per format."""
    seen: dict[str, float] = {}
    while len(seen) < len(FORMATS):
        now = mtimes(build, "paper")
        for fmt in FORMATS:
            if fmt not in seen and now[fmt] != before[fmt]:
                seen[fmt] = time.perf_counter() - start
        if time.perf_counter() - start > limit:
            raise RuntimeError(f"outputs not rebuilt within {limit} s: {seen}")
        time.sleep(0.005)
    return seen


class Edit:
    """One paragraph of paper.md changed, differently each time."""

    ANCHOR = "In 1988 the governments of Japan and the United States"

    def __init__(self, project: Path) -> None:
        self.path = project / "manuscript" / "paper.md"
        self.original = self.path.read_text("utf-8")
        assert self.ANCHOR in self.original, "the benchmark's edit anchor left paper.md"
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        edited = f"In 1988 (edit {self.count}) the governments of Japan and the United States"
        self.path.write_text(self.original.replace(self.ANCHOR, edited, 1), "utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, "utf-8")


# --- the projects ----------------------------------------------------------------------------


def default_project() -> Path:
    """The repository's project: its files that git tracks (not a colleague's new draft)."""
    target = WORK / "default"
    shutil.rmtree(target, ignore_errors=True)
    tracked = subprocess.run(
        ["git", "ls-files", "manuscript", "references", "templates"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in tracked:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def floor_project(project: Path) -> Path:
    """The default documents as plain Markdown (after Jinja), and a Makefile that makes each
    output with one pandoc call, and each PDF with one WeasyPrint call: no toolkit."""
    from pressroom import pandoc
    from pressroom.assemble import assemble
    from pressroom.config import TOOLKIT_TEMPLATES, load_document, load_project
    from pressroom.documents import Corpus
    from pressroom.jinja_globals import source_globals

    target = WORK / "floor"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    loaded = load_project(project)
    corpus = Corpus(loaded)
    outputs = []
    for name in loaded.documents:
        corpus.cited(name)  # its citation index, which a later document's Jinja may read
        doc = load_document(loaded, name)
        reads: set[Path] = set()
        assembled = assemble(doc, loaded, source_globals(doc, corpus, reads), reads)
        (target / f"{name}.md").write_text(assembled.markdown, "utf-8")
        outputs += [f"{name}.{f}" for f in sorted(doc.formats, key=("pdf", "html", "docx").index)]
    shutil.copy(TOOLKIT_TEMPLATES / "print.css", target / "print.css")
    cite = (
        f"--citeproc --csl {corpus.style} --bibliography {project}/references/library.yaml "
        "-M title=Benchmark"
    )
    (target / "Makefile").write_text(
        f"""# The floor: the bare tools, one call per output (bench/run.py writes this file).
P := {pandoc.binary()}
W := {ROOT}/.venv/bin/weasyprint
all: {" ".join(outputs)}
%.html: %.md
\t$(P) $< -s -t html5 {cite} -o $@
%.docx: %.md
\t$(P) $< {cite} --reference-doc {TOOLKIT_TEMPLATES}/reference.docx -o $@
%.print.html: %.md
\t$(P) $< -s -t html5 --wrap=none -M document-css=false --css print.css {cite} -o $@
%.pdf: %.print.html
\t$(W) $< $@
""",
        "utf-8",
    )
    return target


def clean_floor(floor: Path) -> None:
    for p in floor.iterdir():
        if p.suffix in (".pdf", ".docx") or p.name.endswith(".html"):
            p.unlink()


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


# --- the measurements ------------------------------------------------------------------------


def cold_vs_floor(project: Path, floor: Path, rounds: int) -> dict[str, Any]:
    """Alternating rounds, so that both sides see the same machine load."""
    ours, bare, paper_only, ratios = Series(), Series(), Series(), Series()
    for i in range(rounds):
        for side in ("floor", "ours") if i % 2 == 0 else ("ours", "floor"):
            if side == "floor":
                clean_floor(floor)
                bare.values.append(run(["make", "-j2", "-s"], floor)[0])
            else:
                shutil.rmtree(project / "build", ignore_errors=True)
                ours.values.append(run(MAKE, project)[0])
        ratios.values.append(ours.values[-1] / bare.values[-1])
    for _ in range(max(1, rounds // 2 + 1)):
        shutil.rmtree(project / "build", ignore_errors=True)
        paper_only.values.append(run([PY, str(ROOT / "build.py"), "build", "paper"], project)[0])
    shutil.rmtree(project / "build", ignore_errors=True)
    run(MAKE, project)
    return {"ours": ours, "bare": bare, "ratio": ratios, "paper_only": paper_only}


def noop(project: Path, runs: int) -> Series:
    run(MAKE, project)
    return Series([run(MAKE, project)[0] for _ in range(runs)])


def edit_make(project: Path, runs: int) -> dict[str, Series]:
    edit = Edit(project)
    build = project / "build"
    result = {f: Series() for f in (*FORMATS, "all", "make")}
    try:
        for _ in range(runs):
            before = mtimes(build, "paper")
            edit()
            start = time.perf_counter()
            proc = subprocess.Popen(
                MAKE, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            seen = until_new(build, before, start)
            if proc.wait() != 0:
                raise RuntimeError("make failed after the edit")
            total = time.perf_counter() - start
            for fmt, t in seen.items():
                result[fmt].values.append(t)
            result["all"].values.append(max(seen.values()))
            result["make"].values.append(total)
    finally:
        edit.restore()
        run(MAKE, project)
    return result


def edit_watch(project: Path, runs: int) -> dict[str, Series]:
    """The watch process, started once; each edit is timed until the files are new."""
    edit = Edit(project)
    build = project / "build"
    result = {f: Series() for f in (*FORMATS, "all")}
    log = open(WORK / "watch.log", "w+")  # noqa: SIM115 (closed below, after the process)
    cmd = [PY, str(ROOT / "build.py"), "watch", "--port", "0"]
    proc = subprocess.Popen(
        cmd, cwd=project, stdout=subprocess.DEVNULL, stderr=log, preexec_fn=_sigint_default
    )
    try:
        port = _port(log)

        def state() -> dict[str, Any]:
            url = f"http://127.0.0.1:{port}/__pressroom/state"
            with urllib.request.urlopen(url, timeout=10) as r:
                return dict(json.load(r))

        def idle(after: int) -> dict[str, Any]:
            return _poll(lambda: (s := state())["batches"] > after and not s["building"] and s)

        batches = idle(0)["batches"]
        for _ in range(runs):
            before = mtimes(build, "paper")
            edit()
            start = time.perf_counter()
            seen = until_new(build, before, start)
            for fmt, t in seen.items():
                result[fmt].values.append(t)
            result["all"].values.append(max(seen.values()))
            s = idle(batches)
            if s["error"]:
                raise RuntimeError(s["error"])
            batches = s["batches"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        log.close()
        edit.restore()
        run(MAKE, project)
    return result


def _sigint_default() -> None:
    """A benchmark started in the background (nohup, `&`) ignores SIGINT, and so would its
    children: give the watch process Ctrl-C back, so that it stops as a user's would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _port(log: Any) -> int:
    def find() -> int | None:
        log.seek(0)
        m = re.search(r"127\.0\.0\.1:(\d+)/", log.read())
        return int(m.group(1)) if m else None

    return int(_poll(find))


def _poll(predicate: Callable[[], Any], limit: float = 300) -> Any:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise RuntimeError("timed out")


def pdf_anatomy(project: Path) -> dict[str, Any]:
    """Where the paper's PDF time goes, in this process: layout passes and the PDF write."""
    from pressroom import weasy
    from pressroom.config import load_project
    from pressroom.documents import Corpus
    from pressroom.errors import Diagnostics
    from pressroom.pipeline import build_document

    loaded = load_project(project)
    corpus = Corpus(loaded)
    corpus.cited("paper")
    layouts: list[float] = []
    writes: list[float] = []
    real_layout, real_write = weasy.layout, weasy.write

    def layout(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return real_layout(*args, **kwargs)
        finally:
            layouts.append(time.perf_counter() - t)

    def write(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return real_write(*args, **kwargs)
        finally:
            writes.append(time.perf_counter() - t)

    weasy.layout, weasy.write = layout, write  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        build_document(corpus, "paper", {"pdf"}, Diagnostics(loaded.root, echo=False))
        total = time.perf_counter() - start
    finally:
        weasy.layout, weasy.write = real_layout, real_write  # type: ignore[assignment]
    return {"total": total, "layouts": layouts, "write": sum(writes)}


@dataclass
class Scale:
    label: str
    pages: int = 0
    words: int = 0
    full: Series = field(default_factory=Series)
    rss: Series = field(default_factory=Series)
    pdf: Series = field(default_factory=Series)

    @property
    def per_page(self) -> float:
        return self.pdf.median / self.pages


def scaling(one_x_pages: int, quick: bool) -> list[Scale]:
    sizes = [("default paper", 1.0, 3), ("~10 pages", 10, 3), ("~50 pages", 50, 2)]
    if not quick:
        sizes.append(("~200 pages", 200, 1))
    out = []
    for label, pages, runs in sizes:
        factor = pages if label == "default paper" else pages / one_x_pages
        project = generate(factor, WORK / f"scale-{pages:g}")
        s = Scale(label, words=words((project / "manuscript" / "paper.md").read_text("utf-8")))
        for _ in range(1 if quick else runs):
            shutil.rmtree(project / "build", ignore_errors=True)
            wall, rss = run([PY, str(ROOT / "build.py"), "build"], project)
            s.full.values.append(wall)
            s.rss.values.append(rss)
            s.pages = pdf_pages(project / "build" / "paper.pdf")
            shutil.rmtree(project / "build", ignore_errors=True)
            s.pdf.values.append(run([PY, str(ROOT / "build.py"), "build", "paper.pdf"], project)[0])
        out.append(s)
        print(f"  {label}: {s.pages} pages, full {s.full.show()}, pdf {s.pdf.show()}", flush=True)
    return out


# --- the report ------------------------------------------------------------------------------


def diff_vs_build(project: Path, rounds: int) -> dict[str, Series]:
    """`build.py diff --from COPY paper` (a copy with a word and a page number changed) against
    a cold `build.py build paper`, in alternating rounds; both from an empty build/."""
    old = WORK / "diff-old"
    shutil.rmtree(old, ignore_errors=True)
    for part in ("manuscript", "references", "templates"):
        if (project / part).is_dir():  # templates/: only a project's own overrides
            shutil.copytree(project / part, old / part)
    paper = old / "manuscript" / "paper.md"
    text = paper.read_text("utf-8")
    text = re.sub(r"\b(governments)\b", "states", text, count=1)
    text = re.sub(
        r"\[@(\w+), (\d+)\]", lambda m: f"[@{m.group(1)}, {int(m.group(2)) + 1}]", text, count=1
    )
    paper.write_text(text, "utf-8")
    build, diff, ratio = Series(), Series(), Series()
    for i in range(rounds):
        for side in ("build", "diff") if i % 2 == 0 else ("diff", "build"):
            shutil.rmtree(project / "build", ignore_errors=True)
            shutil.rmtree(old / "build", ignore_errors=True)
            if side == "build":
                build.values.append(run([PY, str(ROOT / "build.py"), "build", "paper"], project)[0])
            else:
                cmd = [PY, str(ROOT / "build.py"), "diff", "--from", str(old), "paper"]
                diff.values.append(run(cmd, project)[0])
        ratio.values.append(diff.values[-1] / build.values[-1])
    shutil.rmtree(project / "build", ignore_errors=True)
    run(MAKE, project)
    return {"build": build, "diff": diff, "ratio": ratio}


def machine() -> dict[str, str]:
    from pressroom import pandoc

    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(next(ln for ln in f if ln.startswith("MemTotal")).split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    make = subprocess.run(["make", "--version"], capture_output=True, text=True).stdout
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        "versions": f"Python {platform.python_version()}, pandoc {pandoc.version()}, "
        f"WeasyPrint {metadata.version('weasyprint')}, "
        f"watchfiles {metadata.version('watchfiles')}, "
        f"{make.splitlines()[0]}",
        "commit": commit,
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(r: dict[str, Any], quick: bool) -> str:
    cold, noop_, em, ew = r["cold"], r["noop"], r["edit_make"], r["edit_watch"]
    scales: list[Scale] = r["scales"]
    anatomy = r["anatomy"]
    base = scales[0]
    big = scales[-1]
    growth = big.per_page / base.per_page - 1
    per_unit = big.full.median / big.pages  # seconds per page of a full build, at the largest
    est300 = per_unit * 300
    manubot_mid = sum(MANUBOT) / 2
    speedup = manubot_mid / cold["paper_only"].median
    rss_max = max(max(s.rss.values) for s in scales)
    rows = [
        (
            "Cold full build, default project (`make`, 3 documents × 3 formats)",
            cold["ours"].show(),
            "≤ 0.9× bare tools (≈ 2.0 s; stretch 1.7 s)",
            verdict(cold["ratio"].median <= 0.9),
        ),
        ("… the bare tools, `make -j2`, same run (the floor)", cold["bare"].show(), "", ""),
        ("… ratio, ours / bare tools (paired rounds)", cold["ratio"].show("×"), "≤ 0.9×", ""),
        (
            "No-op `make`",
            noop_.show("ms", 1000, 1),
            "< 50 ms (stretch 25)",
            verdict(noop_.median < 0.050),
        ),
        (
            "Edit one paragraph of paper.md → paper.html, .docx, .pdf new, via `make`",
            em["all"].show(),
            "< 1.5 s",
            verdict(em["all"].median < 1.5),
        ),
        (
            "… of which paper.html / .docx / .pdf",
            " / ".join(f"{em[f].median:.2f}" for f in FORMATS) + " s",
            "",
            "",
        ),
        ("… until `make` returns", em["make"].show(), "", ""),
        (
            "Same edit through the watch process: paper.html new",
            ew["html"].show(),
            "< 0.4 s",
            verdict(ew["html"].median < 0.4),
        ),
        ("… paper.pdf new", ew["pdf"].show(), "< 1.2 s", verdict(ew["pdf"].median < 1.2)),
        ("… paper.docx new", ew["docx"].show(), "", ""),
        (
            f"PDF time per page, {big.label} ({big.pages} p) vs default paper ({base.pages} p)",
            f"{big.per_page * 1000:.0f} vs {base.per_page * 1000:.0f} ms/page ({growth:+.0%})",
            "≤ +10 %",
            verdict(growth <= 0.10),
        ),
        (
            "300-page manuscript, all formats",
            f"≈ {est300:.0f} s (extrapolated from {big.pages} p at "
            f"{per_unit * 1000:.0f} ms/page; not run)",
            "< 17 s",
            verdict(est300 < 17),
        ),
        (
            "Peak memory of one process (largest of all scales)",
            f"{rss_max:.0f} MiB",
            "< 400 MiB",
            verdict(rss_max < 400),
        ),
        (
            "Default paper alone, cold, HTML + PDF + DOCX, vs Manubot",
            f"{cold['paper_only'].show()}; {speedup:.1f}× Manubot's speed ("
            f"{MANUBOT[0]}–{MANUBOT[1]} s)",
            "≥ 2× faster",
            verdict(speedup >= 2),
        ),
        (
            "Diff of the default paper (`diff --from COPY paper`: two versions cited, marked; "
            "PDF, HTML, tracked and highlighted DOCX), vs a cold build of the paper, paired rounds",
            f"{r['diff']['diff'].show()} vs {r['diff']['build'].show()}; "
            f"{r['diff']['ratio'].show('×')}",
            "< 2× a build",
            verdict(r["diff"]["ratio"].median < 2),
        ),
    ]
    rows += weasy_fast.rows(r["weasy"])
    rows += lines_bench.target_rows(r["lines"])
    m = r["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. "
        + ("**Quick run (`--quick`): one run each, no 200-page manuscript.** " if quick else "")
        + "Wall-clock medians, with (min–max, number of runs). The machine is shared with other "
        "builds, so absolute figures are noisy; the ratio to the bare tools is paired per round.",
        "",
        f"- Date: {m['date']} (commit {m['commit']})",
        f"- Machine: {m['machine']}; load average at start {r['load'][0]}, at end {r['load'][1]}",
        f"- Versions: {m['versions']}",
        "",
        "| measurement | result | target | |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        "## Scaling (synthetic manuscripts: bench/generate.py, the paper's sections repeated)",
        "",
        "Full build = `build.py build` from an empty build/ (paper.html, .docx, .pdf); PDF only = "
        "`build.py build paper.pdf` from an empty build/ (Markdown → citeproc → print HTML → PDF). "
        "Peak memory is the largest single process (Python with WeasyPrint, or pandoc).",
        "",
        "| manuscript | words | PDF pages | full build | peak memory | PDF only | PDF per page |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scales:
        lines.append(
            f"| {s.label} | {s.words:,} | {s.pages} | {s.full.show()} "
            f"| {max(s.rss.values):.0f} MiB "
            f"| {s.pdf.show()} | {s.per_page * 1000:.0f} ms |"
        )
    lay = anatomy["layouts"]
    lines += [
        "",
        "## Where the time goes in paper.pdf (one in-process render, WeasyPrint already imported)",
        "",
        f"{anatomy['total']:.2f} s in all: {len(lay)} layout pass(es) of "
        f"{', '.join(f'{x:.2f}' for x in lay)} s and {anatomy['write']:.2f} s writing the PDF. "
        "The rest is pandoc's print HTML and the placement check.",
        "",
        *weasy_fast.section(r["weasy"]),
        "",
        *lines_bench.section(r["lines"]),
        "",
        *anchors.section(r["anchors"]),
        "",
        "## Where targets are not met, and what bounds them",
        "",
        *why(r, rows, growth, est300, rss_max),
        "",
    ]
    return "\n".join(lines)


def why(
    r: dict[str, Any],
    rows: list[tuple[str, str, str, str]],
    growth: float,
    est300: float,
    rss_max: float,
) -> list[str]:
    anatomy = r["anatomy"]
    lay = anatomy["layouts"]
    passes = (
        f"pressroom lays the paper out {len(lay)} times (render.py's note-placement passes: "
        "WeasyPrint 70 moves notes off their call's page, and each fix needs a fresh layout of the "
        f"whole document, {statistics.mean(lay):.2f} s each here), where the bare tools lay it "
        "out once"
        if len(lay) > 1
        else "the PDF is laid out once"
    )
    out = []
    if not all(d != "**not met**" for *_, d in rows):
        for a, b, c, d in rows:
            if d != "**not met**":
                continue
            if a.startswith("Cold full build") or a.startswith("Default paper alone"):
                out.append(
                    f"- **{a}** ({b}; target {c}): the PDF of the paper is the critical "
                    f"path, and {passes}."
                )
            elif "via `make`" in a:
                out.append(
                    f"- **{a}** ({b}; target {c}): a fresh process imports WeasyPrint "
                    f"(≈ 0.4 s) and cites the paper again; then {passes}."
                )
            elif "watch process: paper.html" in a:
                out.append(
                    f"- **{a}** ({b}; target {c}): the watch process builds the HTML "
                    "first, but it still runs citeproc over the whole paper and the "
                    "pandoc HTML writer (two pandoc processes, ≈ 0.15 s each on an idle "
                    "core), and the watcher waits 30 ms for an editor's burst of writes."
                )
            elif "paper.pdf new" in a:
                out.append(
                    f"- **{a}** ({b}; target {c}): the HTML goes first (the target's "
                    f"order), then {passes}."
                )
            elif "per page" in a:
                out.append(
                    f"- **{a}** ({b}): WeasyPrint's layout time per page; real footnotes "
                    "(float: footnote) are laid out once each with the note-area memo, but "
                    "the notes' lines still cost about a third of the layout."
                )
            elif "speed patches" in a:
                out.append(
                    f"- **{a}** ({b}; target {c}): what the patches leave is each note's "
                    "own layout (once), the text's line breaking (Pango) and the parse, "
                    "cascade and box tree, which are not incremental (see the section above)."
                )
            elif "300-page" in a:
                out.append(
                    f"- **{a}** ({b}; target {c}): the bare WeasyPrint layout of "
                    "≈ 300 pages is 14 s (research/performance.md §4) without footnotes; "
                    "real footnotes about double WeasyPrint's layout time (measured on the "
                    "default paper: 0.6 s without, 1.2 s with), and the PDF is one process."
                )
            elif "Peak memory" in a:
                out.append(
                    f"- **{a}** ({b}; target {c}): WeasyPrint holds the whole laid-out "
                    "document (every page's boxes) until the PDF is written; at 200 "
                    "pages that document is the peak."
                )
    if r["manubot_note"]:
        out.append(f"- Manubot: {r['manubot_note']}")
    return out or ["- Every target is met in this run."]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each; no 200 pages")
    args = parser.parse_args()
    quick: bool = args.quick
    n = 1 if quick else 5
    WORK.mkdir(parents=True, exist_ok=True)
    load0 = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    subprocess.run([*MAKE, "setup"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print("bench: preparing the default project and the floor", flush=True)
    project = default_project()
    floor = floor_project(project)
    run(MAKE, project)  # warm-up: caches, fonts, the depfiles
    run(["make", "-j2", "-s"], floor)
    r: dict[str, Any] = {"machine": machine()}
    print("bench: cold full build vs the bare tools", flush=True)
    r["cold"] = cold_vs_floor(project, floor, n)
    print(f"  ours {r['cold']['ours'].show()}, bare {r['cold']['bare'].show()}", flush=True)
    print("bench: no-op make", flush=True)
    r["noop"] = noop(project, 5 if quick else 20)
    print("bench: one-paragraph edit via make, then via the watch process", flush=True)
    r["edit_make"] = edit_make(project, n)
    r["edit_watch"] = edit_watch(project, n)
    ew = r["edit_watch"]
    print(f"  watch: html {ew['html'].show()}, pdf {ew['pdf'].show()}", flush=True)
    print("bench: where paper.pdf's time goes", flush=True)
    r["anatomy"] = pdf_anatomy(project)
    print("bench: diff of the paper vs a build of it", flush=True)
    r["diff"] = diff_vs_build(project, n)
    print(f"  ratio {r['diff']['ratio'].show('×')}", flush=True)
    print("bench: scaling", flush=True)
    one_x = pdf_pages(project / "build" / "paper.pdf")
    r["scales"] = scaling(one_x, quick)
    print("bench: WeasyPrint with and without the speed patches", flush=True)
    r["weasy"] = weasy_fast.measure(WORK, project, quick)
    print("bench: the tagged write with and without the glyph-run and layout-copy patches")
    r["write"] = weasy_write.section(weasy_write.measure(WORK, project, quick))
    print("bench: the pandoc steps against their code before", flush=True)
    r["pandoc"] = pandoc_steps.section(pandoc_steps.measure(WORK, quick), pandoc_steps.BASE)
    print("bench: watch's incremental preview against a full PDF", flush=True)
    started = incremental.when()
    r["incremental"] = incremental.section(incremental.measure(WORK, project, quick), started)
    if not quick:  # (~150 pages, several minutes)
        print("bench: a long preview laid out in full, by one process and by two", flush=True)
        started = incremental.when()
        r["parallel"] = parallel_bench.section(parallel_bench.measure(WORK, quick), started)
    print("bench: line breaking, WeasyPrint's first fit vs total fit", flush=True)
    r["lines"] = lines_bench.measure_all(WORK, project, quick)
    print("bench: anchors: Typst, a 300-page manuscript, the bare tools", flush=True)
    r["anchors"] = anchors.measure(WORK, project, quick)
    r["load"] = (load0, ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    r["manubot_note"] = (
        "not run side by side. manubot 0.6.1 downloads from PyPI here, but its pipeline also "
        "needs pandoc 2.19.2 (pandoc-xnos rejects pandoc 3), rootstock's build scripts and theme, "
        "and an offline wrapper for its cite filter (research/performance.md §8); the comparison "
        f"uses the notes' figure for Manubot on this paper, {MANUBOT[0]}–{MANUBOT[1]} s."
    )
    RESULTS.write_text(report(r, quick), "utf-8")
    write_section(RESULTS, incremental.HEADING, r["incremental"])
    write_section(RESULTS, weasy_write.HEADING, r["write"])
    write_section(RESULTS, pandoc_steps.HEADING, r["pandoc"])
    if "parallel" in r:
        write_section(RESULTS, parallel_bench.HEADING, r["parallel"])
    print(f"bench: wrote {RESULTS.relative_to(ROOT)}", flush=True)
    return 0


def write_section(results: Path, heading: str, lines: list[str]) -> None:
    """Replace the section of RESULTS.md that opens with `heading` (or add it before the
    explanations of targets), leaving the others as their own runs wrote them."""
    text = results.read_text("utf-8")
    block = "\n".join(lines) + "\n\n"
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + 1)
        text = text[:start] + block + (text[end + 1 :] if end >= 0 else "")
    else:
        anchor = text.find("## Where targets are not met")
        text = text[:anchor] + block + text[anchor:] if anchor >= 0 else text + "\n" + block
    results.write_text(text, "utf-8")


if __name__ == "__main__":
    sys.exit(main())
