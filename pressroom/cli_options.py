"""The command line's options: one Settings per run, filled by options that may stand before or
after the command's name (as in make, pandoc and Quarto), and the group that knows the aliases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from .config import find_root, load_project
from .errors import Diagnostics
from .fields import FORMATS

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


def settings_of(ctx: click.Context) -> Settings:
    return ctx.find_root().ensure_object(Settings)


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep an option's value in the run's Settings, given before or after the command."""
    if value is None or value == () or value is False:
        return
    settings = settings_of(ctx)
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

    from .fields import DOCUMENT_FIELDS, METADATA_FIELDS, validate_meta

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
    messages = [e.message for e in errors] + [w.message.replace(", ignored", "") for w in warnings]
    if messages:
        raise click.BadParameter(messages[0], ctx, param)
    _store(ctx, param, meta)


def common_options(f: F) -> F:
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


def output_options(f: F) -> F:
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
        open_option(),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def open_option() -> Callable[[F], F]:
    return click.option(
        "--open",
        is_flag=True,
        callback=_store,
        expose_value=False,
        help="Open the result when done (the paper, in the first --to format).",
    )


class Group(click.Group):
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
