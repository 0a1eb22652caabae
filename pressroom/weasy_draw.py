"""WeasyPrint's text drawing with each line's glyphs read from Pango in one block.

`weasyprint.draw.text.draw_first_line` writes a line of text into the page's content stream
as one `TJ` array of glyph ids, offsets and kerning. It reads every glyph through cffi, field
by field (each read makes objects), and formats each glyph's piece of the array anew: about
2 s of a 7 s tagged write at 145 pages. Here a run's `PangoGlyphInfo` array is copied in one
read and unpacked with `struct`, and each glyph's piece of the array (which depends only on
the glyph as Pango set it, its font and size) is formatted once per font and size and then
reused: 0.55 s. The same operators are written from the same numbers in the same order, so
the content stream is the same, byte for byte (tests/test_weasy_fast.py).

Only the common case is drawn here: a line with no ellipsis, in fonts with outline glyphs
(no bitmap, SVG, PNG or COLR glyphs), whose glyphs all exist (no .notdef) and are not
raised or lowered by the shaper (mark positioning). Any other line is drawn by WeasyPrint's
own function; the check is made before anything is written, so nothing is drawn twice.
Registered in weasy_patch.py (group "fast")."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

# PangoGlyphInfo as WeasyPrint's cdef declares it: glyph (guint32), geometry (width,
# x_offset, y_offset: gint32), attr (a guint bitfield), 20 bytes with no padding.
_GLYPH_INFO = struct.Struct("=Iiii4x")
_LAYOUT = {"size": 20, "geometry": 4, "attr": 16}

Operation = tuple[str, tuple[Any, ...]]  # a method of WeasyPrint's Stream, and its arguments
_PIECES = "_pressroom_glyph_pieces"  # a Font's pieces of TJ arrays: size -> glyph -> piece
# Pieces kept per font and size, at most: a justified space has a width of its own on nearly
# every line (85,000 pieces at 145 pages, ~20 MB), and the glyphs worth keeping (letters at
# their own advance, a few hundred) come early; past the bound a piece is formatted each time.
_MOST_PIECES = 8192

# Lines drawn here ("read") and handed to WeasyPrint's own code ("released"), for the tests.
drawn_counts = {"read": 0, "released": 0}


def wrap_draw_first_line(original: Callable[..., Any]) -> Callable[..., Any]:
    """`draw_first_line` drawing common lines from glyph arrays read in one block; anything
    else, or a Pango struct of another shape than the one this reads, by `original`."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    found = {
        "size": ffi.sizeof("PangoGlyphInfo"),
        "geometry": ffi.offsetof("PangoGlyphInfo", "geometry"),
        "attr": ffi.offsetof("PangoGlyphInfo", "attr"),
    }
    if found != _LAYOUT or _GLYPH_INFO.size != _LAYOUT["size"]:
        return original  # another layout of the struct: read it field by field, as released
    old_pango = pango.pango_version() < 14802  # WeasyPrint's workaround for Pango #530

    def draw_first_line(
        stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any, matrix: Any
    ) -> Any:
        if (
            text_overflow == "ellipsis"
            or block_ellipsis != "none"
            or not textbox.text.strip()
            or textbox.style["font_size"] < 1e-6
        ):
            drawn_counts["released"] += 1
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        layout = textbox.pango_layout
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        first_line, _ = layout.get_first_line()
        operations = _operations(stream, textbox, first_line, ffi, pango, FROM_UNITS, old_pango)
        if operations is None:  # a case this does not draw: WeasyPrint's own, from the start
            drawn_counts["released"] += 1
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        drawn_counts["read"] += 1
        stream.set_text_matrix(*matrix.values)
        for name, arguments in operations:
            getattr(stream, name)(*arguments)
        return []  # no emoji to draw after the text

    return draw_first_line


