"""Issue 14: `pressroom diff` on the default paper, with edits of every kind.

The project is copied and committed to git (version 1); the working tree is then edited
(version 2) and `diff --from HEAD` writes build/diff/ once for the session. The oracle for the
tracked DOCX is pandoc's own reader: accepting every change must give exactly the text of
version 2's normal DOCX, rejecting every change exactly that of version 1, notes included."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from pressroom import pandoc
from pressroom.blind import identities
from pressroom.config import load_project
from pressroom.documents import Corpus
from pressroom.redline.diff import AUTOMATIC_AUTHOR, diff_documents
from pressroom.submission import readable_parts

from .conftest import copy_default_project, run_build
from .ooxml.validate import invalid_parts
from .readers import pdf_pages

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
AUTHOR = "Hanako Yamada"  # manuscript/metadata.yaml


@dataclass
class Edited:
    """What the edits changed, as a reader would look for it."""

    old_word: str
    new_word: str
    old_locator: str
    new_locator: str
    deleted_sentence: str
    new_paragraph: str
    new_note: str
    note_word: str
    moved: str
    old_cell: str
    new_cell: str
    heading: str


def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def _body(paragraph: str) -> bool:
    """A plain paragraph of running text (not a heading, table, list, div or include)."""
    start = paragraph.lstrip("\n")[:1]
    return bool(start) and start not in "#:|{>-*[ " and not paragraph.startswith("Table:")


def edit(project: Path) -> Edited:
    """Edits of every kind, each found in the paper as it stands (not by line number), so that
    the paper's own revisions do not break the test."""
    paper = project / "manuscript" / "paper.md"
    text = paper.read_text("utf-8")
    paras = _paragraphs(text)
    body = [i for i, p in enumerate(paras) if _body(p) and len(p.split()) > 40]

    # A word: the first long word of the third body paragraph.
    i = body[2]
    old_word = next(w for w in re.findall(r"[A-Za-z]+", paras[i]) if len(w) >= 8)
    new_word = "Reconsidered" if old_word[0].isupper() else "reconsidered"
    paras[i] = paras[i].replace(old_word, new_word, 1)

    # A citation's locator: the first numeric page.
    m = re.search(r"\[@(\w+), (\d+)\]", "\n\n".join(paras))
    assert m, "the paper has no citation with a page number"
    old_locator, new_locator = m.group(2), str(int(m.group(2)) + 2)
    joined = "\n\n".join(paras).replace(m.group(0), f"[@{m.group(1)}, {new_locator}]", 1)
    paras = _paragraphs(joined)

    # A deleted sentence that carries a note (a citation, in a notes style).
    i = body[4]
    flat = paras[i].replace("\n", " ")
    s = re.search(r"(?<=\. )[A-Z][^.\[\]^]{20,}\[@[^\]]+\]\.", flat)
    assert s, "no sentence ending in a citation in the fifth body paragraph"
    deleted_sentence = s.group(0)
    paras[i] = flat.replace(deleted_sentence + " ", "", 1).replace(deleted_sentence, "", 1)

    # A moved paragraph: the seventh body paragraph goes just before the conclusion.
    moved_index = body[6]
    moved = paras[moved_index]
    conclusion = next(k for k, p in enumerate(paras) if re.match(r"# Conclusion", p))

    # A heading: one more word.
    heading = paras[conclusion].split("{")[0].strip("# ").strip() + " and Outlook"
    paras[conclusion] = re.sub(r"^# ([^{]+?) \{", f"# {heading} {{", paras[conclusion])

    # A new paragraph with a new note.
    new_note = "A note written for the second version."
    new_paragraph = "This paragraph was written for the second version of the paper."
    paras.insert(conclusion, f"{new_paragraph}^[{new_note}]")
    paras.insert(conclusion, moved)
    del paras[moved_index]

    # An edited note: one word more in the paper's first note of its own.
    joined = "\n\n".join(paras)
    note = joined.index("^[")
    note_word = "(emended)"
    joined = joined[: note + 2] + note_word + " " + joined[note + 2 :]
    paper.write_text(joined, "utf-8")

    # A table cell: the timeline's first event, from data/timeline.yaml.
    data = project / "manuscript" / "data" / "timeline.yaml"
    rows = data.read_text("utf-8")
    e = re.search(r'event: "([^"]+)"', rows)
    assert e
    old_cell = e.group(1)
    new_cell = old_cell.rsplit(" ", 1)[0] + " (amended)"
    data.write_text(rows.replace(e.group(0), f'event: "{new_cell}"', 1), "utf-8")
    return Edited(
        old_word,
        new_word,
        old_locator,
        new_locator,
        deleted_sentence,
        new_paragraph,
        new_note,
        note_word,
        " ".join(moved.split()[:8]),
        old_cell,
        new_cell,
        heading,
    )


