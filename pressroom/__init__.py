"""pressroom: a typesetting and publication toolkit for scholarly papers."""

from __future__ import annotations

__version__ = "0.1.0"
