"""A copy editor's line-breaking figures of a PDF, read with pdfplumber (tests and bench).

For the running text (the most common type size) and the notes (smaller), per page, lines
are the glyphs that share a baseline between the running head and the folio. Counted:
hyphenated lines, the longest run of them (a ladder), words divided across a page turn (the
page's last text line ends in a hyphen), loose lines (justified lines whose mean word space
exceeds 0.40 em), half-word lines (a single hyphenated fragment), and lines that begin with a
note call (a superscript figure)."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HYPHENS = "-\u2010\u00ad"
LOOSE_EM = 0.40


@dataclass
class Figures:
    """Counts for one kind of text (body or notes)."""

    lines: int = 0
    hyphenated: int = 0
    ladder: int = 0  # the longest run of consecutive hyphenated lines
    ladders3: int = 0  # runs of three or more
    loose: int = 0
    half_words: int = 0
    calls_at_start: int = 0
    samples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def hyphen_share(self) -> float:
        return self.hyphenated / self.lines if self.lines else 0.0

    def note(self, kind: str, text: str) -> None:
        self.samples.setdefault(kind, []).append(text)


@dataclass
class Report:
    pages: int
    body: Figures
    notes: Figures
    page_turns: list[str]  # the last line of each page that ends in a hyphen


def _lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Glyphs grouped by baseline; a superscript (a note call) joins the line it is raised
    above."""
    rows: list[list[dict[str, Any]]] = []
    for ch in sorted(chars, key=lambda c: (round(c["bottom"], 1), c["x0"])):
        if rows and abs(rows[-1][0]["bottom"] - ch["bottom"]) <= 1.5:
            rows[-1].append(ch)
        else:
            rows.append([ch])
    merged: list[list[dict[str, Any]]] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if i + 1 < len(rows):
            size = statistics.median(c["size"] for c in row)
            below = rows[i + 1]
            below_size = statistics.median(c["size"] for c in below)
            if size < 0.8 * below_size and below[0]["bottom"] - row[0]["bottom"] < 0.6 * below_size:
                merged.append(row + below)
                i += 2
                continue
        merged.append(row)
        i += 1
    return [sorted(row, key=lambda c: c["x0"]) for row in merged]


def _text(row: list[dict[str, Any]]) -> str:
    out = []
    for i, c in enumerate(row):
        if i and c["x0"] - row[i - 1]["x1"] > c["size"] * 0.12:
            out.append(" ")
        out.append(c["text"])
    return "".join(out)


def measure(path: Path) -> Report:
    """The figures of one PDF."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        sizes = Counter(
            round(c["size"], 1) for p in pdf.pages for c in p.chars if c["text"].strip()
        )
        body_size = sizes.most_common(1)[0][0]
        figures = {"body": Figures(), "notes": Figures()}
        turns: list[str] = []
        for page in pdf.pages:
            height = page.height
            chars = [
                c for c in page.chars
                if c["text"].strip() and 0.07 * height < c["top"] < 0.94 * height
            ]
            rows = _lines(chars)
            if not rows:
                continue
            right = max(row[-1]["x1"] for row in rows)
            run = {"body": 0, "notes": 0}
            last_body: list[dict[str, Any]] | None = None
            for row in rows:
                size = statistics.median(c["size"] for c in row)
                if size < body_size * 0.6:
                    continue
                kind = "body" if size >= body_size * 0.92 else "notes"
                _count(figures[kind], row, size, right, run, kind)
                if kind == "body":
                    last_body = row
            if last_body is not None and last_body[-1]["text"] in HYPHENS and (
                last_body[-1]["x1"] > right - 3
            ):
                turns.append(_text(last_body))
        return Report(len(pdf.pages), figures["body"], figures["notes"], turns)


def _count(
    fig: Figures,
    row: list[dict[str, Any]],
    size: float,
    right: float,
    run: dict[str, int],
    kind: str,
) -> None:
    full = row[-1]["x1"] > right - 3
    hyphenated = full and row[-1]["text"] in HYPHENS
    text = _text(row)
    fig.lines += 1
    if hyphenated:
        fig.hyphenated += 1
        run[kind] += 1
    else:
        run[kind] = 0
    fig.ladder = max(fig.ladder, run[kind])
    if run[kind] == 3:
        fig.ladders3 += 1
        fig.note("ladder", text)
    words = text.split()
    if len(words) == 1 and words[0][-1] in HYPHENS:
        fig.half_words += 1
        fig.note("half-word", text)
    first = row[0]
    if first["text"].isdigit() and first["size"] < 0.8 * size and kind == "body":
        fig.calls_at_start += 1
        fig.note("call", text)
    if full:
        gaps = _word_spaces(row, size)
        if len(gaps) >= 4 and max(gaps) < 1.5 and statistics.mean(gaps) > LOOSE_EM:
            fig.loose += 1
            fig.note("loose", text)


def _word_spaces(row: list[dict[str, Any]], size: float) -> list[float]:
    """The word spaces of a line, in em: gaps between two text-size glyphs next to each other.
    A gap with a superscript in it (a note call) is not a word space, nor is the space after
    a note's number at the start of its first line."""
    gaps = []
    for a, b in itertools.pairwise(row):
        if a["size"] < size * 0.95 or b["size"] < size * 0.95:
            continue
        if b["x0"] - a["x1"] > size * 0.12:
            gaps.append((b["x0"] - a["x1"]) / size)
    lead = 0
    while lead < len(row) and (row[lead]["text"].isdigit() or row[lead]["text"] == "."):
        lead += 1
    if 0 < lead < len(row) and row[lead - 1]["text"] == "." and gaps:
        gaps = gaps[1:]  # "12.  Text": the note's number and its space
    return gaps
