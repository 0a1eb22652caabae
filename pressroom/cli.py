"""The command line: `pressroom [COMMAND] [OPTIONS] [TARGETS]`; options may come before or after
the command, as in make, pandoc and Quarto. Errors print as `path:line: error: message [kind]`."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import FORMATS, find_root, load_project
from .errors import Diagnostics, PressroomError

F = TypeVar("F", bound=Callable[..., Any])

# What Quarto and pandoc users type, as pressroom's commands.
ALIASES = {"render": "build", "preview": "watch"}


@dataclass
class Settings:
    """The options of one run, wherever they were written on the line (group or command)."""

    project_dir: Path | None = None
    strict: bool = False
    paper: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    to: list[str] = field(default_factory=list)
    output_dir: Path | None = None
    open: bool = False
    quiet: bool = False
    verbose: bool = False
    _diagnostics: Diagnostics | None = None

    @property
    def root(self) -> Path:
        """The project: --project, or the folder above the current one that has manuscript/."""
        return find_root(self.project_dir if self.project_dir is not None else Path.cwd())

    @property
    def overrides(self) -> dict[str, Any]:
        overrides = dict(self.meta)
        if self.paper:
            overrides["paper-size"] = self.paper.lower()
        return overrides

    @property
    def diagnostics(self) -> Diagnostics:
        # Warnings name their paths as errors do: from the current folder.
        if self._diagnostics is None:
            self._diagnostics = Diagnostics(Path.cwd(), strict=self.strict)
        return self._diagnostics

    def load(self) -> Any:
        return load_project(self.root, self.strict, self.overrides, self.output_dir)


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_root().ensure_object(Settings)


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep an option's value in the run's Settings, given before or after the command."""
    if value is None or value == () or value is False:
        return
    settings = _settings(ctx)
    name = param.name or ""
    if name == "to":
        settings.to += [f for f in value if f not in settings.to]
    elif name == "meta":
        settings.meta.update(value)
    else:
        setattr(settings, name, value)


