"""WeasyPrint's Pango layouts copied from one made per font setting, not built afresh each time.

Every piece of text WeasyPrint measures or draws gets a new `Layout`, and `Layout.setup`
builds its Pango objects from the style each time: a Pango context (round glyph positions
off, base direction, language), a font description (family, style, stretch, weight, size,
small caps, variations), the layout itself, and an attribute list for OpenType features:
about 35 us, some 29,000 times in a layout at 145 pages and 13,000 more in the write, a
third of what making and shaping a line costs. What `setup` builds depends only on the
font configuration and the style properties in `_KEYS`; here, the first `setup` for a given
configuration and values runs WeasyPrint's own code and keeps a copy of the layout it made
(`pango_layout_copy`: the same context, font description, attributes and settings; no text
yet), and later ones with the same values get a copy of that copy (4 us) and the same
attributes on the Python object. Text, width and spacing are set afterwards by WeasyPrint,
as before. A style whose values cannot be compared is set up by WeasyPrint's code. A box's
computed style keeps the template it was matched to (its values do not change once read), so
that its next texts skip building and hashing the key of 18 values (2 % of the layout).
Registered in weasy_patch.py (group "fast"); tests/test_weasy_fast.py compares the Python
state, the lines Pango makes and the PDF with and without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Every style property `Layout.setup` of WeasyPrint 70.0 reads (its body, get_font_description
# and font_features): together with the font configuration they decide everything it makes.
_KEYS = (
    "direction",
    "font_language_override",
    "lang",
    "font_family",
    "font_style",
    "font_stretch",
    "font_weight",
    "font_size",
    "font_variant_caps",
    "font_variation_settings",
    "text_decoration_line",
    "font_kerning",
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
)
# What `setup` sets on the Layout besides `style` and `layout`; the thickness values only
# when the text is decorated (otherwise it leaves them as they were).
_ALWAYS = (
    "first_line_direction",
    "language",
    "ascent",
    "underline_position",
    "strikethrough_position",
)
_DECORATED = ("underline_thickness", "strikethrough_thickness")
_TEMPLATES = "_pressroom_layout_templates"  # on the FontConfiguration: key -> template
_KEPT = "_pressroom_layout_template"  # on a computed style: its template, once found

# Layouts set up from a template ("copied") or by WeasyPrint ("made"), for the tests.
setup_counts = {"copied": 0, "made": 0}


def _layout_copy() -> Callable[[Any], Any] | None:
    """`pango_layout_copy` from the Pango library WeasyPrint loaded (WeasyPrint's cffi
    declarations do not include it), or None where it cannot be declared."""
    import cffi
    from weasyprint.text import ffi as weasy_ffi

    own = cffi.FFI()
    own.include(weasy_ffi.ffi)  # the same PangoLayout type
    own.cdef("PangoLayout *pango_layout_copy (PangoLayout *src);")
    for name in ("libpango-1.0.so.0", "pango-1.0", "libpango-1.0-0", "libpango-1.0.dylib"):
        try:
            library = own.dlopen(name)
            found: Callable[[Any], Any] = library.pango_layout_copy
            return found
        except (OSError, AttributeError):
            continue
    return None


def wrap_setup(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """`Layout.setup` that copies the layout made for the same font settings."""
    copy = _layout_copy()
    if copy is None:
        return original
    from weasyprint.css import AnonymousStyle, ComputedStyle
    from weasyprint.text.ffi import ffi, gobject

    kinds = (ComputedStyle, AnonymousStyle)  # computed styles: their values do not change

    def setup(self: Any, style: Any) -> None:
        found = style.__dict__.get(_KEPT) if type(style) in kinds else None
        if found is None:
            try:
                key = tuple(style[name] for name in _KEYS)
                templates = style.font_config.__dict__.setdefault(_TEMPLATES, {})
                found = templates.get(key)
            except (TypeError, AttributeError):  # a value that cannot be a key
                setup_counts["made"] += 1
                original(self, style)
                return
            if found is None:
                setup_counts["made"] += 1
                original(self, style)
                decorated = style["text_decoration_line"] != "none"
                names = _ALWAYS + (_DECORATED if decorated else ())
                values = {name: getattr(self, name) for name in names}
                template = ffi.gc(copy(self.layout), gobject.g_object_unref)
                templates[key] = (template, values)
                return
            if type(style) in kinds:  # the key is built once per style object, not per text
                style.__dict__[_KEPT] = found
        setup_counts["copied"] += 1
        template, values = found
        self.style = style
        self.__dict__.update(values)
        self.layout = ffi.gc(copy(template), gobject.g_object_unref)

    return setup