@dataclass
class Redline:
    project: Path
    edited: Edited
    old_docx: Path
    new_docx: Path
    stderr: str
    git_before: tuple[str, bytes]

    @property
    def out(self) -> Path:
        return self.project / "build" / "diff"


def _git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="session")
def redline(tmp_path_factory: pytest.TempPathFactory) -> Redline:
    project = copy_default_project(tmp_path_factory.mktemp("redline"))
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "v1")
    run = run_build(project, "build", "paper.docx")
    assert run.code == 0, run.stderr
    old_docx = project.parent / "v1.docx"
    old_docx.write_bytes((project / "build" / "paper.docx").read_bytes())
    edited = edit(project)
    run = run_build(project, "build", "paper.docx")
    assert run.code == 0, run.stderr
    new_docx = project.parent / "v2.docx"
    new_docx.write_bytes((project / "build" / "paper.docx").read_bytes())
    before = (_git(project, "status", "--porcelain"), (project / ".git" / "index").read_bytes())
    run = run_build(project, "diff", "--from", "HEAD")
    assert run.code == 0, run.stderr
    return Redline(project, edited, old_docx, new_docx, run.stderr, before)


def _plain(docx: Path, mode: str) -> str:
    out, _ = pandoc.run(
        ["-f", "docx", f"--track-changes={mode}", "-t", "plain", "--wrap=none", str(docx)]
    )
    return out.decode("utf-8")


def test_every_document_of_both_versions_is_diffed(redline: Redline) -> None:
    for name in ("paper", "abstract", "appendix"):
        for suffix in (".pdf", ".html", ".docx", ".highlighted.docx"):
            assert (redline.out / f"{name}{suffix}").is_file(), name + suffix
    assert (redline.out / "handout.pdf").is_file()


def test_the_users_working_tree_and_index_are_untouched(redline: Redline) -> None:
    status, index = redline.git_before
    assert _git(redline.project, "status", "--porcelain") == status
    assert (redline.project / ".git" / "index").read_bytes() == index
    assert _git(redline.project, "stash", "list") == ""


def test_tracked_docx_is_schema_valid(redline: Redline) -> None:
    for name in ("paper.docx", "paper.highlighted.docx", "appendix.docx"):
        assert invalid_parts(redline.out / name) == [], name


def test_accepting_every_change_gives_the_new_text_and_rejecting_the_old(redline: Redline) -> None:
    tracked = redline.out / "paper.docx"
    assert _plain(tracked, "accept") == _plain(redline.new_docx, "accept")
    assert _plain(tracked, "reject") == _plain(redline.old_docx, "accept")


def _revisions(docx: Path) -> list[tuple[str, object]]:
    from lxml import etree

    found = []
    with zipfile.ZipFile(docx) as z:
        for part in ("word/document.xml", "word/footnotes.xml"):
            root = etree.fromstring(z.read(part))
            for el in root.iter(W + "ins", W + "del"):
                found.append((part, el))
            for text in root.iter(W + "delText"):
                assert any(a.tag == W + "del" for a in text.iterancestors()), (
                    "delText outside w:del"
                )
            for el in root.iter(W + "ins", W + "del"):
                assert el.find(W + "hyperlink") is None, (
                    "a revision around a link (jgm/pandoc#4609)"
                )
    return found


