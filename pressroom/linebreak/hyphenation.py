"""Which words may be divided, and where: pyphen's dictionaries (the ones WeasyPrint uses)
under a copy editor's rules."""

from __future__ import annotations

import re
from functools import cache

import pyphen

LEFT = RIGHT = 3  # letters kept before and after a hyphen (hyphenate-limit-chars: 6 3 3)
# Punctuation a word may carry outside its letters: quotes, brackets, stops.
_EDGES = "\"'“”‘’()[]{}«»‹›.,;:!?…*†‡§¶/"
_URLISH = re.compile(r"://|^www\.|@|\.(com|org|net|edu|gov|jp|uk)\b", re.IGNORECASE)


@cache
def _dictionary(lang: str) -> pyphen.Pyphen | None:
    fallback = pyphen.language_fallback(lang.replace("-", "_")) if lang else None
    if not fallback:
        return None
    return pyphen.Pyphen(lang=fallback, left=LEFT, right=RIGHT)


def may_hyphenate(token: str) -> bool:
    """A token (the text between two spaces) may be hyphenated unless it is a URL or an
    address, or holds a digit (dates, figures, FS-X)."""
    return not (_URLISH.search(token) or any(c.isdigit() for c in token))


_POSSESSIVE = ("\u2019s", "'s")  # administration’s: the letters before it are the word


def core(word: str) -> tuple[int, int]:
    """The span of a word's letters inside its surrounding punctuation and possessive ’s."""
    start, end = 0, len(word)
    while start < end and word[start] in _EDGES:
        start += 1
    while end > start and word[end - 1] in _EDGES:
        end -= 1
    if word[start:end].endswith(_POSSESSIVE):
        end -= 2
    return start, end


@cache
def points(word: str, lang: str) -> tuple[int, ...]:
    """Offsets inside `word` (a token's part between explicit hyphens, punctuation and all)
    where a hyphen may go: none in a capitalised word (a proper name, the first word of a
    sentence, which a reader takes for a name), an acronym, or anything that is not plain
    lower-case letters; at least LEFT and RIGHT letters on either side."""
    start, end = core(word)
    letters = word[start:end]
    if len(letters) < LEFT + RIGHT or not letters.isalpha() or not letters.islower():
        return ()
    dictionary = _dictionary(lang)
    if dictionary is None:
        return ()
    return tuple(start + p for p in dictionary.positions(letters))
