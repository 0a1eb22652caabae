"""`pressroom doctor`: is everything a build needs here? Each check says what it found, and the
fix when something is missing (as `quarto check` does for Quarto)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WEASYPRINT_INSTALL = "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html"

# The faces the toolkit's templates ask for (templates/type.css, print.css, web.css), with the
# Debian/Ubuntu package that has them and where to get them elsewhere.
FONTS = (
    (
        "Linux Libertine O",
        "fonts-linuxlibertine",
        "https://sourceforge.net/projects/linuxlibertine/",
    ),
    ("IPAexMincho", "fonts-ipaexfont-mincho", "https://moji.or.jp/ipafont/"),
)


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    found: str
    fix: str = ""


def diagnose(root: Path) -> Iterator[Check]:
    """Every check, in the order a build needs them."""
    yield _python()
    yield _pandoc()
    yield from _weasyprint()
    yield from _fonts()
    yield from _project(root)


def _python() -> Check:
    v = sys.version_info
    return Check(
        "Python",
        v >= (3, 11),
        f"{v.major}.{v.minor}.{v.micro} ({sys.executable})",
        "install Python 3.11 or newer",
    )


def _pandoc() -> Check:
    from . import pandoc
    from .errors import PressroomError

    try:
        return Check("pandoc", True, f"{pandoc.version()} ({pandoc.binary()})")
    except (PressroomError, OSError, subprocess.CalledProcessError) as exc:
        return Check("pandoc", False, str(exc), "pip install --force-reinstall pypandoc-binary")


def _weasyprint() -> Iterator[Check]:
    try:
        import weasyprint
        from weasyprint.text.ffi import pango
    except (ImportError, OSError) as exc:  # OSError: Pango's library could not be loaded
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        yield Check(
            "WeasyPrint and Pango",
            False,
            reason,
            f"install Pango for your system, see {WEASYPRINT_INSTALL}",
        )
        return
    yield Check("WeasyPrint", True, weasyprint.__version__)
    version = pango.pango_version()
    text = f"{version // 10000}.{version // 100 % 100}.{version % 100}"
    yield Check(
        "Pango", version >= 14400, text, f"Pango 1.44 or newer is needed; see {WEASYPRINT_INSTALL}"
    )


def _fonts() -> Iterator[Check]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        yield Check(
            "fonts",
            False,
            "fc-list (fontconfig) not found, cannot look",
            "install fontconfig (it comes with Pango on most systems)",
        )
        return
    families = subprocess.run(
        [fc_list, ":", "family"], capture_output=True, text=True, check=False
    ).stdout
    for family, package, source in FONTS:
        ok = family in families
        yield Check(
            f"font {family}",
            ok,
            "installed" if ok else "not installed",
            f"sudo apt-get install {package} (Debian, Ubuntu), or install it from "
            f"{source}; until then PDFs use a fallback face",
        )


def _project(root: Path) -> Iterator[Check]:
    from .config import load_project
    from .errors import PressroomError
    from .styles import resolve_style

    if not (root / "manuscript").is_dir():
        yield Check(
            "project",
            False,
            f"no manuscript/ in {root} or any folder above",
            "cd into a project, or start one: pressroom new my-paper",
        )
        return
    try:
        project = load_project(root)
    except PressroomError as exc:
        yield Check("project", False, exc.format(Path.cwd()), "correct the file named above")
        return
    count = len(project.documents)
    yield Check("project", True, f"{root} ({count} document{'s' if count != 1 else ''})")
    try:
        style = resolve_style(project)
        yield Check("citation style", True, f"{project.style} ({style})")
    except PressroomError as exc:
        yield Check(
            "citation style",
            False,
            exc.message,
            "name one that `pressroom styles WORD` lists, in citation-style:",
        )