def test_tracked_changes_have_author_date_and_unique_ids(redline: Redline) -> None:
    revisions = _revisions(redline.out / "paper.docx")
    parts = {part for part, _ in revisions}
    assert parts == {"word/document.xml", "word/footnotes.xml"}  # changes inside notes too
    ids = [el.get(W + "id") for _, el in revisions]
    assert len(ids) == len(set(ids))
    assert {el.get(W + "author") for _, el in revisions} <= {AUTHOR, AUTOMATIC_AUTHOR}
    assert all(el.get(W + "date", "").startswith("20") for _, el in revisions)
    # Paragraph marks of the inserted and deleted (moved) paragraphs.
    marks = [
        el
        for _, el in revisions
        if el.getparent().tag == W + "rPr" and el.getparent().getparent().tag == W + "pPr"
    ]
    assert {el.tag for el in marks} == {W + "ins", W + "del"}
    with zipfile.ZipFile(redline.out / "paper.docx") as z:
        assert b"<w:trackRevisions/>" in z.read("word/settings.xml")
        assert b"redline-pm-" not in z.read("word/document.xml")


def _soup(redline: Redline) -> BeautifulSoup:
    return BeautifulSoup((redline.out / "paper.html").read_text("utf-8"), "html.parser")


def _marked(soup: BeautifulSoup, tag: str) -> str:
    return " ".join(" ".join(e.get_text(" ").split()) for e in soup.find_all(tag))


def test_html_marks_every_edit_with_ins_and_del(redline: Redline) -> None:
    e = redline.edited
    soup = _soup(redline)
    deleted, inserted = _marked(soup, "del"), _marked(soup, "ins")
    assert e.old_word in deleted and e.new_word in inserted
    assert e.old_locator in deleted and e.new_locator in inserted
    assert " ".join(e.deleted_sentence.split()[:5]) in deleted
    assert e.new_paragraph in inserted and e.new_note in inserted
    assert e.note_word in inserted
    assert e.moved in deleted and e.moved in inserted
    assert e.old_cell.rsplit(" ", 1)[1] in deleted and "(amended)" in inserted
    assert "Outlook" in inserted
    for element in soup.find_all(["ins", "del"]):
        if not element.find_parent(class_="redline-summary"):  # the legend marks nothing
            assert element.get("data-author") == AUTHOR and element.get("datetime")


def test_html_lists_every_change_with_a_link_to_it(redline: Redline) -> None:
    soup = _soup(redline)
    links = soup.select(".redline-changes a")
    assert len(links) >= 8
    for link in links:
        target = soup.find(id=link["href"][1:])
        assert target is not None and target.name in ("ins", "del")
    assert "Changes from HEAD" in soup.select_one(".redline-summary").get_text(" ")
    listed = " ".join(link.get_text(" ") for link in links)
    assert "moved to §" in listed and "moved from §" in listed


def test_a_note_that_changed_form_only_because_of_other_edits_is_not_marked(
    redline: Redline,
) -> None:
    """The moved paragraph's citations print in full or short form by where they now stand:
    the page shows the new form unmarked; the tracked DOCX marks it under its own author, so
    that Reject All still gives the old text."""
    soup = _soup(redline)
    assert "only because of these changes" in soup.select_one(".redline-summary").get_text(" ")
    authors = {el.get(W + "author") for _, el in _revisions(redline.out / "paper.docx")}
    assert AUTOMATIC_AUTHOR in authors


def test_pdf_shows_struck_and_inserted_words_and_a_summary(redline: Redline) -> None:
    e = redline.edited
    pages = pdf_pages(redline.out / "paper.pdf")
    # Words joined again where the PDF hyphenated them at a line's end.
    text = re.sub(r"[-\u00ad\u2010]\s+", "", " ".join(" ".join(pages).split()))
    assert "Changes from HEAD" in " ".join(pages[0].split())
    for word in (e.old_word, e.new_word, e.new_paragraph[:30], e.new_note[:20], "Outlook"):
        assert word.replace("-", "") in text.replace("-", ""), word
    page = next(p for p in pages if e.new_locator in p and e.old_locator in p)
    assert page


