"""The pandoc steps of a build against the code of a baseline commit, in one run: the cite step
(pandoc's run with the Lua filters and citeproc, then cite.py's Python after it), the
writers' jobs (assets, the pages' JSON) and the three pandoc writers, for the default paper
and the 300-page manuscript (bench/generate.py, anchors.SCALE_300).

The baseline is a git worktree of BASE in bench/work/ (the commit this session started from,
before the pandoc steps were made cheaper). Each side runs in a process of its own (two
pressroom packages cannot be imported into one), the rounds alternate between them, and each
step is timed in CPU seconds (user + system: the machine is shared, and CPU time is steadier
than the wall clock), pandoc's own from the children's rusage. Each round cites afresh (the
cite cache is removed). The ratio of each step is the median of the rounds' paired ratios
(this code / baseline of the same round), with their range.

    python bench/pandoc_steps.py [--quick] [--write]   # --write: the section of RESULTS.md
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = "ef1bff8"  # main when the pandoc steps' work began (session 5)
HEADING = "## The pandoc steps against their code before (bench/pandoc_steps.py)"
STEPS = [
    ("cite.pandoc", "cite: pandoc (reader, Lua filters, citeproc)"),
    ("cite.python", "cite: Python after pandoc (cite.py)"),
    ("jobs", "writers' jobs: assets and the pages' JSON (Python)"),
    ("html", "HTML writer (pandoc)"),
    ("docx", "DOCX writer (pandoc)"),
    ("pdf", "print HTML writer (pandoc, print filters)"),
]


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def side(tree: Path, project: Path, name: str) -> dict[str, float]:
    """One round of one side, in this process (pressroom imported from `tree`)."""
    sys.path.insert(0, str(tree))
    import contextlib

    from pressroom import cite as cite_module
    from pressroom import pandoc
    from pressroom.assets import embed_assets
    from pressroom.config import load_project
    from pressroom.documents import Corpus
    from pressroom.render import RENDERERS, base

    assert Path(cite_module.__file__).is_relative_to(tree), "pressroom from the wrong tree"
    for cached in (project / "build" / ".cache").glob("*.cited.json"):
        cached.unlink()
    times: dict[str, float] = {}
    real = cite_module.cite

    def timed(*args: Any, **kw: Any) -> Any:
        cpu, children = time.process_time(), _cpu_children()
        try:
            return real(*args, **kw)
        finally:
            times["cite.pandoc"] = _cpu_children() - children
            times["cite.python"] = time.process_time() - cpu

    cite_module.cite = timed
    import pressroom.documents as documents_module

    documents_module.cite = timed  # (documents.py imported the name)
    loaded = load_project(project)
    cited = Corpus(loaded).cited(name)
    cpu = time.process_time()
    embedded = embed_assets(cited, loaded)
    together = getattr(base, "jobs_together", contextlib.nullcontext)
    with together():
        jobs = {fmt: r.job(embedded, loaded) for fmt, r in RENDERERS.items()}
    times["jobs"] = time.process_time() - cpu
    for fmt, job in jobs.items():
        children = _cpu_children()
        pandoc.run(job.args, job.stdin)
        times[fmt] = _cpu_children() - children
    return times


def _run_side(tree: Path, project: Path, name: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--side", str(tree), str(project), name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return found


def baseline(work: Path) -> Path:
    """A worktree of BASE in bench/work/ (made once)."""
    tree = work / f"base-{BASE}"
    if not (tree / "pressroom").is_dir():
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), BASE],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return tree


def compare(base_tree: Path, project: Path, name: str, rounds: int) -> dict[str, Any]:
    """Rounds alternating the baseline and this code; per step the medians and the paired
    ratios."""
    runs: dict[str, list[dict[str, float]]] = {"base": [], "now": []}
    for i in range(rounds):
        order = [("base", base_tree), ("now", ROOT)]
        for label, tree in order if i % 2 == 0 else order[::-1]:
            runs[label].append(_run_side(tree, project, name))
    steps: dict[str, Any] = {}
    for key, _ in [*STEPS, ("total", "")]:

        def value(r: dict[str, float], key: str = key) -> float:
            return sum(r[k] for k, _ in STEPS) if key == "total" else r[key]

        ratios = [value(n) / value(b) for b, n in zip(runs["base"], runs["now"], strict=True)]
        steps[key] = {
            "base": statistics.median(value(r) for r in runs["base"]),
            "now": statistics.median(value(r) for r in runs["now"]),
            "ratio": statistics.median(ratios),
            "range": (min(ratios), max(ratios)),
        }
    return {"rounds": rounds, "steps": steps}


def section(found: dict[str, dict[str, Any]], base: str) -> list[str]:
    lines = [
        HEADING,
        "",
        f"CPU seconds (user + system) of each step, median of the rounds, this code against "
        f"the code of commit {base} in the same run; ratio: median of the rounds' paired "
        "ratios (now / before), with their range. Each step's output is the same on both "
        "sides, byte for byte (the cited AST, citations and warnings, each writer's body: "
        "checked on every project of the repository, tests/projects/ included, and on public "
        "manuscripts: openjournals/inara's example paper, pandoc-crossref's demo and its 42 "
        "test inputs).",
        "",
        "| document | step | before (s) | now (s) | now / before |",
        "|---|---|---|---|---|",
    ]
    for label, result in found.items():
        for key, title in [*STEPS, ("total", "all of the above")]:
            s = result["steps"][key]
            lo, hi = s["range"]
            lines.append(
                f"| {label} ({result['rounds']} rounds) | {title} | {s['base']:.2f} | "
                f"{s['now']:.2f} | {s['ratio']:.2f}x ({lo:.2f}-{hi:.2f}) |"
            )
    return lines


def measure(work: Path, quick: bool) -> dict[str, dict[str, Any]]:
    from bench.anchors import SCALE_300
    from bench.generate import generate
    from bench.run import default_project

    base_tree = baseline(work)
    found = {"default paper": compare(base_tree, default_project(), "paper", 1 if quick else 3)}
    if not quick:
        long = generate(SCALE_300, work / "pandoc-300")
        found["300 pages"] = compare(base_tree, long, "paper", 2)
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["--side"]:
        print(json.dumps(side(Path(argv[1]), Path(argv[2]), argv[3])))
        return 0
    from bench.run import RESULTS, WORK, write_section

    found = measure(WORK, "--quick" in argv)
    lines = section(found, BASE)
    print("\n".join(lines))
    if "--write" in argv:
        write_section(RESULTS, HEADING, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
