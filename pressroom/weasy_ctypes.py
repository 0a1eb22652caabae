"""cffi's C types, parsed once: WeasyPrint names a C type as text (`ffi.new("PangoRectangle *")`)
and cffi parses each new text with pycparser, behind a typedef line for every type WeasyPrint
declares: 3-8 ms a type, paid by each process that lays out or writes a PDF.

Two ways it is paid once instead:
- the types WeasyPrint 70 asks for by a fixed name are parsed when it is imported (the build's
  parent, while the lead document is cited; the forked workers inherit them);
- a font subset's glyph arrays are asked for as `hb_codepoint_t[]`, one type whatever their
  length, where WeasyPrint writes the length into the name (`hb_codepoint_t[2650]`: a new type,
  and a new parse, for every font of every PDF). The array is the same: cffi sizes `T[]` by
  the list it is given, which is the list whose length WeasyPrint wrote (a patch in the `fast`
  group, weasy_patch.py)."""

from __future__ import annotations

import ast
import contextlib

# The C types WeasyPrint 70 asks cffi for by a fixed name in every layout and write (text/,
# pdf/; the default paper's PDF, counted).
FIXED = (
    "PangoGlyphInfo",
    "PangoFcFontMap *",
    "char[]",
    "PangoRectangle *",
    "PangoLogAttr[]",
    "unsigned int *",
    "hb_tag_t[100]",
    "char[4]",
)
ARRAY = "hb_codepoint_t[]"


def parse_ahead() -> None:
    """Parse the FIXED types now, into WeasyPrint's cffi instance (its own cache of types)."""
    from weasyprint.text.ffi import ffi

    for name in FIXED:
        with contextlib.suppress(Exception):  # a name another release no longer declares
            ffi.typeof(name)


def one_array_type(function: ast.FunctionDef) -> str | None:
    """`ffi.new(f'hb_codepoint_t[{len(x)}]', x)` (or `sorted(x)`) becomes
    `ffi.new('hb_codepoint_t[]', ...)` in Font._harfbuzz_subset."""
    found = [node for node in ast.walk(function) if isinstance(node, ast.Call) and _sized(node)]
    if not found:
        return "no ffi.new(f'hb_codepoint_t[{len(x)}]', x) in _harfbuzz_subset"
    for call in found:
        call.args[0] = ast.copy_location(ast.Constant(ARRAY), call.args[0])
    return None


def _sized(node: ast.Call) -> bool:
    """Whether `node` is `ffi.new(f'hb_codepoint_t[{len(x)}]', y)` with y `x` or `sorted(x)`:
    an array of exactly the items given."""
    if not (
        ast.dump(node.func) == ast.dump(ast.parse("ffi.new", mode="eval").body)
        and len(node.args) == 2
        and not node.keywords
        and isinstance(node.args[0], ast.JoinedStr)
    ):
        return False
    parts = node.args[0].values
    if not (
        len(parts) == 3
        and isinstance(parts[0], ast.Constant)
        and parts[0].value == "hb_codepoint_t["
        and isinstance(parts[2], ast.Constant)
        and parts[2].value == "]"
        and isinstance(parts[1], ast.FormattedValue)
        and parts[1].conversion == -1
        and parts[1].format_spec is None
    ):
        return False
    length = parts[1].value
    if not (
        isinstance(length, ast.Call)
        and isinstance(length.func, ast.Name)
        and length.func.id == "len"
        and len(length.args) == 1
        and not length.keywords
    ):
        return False
    counted = ast.dump(length.args[0])
    given = node.args[1]
    if ast.dump(given) == counted:
        return True
    return (
        isinstance(given, ast.Call)
        and isinstance(given.func, ast.Name)
        and given.func.id == "sorted"
        and len(given.args) == 1
        and not given.keywords
        and ast.dump(given.args[0]) == counted
    )
