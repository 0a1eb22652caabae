"""The conference line and the talk's time as the document's language writes them."""

from __future__ import annotations

from pressroom.meta import conference_line, session_when

CONFERENCE = {
    "name": "Annual Conference on East Asian History",
    "place": "London",
    "dates": "June 2–5, 2026",
    "session": {"date": "2026-06-05", "time": "09:00", "timezone": "Europe/London"},
}


def test_paper_presented_at_the_conference() -> None:
    assert conference_line(CONFERENCE) == (
        "Paper presented at the Annual Conference on East Asian History, London, June 2–5, 2026"
    )
    named = {**CONFERENCE, "name": "The Berkshire Conference", "place": "", "dates": ""}
    assert conference_line(named) == "Paper presented at The Berkshire Conference"
    assert conference_line({}) == ""


def test_session_in_american_english() -> None:
    assert session_when(CONFERENCE, "en-US") == "June 5, 2026, 9:00 a.m. BST"
    evening = {**CONFERENCE, "session": {**CONFERENCE["session"], "time": "18:30"}}
    assert session_when(evening, "en-US") == "June 5, 2026, 6:30 p.m. BST"
    winter = {"session": {"date": "2026-12-01", "time": "12:00", "timezone": "America/New_York"}}
    assert session_when(winter, "en-US") == "December 1, 2026, 12:00 p.m. EST"


def test_session_elsewhere_and_without_parts() -> None:
    assert session_when(CONFERENCE, "en-GB") == "5 June 2026, 09:00 BST"
    unknown = {"session": {"date": "2026-06-05", "time": "09:00", "timezone": "Mars/Olympus"}}
    assert session_when(unknown, "en-US") == "June 5, 2026, 9:00 a.m. (Mars/Olympus)"
    assert session_when({"session": {"date": "2026-06-05"}}, "en-US") == "June 5, 2026"
    assert session_when({"session": {"date": "soon"}}, "en-US") == "soon"
    assert session_when({}, "en-US") == ""
