"""Japanese line-breaking rules (kinsoku shori, JIS X 4051 / W3C JLReq §3.1.7), and which
text is Japanese."""

from __future__ import annotations

import re

# Characters that may not begin a line: closing brackets, stops and commas, small kana,
# the prolonged sound mark, iteration marks, middle dots.
NOT_AT_START = set(
    ")]}）〕］｝〉》」』】〙〗〟’”｠»"
    "、。，．,.・：；:;!?！？‼⁇⁈⁉"
    "ーゝゞヽヾ々〻"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "‐゠–〜～…‥"
)
# Characters that may not end a line: opening brackets.
NOT_AT_END = set("([{（〔［｛〈《「『【〘〖〝‘“｟«")
SHORT_TERM = 8  # a Japanese name or term of up to this many characters is not divided


# The same ranges as is_cjk, to find whether a word holds any at all.
CJK = re.compile(
    "[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u31f0-\u31ff"
    "\U00020000-\U0003ffff]"
)


def is_cjk(char: str) -> bool:
    """Han, kana, CJK punctuation and full-width forms: broken between characters."""
    cp = ord(char)
    return (
        0x3000 <= cp <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF  # full-width forms
        or 0x31F0 <= cp <= 0x31FF
        or 0x20000 <= cp <= 0x3FFFF
    )


def may_break_between(before: str, after: str) -> bool:
    """A break between two adjacent characters of Japanese text is allowed."""
    return before not in NOT_AT_END and after not in NOT_AT_START


def term_kept_whole(text: str) -> bool:
    """A short Japanese span (a name such as 経済団体連合会) is set unbroken."""
    return len(text.strip()) <= SHORT_TERM
