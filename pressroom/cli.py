"""The command line: `python build.py [OPTIONS] [COMMAND]`; errors print as `path:line: error:`."""

from __future__ import annotations

import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import load_project
from .errors import Diagnostics, PressroomError


class _Context:
    def __init__(self, project_dir: Path, strict: bool, overrides: dict[str, Any]) -> None:
        self.project_dir = project_dir
        self.strict = strict
        self.overrides = overrides
        # Warnings name their paths as errors do: from the current folder.
        self.diagnostics = Diagnostics(Path.cwd(), strict=strict)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (manuscript/, references/, templates/); outputs go to its build/.",
)
@click.option("--strict", is_flag=True, help="Treat every warning as an error (exit 1).")
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    default=None,
    help="Page size for the PDFs, overriding metadata.yaml's paper-size.",
)
@click.version_option(__version__, prog_name="pressroom")
@click.pass_context
def main(ctx: click.Context, project_dir: Path, strict: bool, paper: str | None) -> None:
    """pressroom: Markdown + Jinja sources -> PDF, HTML and DOCX with Chicago notes.

    With no command, builds every document of the project (the same as `build`)."""
    overrides: dict[str, Any] = {}
    if paper:
        overrides["paper-size"] = paper.lower()
    ctx.obj = _Context(project_dir, strict, overrides)
    if ctx.invoked_subcommand is None:
        ctx.invoke(build_cmd)


@main.command("build")
@click.argument("targets", nargs=-1)
@click.pass_obj
def build_cmd(obj: _Context, targets: tuple[str, ...] = ()) -> None:
    """Rebuild the outputs that are out of date (all, or TARGETS such as `paper` or `paper.pdf`)."""
    _build(obj, frozenset(Path(t).name for t in targets) or None)


@main.command("check")
@click.pass_obj
def check_cmd(obj: _Context) -> None:
    """Preflight: build, then count words (body, notes, bibliography, abstract) and pages, and
    check every limit in metadata.yaml, unused references, links, fonts and glyphs."""
    from .documents import Corpus
    from .preflight import check

    project, result = _build(obj, None)
    for line in check(project, result.corpus or Corpus(project), obj.diagnostics):
        click.echo(line, err=True)


@main.command("submission")
@click.option("--blind", is_flag=True, help="Blind review: no authors, masked self-citations.")
@click.pass_obj
def submission_cmd(obj: _Context, blind: bool) -> None:
    """Write build/submission/: paper.pdf, paper.docx, abstract.txt and submission.zip, after
    the preflight checks. With --blind (or `blind: true` in metadata.yaml) no author shows."""
    from .documents import Corpus
    from .preflight import check
    from .submission import submit, wants_blind

    project, result = _build(obj, None)
    check(project, result.corpus or Corpus(project), obj.diagnostics)
    for line in submit(project, wants_blind(project, blind), obj.diagnostics):
        click.echo(line, err=True)


def _build(obj: _Context, targets: frozenset[str] | None) -> tuple[Any, Any]:
    """The build every command starts with; prints what it wrote."""
    from .pipeline import Request, build

    project = load_project(obj.project_dir, obj.strict, obj.overrides)
    result = build(project, Request(targets=targets), obj.diagnostics)
    for name in result.built:
        click.echo(f"built build/{name}", err=True)
    return project, result


@main.command("diff")
@click.argument("documents", nargs=-1, metavar="[DOC]...")
@click.option(
    "--from",
    "old",
    required=True,
    metavar="REV",
    help="The earlier version: a git revision of the project (tag, branch, commit) or a "
    "folder holding another copy of it.",
)
@click.option(
    "--to",
    "new",
    default=None,
    metavar="REV",
    help="The later version (default: the working tree).",
)
@click.option(
    "--author", default=None, help="Who made the changes (default: the authors in metadata.yaml)."
)
@click.option(
    "--date",
    default=None,
    metavar="ISO",
    help="When (default: the later version's commit date, or its newest file).",
)
@click.option(
    "--blind",
    is_flag=True,
    help="Blind review: no author named anywhere (as `submission --blind`).",
)
@click.pass_obj
def diff_cmd(
    obj: _Context,
    documents: tuple[str, ...],
    old: str,
    new: str | None,
    author: str | None,
    date: str | None,
    blind: bool,
) -> None:
    """Show what changed between two versions: build/diff/NAME.pdf and .html (marked), .docx
    (Word tracked changes) and .highlighted.docx, for every document in both (or DOC...)."""
    from .redline.outputs import diff, request

    project = load_project(obj.project_dir, obj.strict, obj.overrides)
    asked = request(project, old, new, author, date, blind, documents)
    for path in diff(project, asked, obj.diagnostics):
        click.echo(f"built {path.relative_to(project.root)}", err=True)


@main.command("watch")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (loopback only); 0 picks a free one.",
)
@click.pass_obj
def watch_cmd(obj: _Context, port: int) -> None:
    """Serve build/ at http://127.0.0.1:PORT/, rebuild on every change, reload the page."""
    from .watch import watch

    watch(obj.project_dir, obj.strict, obj.overrides, port)


@main.command("new")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def new_cmd(directory: Path) -> None:
    """Start a new paper in DIRECTORY: a small working project to edit."""
    from .scaffold import scaffold

    written = scaffold(directory)
    click.echo(f"created {directory}/ with {len(written)} files; build it with:", err=True)
    click.echo(f"  python build.py --project {directory}", err=True)


# Address space for the build and every process it starts (pandoc, layout workers): a
# pathological input ends in a MemoryError, not in swap. pandoc's GHC runtime reserves less
# when its 1 TB reservation fails, and has its own -M heap cap.
MEMORY_MB = int(os.environ.get("PRESSROOM_MEMORY_MB", "6144"))


def limit_memory(megabytes: int = MEMORY_MB) -> None:
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


_interrupted: list[int] = []


def _terminate(signum: int, frame: object) -> None:
    """Ctrl-C and SIGTERM (make, a killed terminal) end the build alike. The signal is also
    recorded: Python ignores an exception raised inside its at-fork handlers (a Ctrl-C that
    lands while a worker is forked), and such a build must still end as interrupted."""
    _interrupted.append(signum)
    raise KeyboardInterrupt


def run(argv: list[str] | None = None) -> int:
    """Entry point: user errors as one line each and exit 1; Ctrl-C as exit 130."""
    root = Path.cwd()
    limit_memory()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    try:
        main.main(args=argv, prog_name="build.py", standalone_mode=False)
        if _interrupted:
            raise KeyboardInterrupt
    except PressroomError as exc:
        print(exc.format(root), file=sys.stderr)
        return 1
    except MemoryError:
        print(
            f"pressroom: error: the build ran out of memory ({MEMORY_MB} MB; "
            "set PRESSROOM_MEMORY_MB) [limit.memory]",
            file=sys.stderr,
        )
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        from . import pandoc

        pandoc.kill_all()  # the pandoc runs of other threads (run_many)
        print("pressroom: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0