def _parse_meta(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    """-M key=value (or key:value, as Quarto), the value read as YAML (true, 12, a text)."""
    import yaml

    from .config import DOCUMENT_FIELDS, METADATA_FIELDS, validate_meta

    meta: dict[str, Any] = {}
    for item in value:
        key, sep, text = item.partition("=")
        if not sep:
            key, sep, text = item.partition(":")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' is not key=value", ctx, param)
        try:
            meta[key.strip()] = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            meta[key.strip()] = text
    fields = {**METADATA_FIELDS, **DOCUMENT_FIELDS}
    errors, warnings = validate_meta(meta, Path("-M"), fields)
    # An unknown key is only a warning in a file (keys for other tools); typed on the command
    # line just now, it is a typo: refused.
    messages = [e.message for e in errors] + [w.message for w in warnings]
    if messages:
        raise click.BadParameter(messages[0], ctx, param)
    _store(ctx, param, meta)


def _common(f: F) -> F:
    """The options every project command takes, before or after its name."""
    options = [
        click.option(
            "--project",
            "project_dir",
            type=click.Path(file_okay=False, path_type=Path),
            callback=_store,
            expose_value=False,
            help="The project folder (default: the one you are in, or the nearest above it "
            "that has manuscript/).",
        ),
        click.option(
            "--strict",
            is_flag=True,
            callback=_store,
            expose_value=False,
            help="Treat every warning as an error (exit 1).",
        ),
        click.option(
            "--paper",
            type=click.Choice(["a4", "letter"], case_sensitive=False),
            callback=_store,
            expose_value=False,
            help="Page size for the PDFs, overriding metadata.yaml's paper-size.",
        ),
        click.option(
            "-M",
            "--metadata",
            "meta",
            multiple=True,
            metavar="KEY=VALUE",
            callback=_parse_meta,
            expose_value=False,
            help="Set a metadata field for this run (repeatable), as pandoc's -M.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            callback=_store,
            expose_value=False,
            help="Print only warnings and errors.",
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            callback=_store,
            expose_value=False,
            help="Also say which outputs were already up to date, and where the project is.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _outputs(f: F) -> F:
    """The options that choose what a build makes and where."""
    options = [
        click.option(
            "--to",
            type=click.Choice(FORMATS),
            multiple=True,
            callback=_store,
            expose_value=False,
            help="Build only this format (repeatable): pdf, html or docx.",
        ),
        click.option(
            "--output-dir",
            type=click.Path(file_okay=False, path_type=Path),
            callback=_store,
            expose_value=False,
            help="Write the outputs to DIR instead of the project's build/.",
        ),
        _open_option(),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _open_option() -> Callable[[F], F]:
    return click.option(
        "--open",
        is_flag=True,
        callback=_store,
        expose_value=False,
        help="Open the result when done (the paper, in the first --to format).",
    )


class _Group(click.Group):
    """Commands by name or alias; an unknown one is an error listing the valid ones."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            valid = ", ".join(self.list_commands(ctx))
            hint = ""
            if "." in name or name.isidentifier():
                hint = f"; to build a document: pressroom build {name}"
            raise click.UsageError(f"unknown command '{name}'; commands are: {valid}{hint}", ctx)
        return super().resolve_command(ctx, args)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@_common
@_outputs
@click.version_option(__version__, prog_name="pressroom")
@click.pass_context
def main(ctx: click.Context) -> None:
    """pressroom: Markdown + Jinja sources -> PDF, HTML and DOCX with Chicago notes.

    With no command, builds every document of the project (the same as `build`). Options may
    come before or after the command."""
    _settings(ctx)
    if ctx.invoked_subcommand is None:
        ctx.invoke(build_cmd)


@main.command("build")
@click.argument("targets", nargs=-1)
@_common
@_outputs
@click.pass_context
def build_cmd(ctx: click.Context, targets: tuple[str, ...] = ()) -> None:
    """Rebuild the outputs that are out of date (all, or TARGETS such as `paper` or `paper.pdf`)."""
    settings = _settings(ctx)
    project, _ = _build(settings, targets)
    if settings.open:
        _open(settings, project)


@main.command("check")
@_common
@click.pass_context
def check_cmd(ctx: click.Context) -> None:
    """Preflight: build, then count words (body, notes, bibliography, abstract) and pages, and
    check every limit in metadata.yaml, unused references, links, fonts and glyphs."""
    from .documents import Corpus
    from .preflight import check

    settings = _settings(ctx)
    project, result = _build(settings, ())
    for line in check(project, result.corpus or Corpus(project), settings.diagnostics):
        click.echo(line, err=True)


@main.command("submission")
@click.option("--blind", is_flag=True, help="Blind review: no authors, masked self-citations.")
@_common
@click.pass_context
def submission_cmd(ctx: click.Context, blind: bool) -> None:
    """Write build/submission/: paper.pdf, paper.docx, abstract.txt and submission.zip, after
    the preflight checks. With --blind (or `blind: true` in metadata.yaml) no author shows."""
    from .documents import Corpus
    from .preflight import check
    from .submission import submit, wants_blind

    settings = _settings(ctx)
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

    known = outputs(project)
    if not known:
        return
    doc = "paper" if "paper" in known else next(iter(known))
    order = [*settings.to, "pdf", "html", "docx"]
    fmt = next(f for f in order if f in known[doc] or f == order[-1])
    path = project.output(doc, fmt)
    if path.is_file():
        click.launch(str(path))


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
@_common
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

    settings = _settings(ctx)
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
@_open_option()
@_common
@click.pass_context
def watch_cmd(ctx: click.Context, port: int) -> None:
    """Serve build/ at http://127.0.0.1:PORT/, rebuild on every change, reload the page (the
    PDF too, at the page you were reading); --open opens it in the browser."""
    from .watch import watch

    settings = _settings(ctx)
    try:
        watch(settings.root, settings.strict, settings.overrides, port, settings.open)
    except KeyboardInterrupt:
        # Ctrl-C is how a preview ends: a normal stop, exit 0 (make reports no error).
        _interrupted.clear()
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
@_common
@click.pass_context
def styles_cmd(ctx: click.Context, word: str | None) -> None:
    """List the citation styles (CSL) you can name in `citation-style:`, or those whose name or
    title holds WORD (`pressroom styles chicago`)."""
    from .styles import search

    settings = _settings(ctx)
    root = settings.root
    found = search(word or "", root if (root / "manuscript").is_dir() else None)
    for name, title in found:
        click.echo(f"{name:<50} {title}")
    if not settings.quiet:
        click.echo(f"{len(found)} styles" + (f" matching '{word}'" if word else ""), err=True)


@main.command("doctor")
@_common
@click.pass_context
def doctor_cmd(ctx: click.Context) -> None:
    """Check the installation: pandoc, WeasyPrint and Pango, the fonts the templates use, the
    citation style and the project; each problem with its fix. Exit 1 if any is missing."""
    from .doctor import diagnose

    settings = _settings(ctx)
    problems = 0
    for check in diagnose(settings.root):
        mark = "ok" if check.ok else "missing"
        click.echo(f"{mark:>7}  {check.what}: {check.found}")
        if not check.ok:
            problems += 1
            click.echo(f"         fix: {check.fix}")
    if problems:
        raise SystemExit(1)


# Address space for the build and every process it starts (pandoc, layout workers): a
# pathological input ends in a MemoryError, not in swap. pandoc's GHC runtime reserves less
# when its 1 TB reservation fails, and has its own -M heap cap.
MEMORY_MB = int(os.environ.get("PRESSROOM_MEMORY_MB", "6144"))


def limit_memory(megabytes: int = MEMORY_MB) -> None:
    """Cap the address space where the system can (POSIX); elsewhere (Windows) do nothing."""
    try:
        import resource
    except ImportError:
        return
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
    """Entry point of the `pressroom` command (and build.py): limits and signals, then
    `execute`."""
    limit_memory()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    return execute(argv)


def execute(argv: list[str] | None = None) -> int:
    """Run one command line: user errors as one line each and exit 1; Ctrl-C as exit 130."""
    root = Path.cwd()
    try:
        main.main(args=argv, prog_name="pressroom", standalone_mode=False)
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
        from .write import remove_pending

        pandoc.kill_all()  # the pandoc runs of other threads (run_many)
        remove_pending()  # a temporary file the interrupt caught between creation and its write
        print("pressroom: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0
