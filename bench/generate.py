"""Synthetic manuscripts for the benchmark: the default paper's sections, repeated to a length.

Each manuscript keeps the paper's structure and density: its level-1 sections are taken in
order, cycling, with their notes, citations, cross-references and the Jinja timeline table,
until the text reaches `scale` times the paper's words. Copies after the first get their own
section ids and note labels, so pandoc sees no duplicate. The project holds paper.md only.

    python bench/generate.py SCALE DEST     # e.g. 13.3 bench/work/scale-200
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NOTE_DEF = re.compile(r"^\[\^([\w-]+)\]:")
_IDS = re.compile(r"([#@])((?:sec|tbl|fig)-[\w-]+)")
_NOTE = re.compile(r"\[\^([\w-]+)\]")


def split_paper(text: str) -> tuple[str, list[str], dict[str, str], str]:
    """(front, level-1 sections without note definitions, note definitions, bibliography)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, ln in enumerate(lines) if ln.startswith("# "))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("# Bibliography"))
    body: list[str] = []
    notes: dict[str, str] = {}
    i = start
    while i < end:
        m = _NOTE_DEF.match(lines[i])
        if not m:
            body.append(lines[i])
            i += 1
            continue
        block = [lines[i]]
        i += 1
        # A definition goes on while its lines are indented (blank lines between them too).
        while i < end and (lines[i].startswith("    ") or not lines[i].strip()):
            nxt = next((ln for ln in lines[i:end] if ln.strip()), "")
            if not lines[i].strip() and not nxt.startswith("    "):
                break
            block.append(lines[i])
            i += 1
        notes[m.group(1)] = "".join(block).rstrip() + "\n"
    sections: list[str] = []
    for ln in body:
        if ln.startswith("# ") or not sections:
            sections.append("")
        sections[-1] += ln
    return "".join(lines[:start]), sections, notes, "".join(lines[end:])


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def renamed(text: str, copy: int) -> str:
    """Section ids, table ids and note labels of copy N get the suffix -cN."""
    if copy == 0:
        return text
    text = _IDS.sub(lambda m: f"{m.group(1)}{m.group(2)}-c{copy}", text)
    return _NOTE.sub(lambda m: f"[^{m.group(1)}-c{copy}]", text)


def synthesize(paper: str, scale: float) -> str:
    front, sections, notes, bibliography = split_paper(paper)
    target = scale * sum(words(s) for s in sections)
    parts: list[str] = []
    total = 0
    n = 0
    while total < target or not parts:
        copy, index = divmod(n, len(sections))
        text = sections[index]
        used = [notes[k] for k in _NOTE.findall(text) if k in notes]
        parts.append(renamed(text, copy))
        parts += [renamed(d, copy) + "\n" for d in dict.fromkeys(used)]
        total += words(text) + sum(words(d) for d in used)
        n += 1
    text = front + "".join(p if p.endswith("\n\n") else p + "\n" for p in parts) + bibliography
    # A cut-off copy may point at a section it does not hold: point at the first copy's, or,
    # if the manuscript is shorter than the paper, say it in words.
    defined = set(re.findall(r"\{#([\w-]+)", text))

    def target(m: re.Match[str]) -> str:
        ident, base = m.group(1), re.sub(r"-c\d+$", "", m.group(1))
        if ident in defined:
            return m.group(0)
        return f"@{base}" if base in defined else "a later section"

    return re.sub(r"@((?:sec|tbl|fig)-[\w-]+)", target, text)


def generate(scale: float, dest: Path, source: Path = ROOT) -> Path:
    """A project at `dest` whose paper.md is `scale` times the default paper."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source / "references", dest / "references")
    if (source / "templates").is_dir():  # the toolkit's templates are in the package
        shutil.copytree(source / "templates", dest / "templates")
    shutil.copytree(
        source / "manuscript",
        dest / "manuscript",
        ignore=lambda d, names: [
            n for n in names if n.endswith(".md") and Path(d).name == "manuscript"
        ],
    )
    paper = (source / "manuscript" / "paper.md").read_text("utf-8")
    (dest / "manuscript" / "paper.md").write_text(synthesize(paper, scale), "utf-8")
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out = generate(float(sys.argv[1]), Path(sys.argv[2]))
    print(f"{out}/manuscript/paper.md: {words((out / 'manuscript/paper.md').read_text())} words")
