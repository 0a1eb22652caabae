"""Text derived from a document's metadata, for title blocks, the DOCX properties and the
handout: one owner for how the conference line and the session's time read."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def conference_line(conf: Any) -> str:
    """'Paper presented at the NAME, PLACE, DATES' from the conference mapping (CMOS's form for
    a paper given at a meeting; no second article when the name has its own)."""
    if not isinstance(conf, dict) or not conf.get("name"):
        return ""
    name = str(conf["name"])
    parts = [name if name.lower().startswith("the ") else f"the {name}"]
    if conf.get("place"):
        parts.append(str(conf["place"]))
    if conf.get("dates"):
        parts.append(str(conf["dates"]))
    return "Paper presented at " + ", ".join(parts)


def session_when(conf: Any, lang: Any = "en-US") -> str:
    """When the talk is, as the document's language writes it: 'June 5, 2026, 9:00 a.m. BST'
    in American English (CMOS), '5 June 2026, 09:00 BST' otherwise. The zone prints as its
    abbreviation on that day (BST, EDT), or as given when the time zone database lacks it."""
    session = conf.get("session") if isinstance(conf, dict) else None
    if not isinstance(session, dict) or not session.get("date"):
        return ""
    american = str(lang or "en-US").lower() in ("en-us", "en")
    try:
        day = dt.date.fromisoformat(str(session["date"]))
    except ValueError:
        return " ".join(str(x) for x in (session["date"], session.get("time") or "") if x)
    text = f"{day:%B} {day.day}, {day.year}" if american else f"{day.day} {day:%B %Y}"
    if not session.get("time"):
        return text
    try:
        hour, minute = (int(x) for x in str(session["time"]).split(":")[:2])
        clock = dt.time(hour, minute)
    except ValueError:
        return f"{text}, {session['time']}"
    if american:
        period = "a.m." if clock.hour < 12 else "p.m."
        text += f", {(clock.hour % 12) or 12}:{clock.minute:02d} {period}"
    else:
        text += f", {clock:%H:%M}"
    zone = session.get("timezone")
    if zone:
        text += f" {zone_abbreviation(str(zone), day, clock)}"
    return text


def zone_abbreviation(zone: str, day: dt.date, clock: dt.time) -> str:
    """'BST' for Europe/London on a summer day; the zone as given if it is not in the database."""
    try:
        return dt.datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).strftime("%Z")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return f"({zone})"


# Metadata written as Markdown (pandoc's `abstract`, `thanks`): read as pandoc reads a document,
# but without raw HTML or TeX, which no safety check sees in metadata.
_MARKDOWN = "markdown-raw_html-raw_tex-raw_attribute-citations"


def markdown_blocks(text: str) -> list[dict[str, Any]]:
    """pandoc's AST blocks for a metadata value written in Markdown."""
    from . import pandoc  # pandoc's boundary; imported here, where it is needed

    out, _ = pandoc.run(["-f", _MARKDOWN, "-t", "json"], text.encode("utf-8"))
    blocks: list[dict[str, Any]] = json.loads(out)["blocks"]
    return blocks


def markdown_html(text: str, inline: bool = False) -> str:
    """HTML for a metadata value written in Markdown (`inline`: without the paragraph)."""
    from . import pandoc

    out, _ = pandoc.run(["-f", _MARKDOWN, "-t", "html", "--wrap=none"], text.encode("utf-8"))
    html = out.decode("utf-8").strip()
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
