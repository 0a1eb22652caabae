"""cffi's C types parsed once (pressroom/weasy_ctypes.py): WeasyPrint's fixed type names at
import, and a font subset's glyph arrays as one type; the PDF is the same bytes."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pressroom import weasy, weasy_ctypes, weasy_patch

# Latin regular, italic and bold, and Japanese: four fonts subset, each with its own arrays.
PAGE = """<html lang="en"><head><style>
body { font-family: "Linux Libertine O", "IPAexMincho", serif; font-size: 11pt; }
</style></head><body>
<p>Regular words, <em>italic words</em>, <strong>bold words</strong>; 日本語の文.</p>
</body></html>"""

# A fresh process: the types cffi has parsed after WeasyPrint's import, and those a layout and
# a write of PAGE add.
FRESH = f"""
import json, sys
from pathlib import Path
from pressroom import weasy
from weasyprint.text.ffi import ffi
at_import = set(ffi._parsed_types)
laid = weasy.layout({PAGE!r}, Path(sys.argv[1]), [Path(sys.argv[1])])
weasy.write(laid.document)
added = sorted(set(ffi._parsed_types) - at_import)
print(json.dumps({{"at_import": sorted(at_import), "added": added}}))
"""


@pytest.fixture
def restore_patches() -> Iterator[None]:
    yield
    weasy_patch.configure()


def pdf(tmp_path: Path) -> bytes:
    laid = weasy.layout(PAGE, tmp_path, [tmp_path])
    return weasy.write(laid.document)


def test_glyph_arrays_as_one_type_write_the_same_pdf(
    restore_patches: None, tmp_path: Path
) -> None:
    weasy_patch.configure(without=["one-glyph-array-type"])
    assert "one-glyph-array-type" not in weasy_patch.applied()
    plain = pdf(tmp_path)
    weasy_patch.configure()
    assert "one-glyph-array-type" in weasy_patch.applied()
    assert pdf(tmp_path) == plain


def test_a_layout_and_write_parse_no_type_but_the_one_array_type(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FRESH, str(tmp_path)], capture_output=True, text=True, check=True
    )
    seen = json.loads(proc.stdout)
    assert set(weasy_ctypes.FIXED) <= set(seen["at_import"])
    assert seen["added"] == [weasy_ctypes.ARRAY]


def rewritten(source: str) -> tuple[str | None, str]:
    function = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(function, ast.FunctionDef)
    return weasy_ctypes.one_array_type(function), ast.unparse(function)


def test_only_an_array_of_exactly_the_items_given_becomes_the_one_type() -> None:
    reason, code = rewritten(
        """
        def f(self, a, b):
            x = ffi.new(f'hb_codepoint_t[{len(a)}]', sorted(a))
            y = ffi.new(f'hb_codepoint_t[{len(b)}]', b)
            z = ffi.new(f'hb_codepoint_t[{len(a)}]', b)
            w = ffi.new(f'hb_codepoint_t[{len(a) + 1}]', a)
        """
    )
    assert reason is None
    assert "x = ffi.new('hb_codepoint_t[]', sorted(a))" in code
    assert "y = ffi.new('hb_codepoint_t[]', b)" in code
    assert "z = ffi.new(f'hb_codepoint_t[{len(a)}]', b)" in code  # other items: sized as was
    assert "w = ffi.new(f'hb_codepoint_t[{len(a) + 1}]', a)" in code
    reason, _ = rewritten("def f(a):\n    return ffi.new('char[]', a)\n")
    assert reason is not None