def _operations(
    stream: Any,
    textbox: Any,
    first_line: Any,
    ffi: Any,
    pango: Any,
    from_units: float,
    old_pango: bool,
) -> list[Operation] | None:
    """The stream operators that draw the line, or None when the line is not a common one."""
    empty = pango.PANGO_GLYPH_EMPTY
    operations: list[Operation] = []
    previous_font = None
    font: Any = None
    font_size: float = 0
    pieces: dict[tuple[int, ...], str] = {}
    string = ""
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyph_string = glyph_item.glyphs
        count = glyph_string.num_glyphs
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous_font:
            previous_font = pango_font
            font, font_size = stream.add_font(pango_font)
            if font.bitmap or font.svg or font.png or font.colr:
                return None
            if old_pango:
                font_size = textbox.style["font_size"]
            if string:
                operations.append(("show_text", (string,)))
            string = ""
            operations.append(("set_font_size", (font.hash, font_size)))
            pieces = font.__dict__.setdefault(_PIECES, {}).setdefault(font_size, {})
        raw = ffi.buffer(glyph_string.glyphs, count * _GLYPH_INFO.size)
        parts = ["<"]
        for i, glyph in enumerate(_GLYPH_INFO.iter_unpack(raw)):
            piece = pieces.get(glyph)
            if piece is None:
                piece = _piece(stream, font, font_size, pango_font, glyph, pango, from_units)
                if piece is None:  # .notdef, or a raised glyph: WeasyPrint's own code
                    font.__dict__.pop(_PIECES, None)  # .notdef may change a glyph's width
                    return None
                if glyph[0] != empty and glyph[0] not in font.to_unicode:
                    clusters = ffi.unpack(glyph_string.log_clusters, count)
                    text = textbox.pango_layout.text.encode()
                    font.to_unicode[glyph[0]] = _characters(glyph_item, clusters, i, count, text)
                if len(pieces) < _MOST_PIECES:
                    pieces[glyph] = piece
            parts.append(piece)
        string += "".join(parts)
        string = string[:-1] if string[-1] == "<" else string + ">"
    operations.append(("show_text", (string,)))
    return operations


def _piece(
    stream: Any,
    font: Any,
    font_size: float,
    pango_font: Any,
    glyph: tuple[int, ...],
    pango: Any,
    from_units: float,
) -> str | None:
    """What one glyph adds to its line's TJ array, as WeasyPrint writes it: its id, with the
    horizontal offset before it and the kerning after it, in thousandths of the font size.

    It depends only on the glyph as Pango set it (`glyph`: id, width, offsets, attributes),
    the font, its size and the glyph's advance in the font, recorded once in `font.widths`:
    the piece is kept per font and size and reused (None: a glyph drawn by WeasyPrint)."""
    glyph_id, width, x_offset, y_offset = glyph
    if glyph_id == pango.PANGO_GLYPH_EMPTY:  # a zero-width empty glyph
        return f">{-width / font_size}<"
    if glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG or y_offset:
        return None
    offset = x_offset / font_size
    piece = f">{-offset}<" if offset else ""
    piece += f"{glyph_id:04x}"
    if glyph_id in font.widths:
        logical_width = font.widths[glyph_id]
    else:
        pango.pango_font_get_glyph_extents(
            pango_font, glyph_id, stream.ink_rect, stream.logical_rect
        )
        logical_width = font.widths[glyph_id] = round(
            stream.logical_rect.width * 1000 * from_units / font_size
        )
    kerning = logical_width + offset - width * 1000 * from_units / font_size
    if kerning:
        piece += f">{int(kerning)}<"
    return piece


def _characters(glyph_item: Any, clusters: list[int], i: int, count: int, text: bytes) -> str:
    """The text glyph `i` of a run stands for: its cluster's bytes of the line's UTF-8."""
    offset, length = glyph_item.item.offset, glyph_item.item.length
    start = clusters[i]
    if glyph_item.item.analysis.level % 2:  # right to left: the cluster ends at the previous
        end = length if i == 0 else clusters[i - 1]
    else:
        end = length if i == count - 1 else clusters[i + 1]
    return text[offset + start : offset + end].decode()
