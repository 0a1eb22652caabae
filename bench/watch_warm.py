"""The CPU time of watch's preview thread for each edit of one watch session: the first edit of
a session against the later ones, this checkout against an earlier one (`--against DIR`, a
checkout with its .venv beside it, as for bench/incremental.py), in sessions taken in turn.

Each session is a process of its own (the checkout's pressroom imported first): the repository's
paper copied unbuilt, watch's Preview started in it (the first build, the layouts kept, and in
this checkout the preview thread readied for the first edit, pressroom/watch_preview.py), then
three edits of one paragraph, each waited for. What is measured is the preview thread's own CPU
(`time.thread_time`) from the edit's job to its preview PDF drafted: load spreads wall time, CPU
much less. `--first-page` edits the introduction's first paragraph (page 1) instead of the
paragraph at the middle of the paper (page 8). *start* is the session's first build to idle,
wall (it includes the warm-up).

    python bench/watch_warm.py --against DIR [--first-page] [--sessions N] [--write]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The paragraphs edited (bench/incremental.py's MIDDLE and bench/run.py's Edit.ANCHOR; not
# imported: a session imports nothing before its checkout's pressroom).
MIDDLE = "Washington was also developing conventional programs"
FIRST_PAGE = "In 1988 the governments of Japan and the United States"
HEADING = "## watch's preview thread, first edit of a session against the later ones"


def session(checkout: Path, project: Path, anchor: str) -> dict[str, Any]:
    """One watch session in this process (the checkout's pressroom): CPU of each edit's preview."""
    sys.path.insert(0, str(checkout))
    os.environ.setdefault("G_SLICE", "always-malloc")  # (as watch sets it)
    from pressroom import cite_incremental, watch_preview
    from pressroom.watch import Preview

    cite_incremental.enable()
    spent: list[float] = []
    draft = watch_preview._draft

    def timed(*args: Any) -> None:
        start = time.thread_time()
        try:
            draft(*args)
        finally:
            spent.append(time.thread_time() - start)

    watch_preview._draft = timed  # type: ignore[assignment]
    source = project / "manuscript" / "paper.md"
    original = source.read_text("utf-8")
    head, rest = anchor.split(" ", 1)
    preview = Preview(project, False, {})
    started = time.perf_counter()
    preview.rebuild()
    preview.wait()
    start = time.perf_counter() - started
    for n in range(1, 4):
        source.write_text(original.replace(anchor, f"{head} (edit {n}) {rest}", 1), "utf-8")
        time.sleep(0.05)  # (a later tick of the file clock: bench/run.py's edits do the same)
        preview.rebuild({source})
        preview.wait()
    return {"start": start, "cpu": spent}


def measure(against: Path, first_page: bool, sessions: int) -> dict[str, dict[str, list[float]]]:
    """Sessions of this checkout and `against`, in turn."""
    from bench.incremental import short_commit
    from bench.run import WORK, default_project

    default = default_project()
    variants = {"this checkout": ROOT, f"before ({short_commit(against)})": against}
    found: dict[str, dict[str, list[float]]] = {
        label: {"first": [], "later": [], "start": []} for label in variants
    }
    anchor = FIRST_PAGE if first_page else MIDDLE
    for n in range(sessions):
        for label, checkout in variants.items():
            project = WORK / f"warm-{n}"
            shutil.rmtree(project, ignore_errors=True)
            shutil.copytree(default, project, ignore=shutil.ignore_patterns("build"))
            python = checkout / ".venv" / "bin" / "python"
            args = [str(python), __file__, "--session", str(checkout), str(project), anchor]
            out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            assert len(result["cpu"]) == 3, f"{label}: {len(result['cpu'])} previews drafted early"
            found[label]["first"].append(result["cpu"][0])
            found[label]["later"] += result["cpu"][1:]
            found[label]["start"].append(result["start"])
            print(f"  {label}: start {result['start']:.1f} s, preview CPU {result['cpu']}")
    return found


def lines(found: dict[str, dict[str, list[float]]], first_page: bool, when: str) -> list[str]:
    from bench.incremental import _spread

    labels = list(found)
    base = statistics.median(found[labels[-1]]["first"])
    where = "the introduction's first paragraph (page 1)" if first_page else "the middle paragraph"
    rows = [
        f"| {label} | {_spread(f['first'], ' s')} | {statistics.median(f['first']) / base:.2f}× "
        f"| {_spread(f['later'], ' s')} | {_spread(f['start'], ' s')} |"
        for label, f in found.items()
    ]
    return [
        f"{HEADING}, {where} edited (bench/watch_warm.py)",
        "",
        "CPU of the watch process's preview thread per edit (`time.thread_time`, the edit's job to "
        "its preview PDF drafted), three edits per session, each session a process of its own "
        "started on the unbuilt paper, the two checkouts in turn; the ratio is of the first "
        "edits' medians, to the last row. *start*: first build to idle, wall.",
        "",
        f"Measured {when}.",
        "",
        "| watch | first edit: preview CPU | ratio | later edits: preview CPU | start, wall |",
        "|---|---|---|---|---|",
        *rows,
    ]


if __name__ == "__main__":
    if "--session" in sys.argv:
        at = sys.argv.index("--session")
        checkout, project, anchor = sys.argv[at + 1 : at + 4]
        print(json.dumps(session(Path(checkout), Path(project), anchor)))
        sys.exit(0)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.incremental import when
    from bench.run import RESULTS, write_section

    started = when()
    first_page = "--first-page" in sys.argv
    against = Path(sys.argv[sys.argv.index("--against") + 1])
    count = int(sys.argv[sys.argv.index("--sessions") + 1]) if "--sessions" in sys.argv else 2
    result = lines(measure(against, first_page, count), first_page, started)
    print("\n".join(result))
    if "--write" in sys.argv:
        write_section(RESULTS, result[0], result)
