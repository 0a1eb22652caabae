"""The path from a saved edit of one paragraph to watch's preview PDF, in one process, the two
ways watch can take it, alternating round by round on the same chain of edits (a sentence of the
paragraph at the middle of paper.md, bench/incremental.py's MIDDLE, edited differently each
round):

- *incremental*: the paragraph cited alone (pressroom/cite_incremental.py), pandoc's HTML writer
  for the web page, the paragraph written alone and spliced into the last print page
  (pressroom/page_incremental.py), the pages around it laid out again and spliced;
- *full cite and page*: what watch did before: the whole document cited, the web page written,
  the whole print page written by pandoc, the same incremental layout.

CPU seconds of this process and its pandoc children (load spreads wall time; CPU much less),
and wall seconds; ratios per round.

    python bench/edit_path.py [--rounds N] [--write]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.incremental import MIDDLE, _spread, when  # noqa: E402

HEADING = "## The path from a saved edit to the preview PDF, step by step (bench/edit_path.py)"


def _cpu() -> float:
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def rounds(project_dir: Path, count: int) -> dict[str, dict[str, list[float]]]:
    from pressroom import cite_incremental, pandoc, weasy, weasy_incremental
    from pressroom.assets import embed_assets
    from pressroom.config import load_project
    from pressroom.documents import Corpus
    from pressroom.errors import Diagnostics
    from pressroom.render import html, pdf, render_document

    weasy.PDF_TIMEOUT = 0
    cite_incremental.enable()
    paper = project_dir / "manuscript" / "paper.md"
    original = paper.read_text("utf-8")
    project = load_project(project_dir)
    corpus = Corpus(project)
    first = embed_assets(corpus.cited("paper"), project)
    quiet = Diagnostics(project.root, echo=False)
    render_document(first, project, {"pdf"}, quiet, draft=lambda output: None)
    key = str(project.output("paper", "pdf"))
    found: dict[str, dict[str, list[float]]] = {
        v: {"cpu": [], "wall": []} for v in ("incremental", "full cite and page")
    }
    again = cite_incremental.again
    edit = 0
    try:
        for r in range(count):
            order = list(found) if r % 2 == 0 else list(reversed(found))
            for variant in order:
                edit += 1
                new = MIDDLE.replace("Washington", f"Washington (edit {edit})")
                paper.write_text(original.replace(MIDDLE, new, 1), "utf-8")
                full = variant != "incremental"
                cite_incremental.again = (lambda *a: None) if full else again  # type: ignore[assignment]
                cpu, wall = _cpu(), time.perf_counter()
                project = load_project(project_dir)
                corpus = corpus.carried_to(project)
                cited = embed_assets(corpus.cited("paper"), project)
                job = html.RENDERER.job(cited, project)
                pandoc.run_many([(job.args, job.stdin)], cited.doc.source)
                drafts: list[Any] = []
                if full:
                    job = pdf.RENDERER.job(cited, project)
                    (body,) = pandoc.run_many([(job.args, job.stdin)], cited.doc.source)
                    quiet = Diagnostics(project.root, echo=False)
                    text = pdf.printable(cited, body.decode("utf-8"), quiet)
                    page = pdf.print_html(cited.doc, project, text)[0]
                    roots = [project.root, *project.template_dirs]
                    outcome = weasy_incremental.preview(
                        key, page, cited.doc.source.parent, roots, origin=cited.origin
                    )
                    drafts.append(outcome.pdf)
                else:
                    pdf.RENDERER.quick(cited, project, drafts.append)
                found[variant]["cpu"].append(_cpu() - cpu)
                found[variant]["wall"].append(time.perf_counter() - wall)
                assert drafts and drafts[0], f"{variant}: no preview drafted"
                print(
                    f"  round {r + 1}, {variant}: {found[variant]['cpu'][-1]:.2f} s CPU, "
                    f"{found[variant]['wall'][-1]:.2f} s wall",
                    flush=True,
                )
    finally:
        cite_incremental.again = again  # type: ignore[assignment]
        paper.write_text(original, "utf-8")
    return found


def lines(found: dict[str, dict[str, list[float]]], started: str) -> list[str]:
    inc, full = found["incremental"], found["full cite and page"]

    def ratios(kind: str) -> list[float]:
        return [a / b for a, b in zip(inc[kind], full[kind], strict=True)]

    return [
        HEADING,
        "",
        "One process (WeasyPrint imported, the last layout kept as watch keeps it): a sentence of "
        "the paragraph at the middle of paper.md edited, round after round, both ways alternating "
        "(*incremental*: the paragraph cited alone, the web page's pandoc writer, the paragraph "
        "written alone and spliced into the last print page, the preview laid out from it; *full "
        "cite and page*: what watch did before, the whole document cited and its whole print "
        "page written by pandoc, then the same preview layout). Seconds to the preview PDF in "
        "memory, CPU of this process and its pandoc children, and wall; ratio per round. In watch "
        "the preview's half runs in the forked builder while the web page is written.",
        "",
        f"Measured {started}; load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| path | CPU | wall |",
        "|---|---|---|",
        f"| incremental | {_spread(inc['cpu'], ' s')} | {_spread(inc['wall'], ' s')} |",
        f"| full cite and page | {_spread(full['cpu'], ' s')} | {_spread(full['wall'], ' s')} |",
        f"| ratio | {_spread(ratios('cpu'))} | {_spread(ratios('wall'))} |",
    ]


if __name__ == "__main__":
    import shutil

    from bench.run import RESULTS, WORK, write_section

    started = when()
    count = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    work = WORK / "edit-path"  # the repository's project (its own copy: other benches use theirs)
    shutil.rmtree(work, ignore_errors=True)
    for folder in ("manuscript", "references"):
        shutil.copytree(ROOT / folder, work / folder)
    result = lines(rounds(work, count), started)
    print("\n".join(result))
    if "--write" in sys.argv:
        write_section(RESULTS, HEADING, result)
