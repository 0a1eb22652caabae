"""The sample paper's own content (`make content-check`, not `make test`): a finished conference
paper, its abstract, its source appendix and its handout, written from two seed texts and
not copied from them (checked when PRESSROOM_SEEDS names the folder that holds them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from ..conftest import ROOT, Run
from ..readers import docx_footnotes, note_pages, pdf_pages

# The seed texts are not part of the repository: a folder the user names, or nothing.
SEEDS = Path(os.environ["PRESSROOM_SEEDS"]) if os.environ.get("PRESSROOM_SEEDS") else None
LIBRARY = yaml.safe_load((ROOT / "references" / "library.yaml").read_text("utf-8"))["references"]
META = yaml.safe_load((ROOT / "manuscript" / "metadata.yaml").read_text("utf-8"))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def grams(tokens: list[str], n: int = 10) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def test_all_documents_build_without_warnings(default_build: Run) -> None:
    for name in ("paper", "abstract", "appendix"):
        for fmt in ("pdf", "html", "docx"):
            assert (default_build.build / f"{name}.{fmt}").stat().st_size > 5000
    assert "warning" not in default_build.stderr, default_build.stderr


def test_the_paper_has_its_forty_notes(default_build: Run) -> None:
    pages = note_pages(default_build.build / "paper.pdf")
    assert len(pages) >= 40
    assert len(docx_footnotes(default_build.build / "paper.docx")) == len(pages)


def test_every_reference_is_cited_and_catalogued(default_build: Run) -> None:
    paper = (ROOT / "manuscript" / "paper.md").read_text("utf-8")
    appendix = BeautifulSoup(
        (default_build.build / "appendix.html").read_text("utf-8"), "html.parser"
    )
    appendix_text = appendix.get_text(" ")
    for item in LIBRARY:
        assert re.search(rf"@{re.escape(item['id'])}\b", paper), f"{item['id']} is never cited"
        probe = re.sub(r"<[^>]+>", "", item.get("title") or item["container-title"])
        probe = " ".join(probe.split()[:5])
        assert probe in " ".join(appendix_text.split()), (
            f"{item['id']} is missing from the appendix"
        )
    cited = appendix_text.count("Cited in the paper")
    assert cited == len(LIBRARY)


def test_paper_uses_what_the_toolkit_offers(default_build: Run) -> None:
    soup = BeautifulSoup((default_build.build / "paper.html").read_text("utf-8"), "html.parser")
    assert soup.find("table")
    article = BeautifulSoup(
        (default_build.build / "paper.html").read_text("utf-8"), "html.parser"
    ).find("article")
    for drop in article.select("section.footnotes, #refs, .abstract, table, #bibliography"):
        drop.decompose()
    body_words = len(article.get_text(" ").split())
    assert 6000 <= body_words <= 8000, body_words
    source = (ROOT / "manuscript" / "paper.md").read_text("utf-8")
    located = re.findall(r'@[\w-]+(?:, |\s*\[)(?:p{1,2}\.\s*)?(?:under "|table|\d)', source)
    assert len(located) >= 40, len(located)
    assert len(soup.select("a.cross-ref")) >= 4
    assert len(soup.select('span[lang="ja"]')) >= 5
    notes = soup.select("section.footnotes li")
    assert any(len(n.find_all("p")) >= 2 for n in notes), "a multi-paragraph note"


def test_abstract_is_single_sourced_and_within_its_limit(default_build: Run) -> None:
    text = (ROOT / "manuscript" / "partials" / "abstract.md").read_text("utf-8")
    assert len(text.split()) <= META["limits"]["abstract"]["words"]
    opening = " ".join(text.split()[:12])
    for name in ("paper", "abstract"):
        pdf_text = " ".join(" ".join(pdf_pages(default_build.build / f"{name}.pdf")).split())
        assert opening in pdf_text.replace("‐", "-"), name


def test_the_handout_gives_the_talk_on_one_page(default_build: Run) -> None:
    pdf = default_build.build / "handout.pdf"
    assert len(PdfReader(pdf).pages) == 1
    text = " ".join(pdf_pages(pdf)[0].split()).replace("‐ ", "").replace("‐", "-")
    assert "The Japan–U.S. Conflict over Dual-Use Technologies" in text
    assert "June 5, 2026, 9:00 a.m. BST" in text, "the session as en-US writes it"
    assert "A private letter made a public deal possible." in text
    assert "Rubinstein, Gregg A. Guidelines for Increase of U.S.-Japanese" in text


def test_no_sentence_of_the_seeds_is_copied() -> None:
    if SEEDS is None or not SEEDS.is_dir():
        pytest.skip("no seed texts named (PRESSROOM_SEEDS=FOLDER)")
    assert len(list(SEEDS.glob("*.txt"))) == 2
    titles = set()
    for item in LIBRARY:
        for key in ("title", "container-title"):
            if item.get(key):
                titles |= grams(words(re.sub(r"<[^>]+>", "", item[key])))
    seeds = set()
    for seed in SEEDS.glob("*.txt"):
        seeds |= grams(words(seed.read_text("utf-8")))
    seeds -= titles
    for path in sorted((ROOT / "manuscript").rglob("*")):
        if path.is_file():
            shared = grams(words(path.read_text("utf-8"))) & seeds
            assert not shared, f"{path.name} shares with a seed: {' '.join(sorted(shared)[0])}"


def test_library_follows_the_data_conventions() -> None:
    by_type: dict[str, list[dict]] = {}
    for item in LIBRARY:
        by_type.setdefault(item["type"], []).append(item)
    assert len(by_type["treaty"]) == 3
    for treaty in by_type["treaty"]:
        assert all("literal" in a for a in treaty["author"]), "parties as literal authors"
        assert len(treaty["issued"]["date-parts"][0]) == 3, "the full date of signing"
    hearing = by_type["hearing"][0]
    assert hearing["section"] and hearing["authority"], "testimony from the printed hearing"
    for item in LIBRARY:
        if item["type"] in ("article-newspaper", "article-magazine") and "title" not in item:
            assert "author" not in item, f"{item['id']}: no author on unsigned press items"
        assert not str(item.get("publisher", "")).startswith("The ")


def test_the_paper_reads_as_finished(default_build: Run) -> None:
    """No drafting passages, no draft markers, no mention of where the paper's facts were
    gathered, and Chicago's locators for a work without pages (under "Heading", not sec.)."""
    source = (ROOT / "manuscript" / "paper.md").read_text("utf-8")
    assert not re.search(r"@[\w-]+(?:, |\s*\[)sec\.", source), "sec. locators"
    assert ".todo" not in source and "::: todo" not in source, "draft markers"
    for name in ("paper", "abstract", "appendix", "handout"):
        text = " ".join(" ".join(pdf_pages(default_build.build / f"{name}.pdf")).split())
        for phrase in ("to be added", "seed text", "the seeds", "seed abstract", "this draft"):
            assert phrase not in text.lower(), f"{name}.pdf: {phrase!r}"
    notes = docx_footnotes(default_build.build / "paper.docx")
    assert not any("sec." in n for n in notes)
    assert sum('under "' in n or "under “" in n for n in notes) >= 40