def test_the_redline_page_styles_ins_and_del() -> None:
    css = (Path(__file__).resolve().parents[1] / "pressroom/templates/redline.css").read_text()
    assert re.search(r"ins\.insertion \{[^}]*underline", css)
    assert re.search(r"del\.deletion \{[^}]*line-through", css)


def test_a_version_diffed_against_itself_marks_nothing(tmp_path: Path) -> None:
    project = copy_default_project(tmp_path)
    corpus = Corpus(load_project(project))
    for name in ("paper", "abstract", "appendix", "handout"):
        ast = corpus.cited(name).ast
        again = json.loads(json.dumps(ast))
        assert diff_documents(ast, again, AUTHOR, "2026-01-01T00:00:00Z") == ast


def test_a_blind_diff_names_no_author(redline: Redline, tmp_path: Path) -> None:
    """The blind leak checker runs on build/diff/ (and passes); read here once more."""
    project = tmp_path / "blind"
    shutil.copytree(redline.project, project)
    run = run_build(project, "diff", "--from", "HEAD", "--blind", "paper")
    assert run.code == 0, run.stderr
    wanted = identities(load_project(project))
    for suffix in (".pdf", ".html", ".docx", ".highlighted.docx"):
        path = project / "build" / "diff" / f"paper{suffix}"
        for part, text in readable_parts(path.name, path.read_bytes()):
            for kind, value in wanted:
                assert value.lower() not in text.lower(), f"{kind} in {path.name}: {part}"
    html = BeautifulSoup(
        (project / "build" / "diff" / "paper.html").read_text("utf-8"), "html.parser"
    )
    changes = [
        e for e in html.find_all(["ins", "del"]) if not e.find_parent(class_="redline-summary")
    ]
    assert {e.get("data-author") for e in changes} == {"Author"}


def test_an_unknown_revision_is_one_located_error(redline: Redline) -> None:
    run = run_build(redline.project, "diff", "--from", "no-such-tag")
    assert run.code == 1
    assert run.stderr.strip().endswith("[diff.version]")
    assert "Traceback" not in run.stderr


def test_two_revisions_diff_into_this_projects_build(redline: Redline) -> None:
    """--to a revision too: both sides read from git; the redline still lands in build/diff/,
    and a revision against itself marks nothing."""
    run = run_build(redline.project, "diff", "--from", "HEAD", "--to", "HEAD", "abstract")
    assert run.code == 0, run.stderr
    soup = BeautifulSoup((redline.out / "abstract.html").read_text("utf-8"), "html.parser")
    assert "No changes." in soup.select_one(".redline-summary").get_text(" ")
    assert [
        e for e in soup.find_all(["ins", "del"]) if not e.find_parent(class_="redline-summary")
    ] == []
    assert _revisions(redline.out / "abstract.docx") == []


def test_an_error_in_the_earlier_version_names_that_version(
    redline: Redline, tmp_path: Path
) -> None:
    project = tmp_path / "broken"
    shutil.copytree(redline.project, project)
    paper = project / "manuscript" / "paper.md"
    good = paper.read_text("utf-8")
    paper.write_text(good.replace("[@", "[@nosuchkey; @", 1), "utf-8")
    _git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "bad")
    paper.write_text(good, "utf-8")
    run = run_build(project, "diff", "--from", "HEAD", "paper")
    assert run.code == 1 and "Traceback" not in run.stderr
    [line] = run.stderr.strip().splitlines()
    assert re.match(
        r"broken/build/\.cache/diff/\w+/manuscript/paper\.md:\d+: error: unknown citation key", line
    )
    assert line.endswith(
        "(in HEAD ("
        + _git(project, "rev-parse", "--short=7", "HEAD").strip()
        + ")) [citation.unknown]"
    )
