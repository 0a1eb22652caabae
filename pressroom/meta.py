"""Text derived from a document's metadata, for title blocks, the DOCX properties and the
handout: one owner for how the conference line and the session's time read."""

from __future__ import annotations

import datetime as dt
from typing import Any


def conference_line(conf: Any) -> str:
    """'Paper presented at NAME, PLACE, DATES' from the conference mapping."""
    if not isinstance(conf, dict) or not conf.get("name"):
        return ""
    parts = [str(conf["name"])]
    if conf.get("place"):
        parts.append(str(conf["place"]))
    if conf.get("dates"):
        parts.append(str(conf["dates"]))
    return "Paper presented at " + ", ".join(parts)


def session_when(conf: Any) -> str:
    """'5 June 2026, 09:00 (Europe/London)' for the talk's session."""
    session = conf.get("session") if isinstance(conf, dict) else None
    if not isinstance(session, dict) or not session.get("date"):
        return ""
    try:
        day = dt.date.fromisoformat(str(session["date"]))
        text = f"{day.day} {day:%B %Y}"
    except ValueError:
        text = str(session["date"])
    if session.get("time"):
        text += f", {session['time']}"
    if session.get("timezone"):
        text += f" ({session['timezone']})"
    return text
