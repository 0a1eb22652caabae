"""Total-fit line breaking (Knuth–Plass) with a typesetter's hyphenation discipline.

Pure Python, no WeasyPrint: `paragraph.plan` turns a paragraph's runs of text into chosen
lines, given a function that measures text. `pressroom/weasy_lines.py` feeds it WeasyPrint's
boxes and Pango's measurements and makes WeasyPrint set the lines it chose."""

from __future__ import annotations

from .paragraph import Line, Plan, Run, Settings, plan

__all__ = ["Line", "Plan", "Run", "Settings", "plan"]
