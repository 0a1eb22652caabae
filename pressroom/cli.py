"""The command line: `pressroom [COMMAND] [OPTIONS] [TARGETS]`, one function per command (the
options are in cli_options.py; the process around a run, its signals and exit codes, in process.py).
Errors print as `path:line: error: message [kind]`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from . import __version__
from .cli_options import (
    Group,
    Settings,
    common_options,
    open_option,
    output_options,
    settings_of,
)


@click.group(
    cls=Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@common_options
@output_options
@click.version_option(__version__, prog_name="pressroom")
@click.pass_context
def main(ctx: click.Context) -> None:
    """pressroom: Markdown + Jinja sources -> PDF, HTML and DOCX with Chicago notes.

    With no command, builds every document of the project (the same as `build`). Options may
    come before or after the command."""
    settings_of(ctx)
    if ctx.invoked_subcommand is None:
        ctx.invoke(build_cmd)


@main.command("build")
@click.argument("targets", nargs=-1)
@common_options
@output_options
@click.pass_context
def build_cmd(ctx: click.Context, targets: tuple[str, ...] = ()) -> None:
    """Rebuild the outputs that are out of date (all, or TARGETS such as `paper` or `paper.pdf`)."""
    settings = settings_of(ctx)
    project, _ = _build(settings, targets)
    if settings.open:
        _open(settings, project)


@main.command("check")
@common_options
@click.pass_context
def check_cmd(ctx: click.Context) -> None:
    """Preflight: build, then count words (body, notes, bibliography, abstract) and pages, and
    check every limit in metadata.yaml, unused references, links, fonts and glyphs."""
    from .documents import Corpus
    from .preflight import check

    settings = settings_of(ctx)
    project, result = _build(settings, ())
    for line in check(project, result.corpus or Corpus(project), settings.diagnostics):
        click.echo(line, err=True)


@main.command("submission")
@click.option("--blind", is_flag=True, help="Blind review: no authors, masked self-citations.")
@common_options
@click.pass_context
def submission_cmd(ctx: click.Context, blind: bool) -> None:
    """Write build/submission/: paper.pdf, paper.docx, abstract.txt and submission.zip, after
    the preflight checks. With --blind (or `blind: true` in metadata.yaml) no author shows."""
    from .documents import Corpus
    from .preflight import check
    from .submission import submit, wants_blind

    settings = settings_of(ctx)
    project, result = _build(settings, ())
    check(project, result.corpus or Corpus(project), settings.diagnostics)
    for line in submit(project, wants_blind(project, blind), settings.diagnostics):
        click.echo(line, err=True)


def _build(settings: Settings, targets: tuple[str, ...]) -> tuple[Any, Any]:
    """The build every command starts with; reports each output as it is written."""
    from .pipeline import Request, build
    from .progress import Progress, choose_mode
    from .targets import select

    project = settings.load()
    chosen = select(project, targets, settings.to)
    if settings.verbose:
        click.echo(f"project: {project.root}", err=True)
    with Progress(choose_mode(settings.quiet), project.build_dir) as progress:
        result = build(project, Request(targets=chosen, progress=progress), settings.diagnostics)
    if settings.verbose and not progress.written:
        click.echo(f"up to date: every output in {_shown(project.build_dir)}", err=True)
    return project, result


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)


def _open(settings: Settings, project: Any) -> None:
    """Open the main result in the system's viewer: the paper (else the first document) in
    the first --to format, else its PDF."""
    from .targets import outputs
    from .viewer import open_file

    known = outputs(project)
    if not known:
        return
    doc = "paper" if "paper" in known else next(iter(known))
    order = [*settings.to, "pdf", "html", "docx"]
    fmt = next(f for f in order if f in known[doc] or f == order[-1])
    path = project.output(doc, fmt)
    if path.is_file():
        open_file(path, _shown(path))


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
@common_options
@click.pass_context
def diff_cmd(
    ctx: click.Context,
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

    settings = settings_of(ctx)
    project = settings.load()
    asked = request(project, old, new, author, date, blind, documents)
    for path in diff(project, asked, settings.diagnostics):
        if not settings.quiet:
            click.echo(f"built {_shown(path)}", err=True)


@main.command("watch")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (loopback only); 0 picks a free one.",
)
@open_option()
@common_options
@click.pass_context
def watch_cmd(ctx: click.Context, port: int) -> None:
    """Serve build/ at http://127.0.0.1:PORT/, rebuild on every change, reload the page (the
    PDF too, at the page you were reading); --open opens it in the browser."""
    from . import process
    from .watch import watch

    process.ends_with_command = False  # a long-lived process: its layouts' garbage collected
    settings = settings_of(ctx)
    try:
        watch(settings.root, settings.strict, settings.overrides, port, settings.open)
    except KeyboardInterrupt:
        # Ctrl-C is how a preview ends: a normal stop, exit 0 (make reports no error).
        from .process import interrupted

        interrupted.clear()
        click.echo("pressroom: preview stopped", err=True)


@main.command("new")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def new_cmd(directory: Path) -> None:
    """Start a new paper in DIRECTORY: a small working project to edit (with a .gitignore)."""
    from .scaffold import next_step, scaffold

    written = scaffold(directory)
    click.echo(f"created {directory}/ with {len(written)} files; build it with:", err=True)
    click.echo(f"  {next_step(directory)}", err=True)


@main.command("styles")
@click.argument("word", required=False)
@common_options
@click.pass_context
def styles_cmd(ctx: click.Context, word: str | None) -> None:
    """List the citation styles (CSL) you can name in `citation-style:`, or those whose name or
    title holds WORD (`pressroom styles chicago`)."""
    from .styles import search

    settings = settings_of(ctx)
    root = settings.root
    found = search(word or "", root if (root / "manuscript").is_dir() else None)
    for name, title in found:
        click.echo(f"{name:<50} {title}")
    if not settings.quiet:
        click.echo(f"{len(found)} styles" + (f" matching '{word}'" if word else ""), err=True)


@main.command("doctor")
@common_options
@click.pass_context
def doctor_cmd(ctx: click.Context) -> None:
    """Check the installation: pandoc, WeasyPrint and Pango, the fonts the templates use, the
    citation style and the project; each problem with its fix. Exit 1 if any is missing."""
    from .doctor import diagnose

    settings = settings_of(ctx)
    problems = 0
    for check in diagnose(settings.root):
        mark = "ok" if check.ok else "missing"
        click.echo(f"{mark:>7}  {check.what}: {check.found}")
        if not check.ok:
            problems += 1
            click.echo(f"         fix: {check.fix}")
    if problems:
        raise SystemExit(1)
