"""Search text for the archives: one normalisation, character bigrams as index tokens, and snippets.

Japanese has no spaces between words, and operators search for two-character words (抹茶, 配送), part
of an e-mail address or an order number; a word tokenizer finds none of these. So every indexed text
is normalised (Unicode NFKC, case folding, runs of white space made one space) and indexed by its
character bigrams (the technique of CJK search engines); a search finds the documents holding every
bigram of the normalised search text, then keeps those whose normalised text contains it as a
substring. The search text is never parsed as a query language: `"`, `*`, `NEAR`, `OR`, `%` or `\\`
are characters like any other.

Tokens are spelled with `[0-9a-z]` only (four base-36 digits per code point), so that SQLite's FTS5
tokenizer and PostgreSQL's tsquery syntax both take them as plain words. The last character of a
text also makes a token with the end mark, so a one-character search is a prefix search on tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from typing import Any

END = 36**4 - 1  # above every code point (0x10FFFF)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_SPACES = re.compile(r"\s+")
MAX_DOCUMENT_CHARS = 20_000  # longer texts are indexed up to here
MAX_QUERY_TOKENS = 64  # the index narrows by this many tokens; the substring check does the rest


def normalize(text: str) -> str:
    """NFKC, case folded, white space collapsed to single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _code(value: int) -> str:
    digits = []
    for _ in range(4):
        value, rest = divmod(value, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


@lru_cache(maxsize=16384)
def char_token(char: str) -> str:
    return _code(ord(char))


def tokens(normalized: str) -> list[str]:
    """The distinct bigram tokens of a normalised text (with the end mark after its last character)."""
    text = normalized[:MAX_DOCUMENT_CHARS]
    if not text:
        return []
    seen: dict[str, None] = {}
    for first, second in pairwise(text):
        seen[char_token(first) + char_token(second)] = None
    seen[char_token(text[-1]) + _code(END)] = None
    return list(seen)


def query_tokens(normalized: str) -> tuple[list[str], str | None]:
    """(tokens every match holds, a one-character prefix token) for a normalised search text."""
    if len(normalized) == 1:
        return [], char_token(normalized)
    found = list(dict.fromkeys(char_token(a) + char_token(b) for a, b in pairwise(normalized)))
    return _spread(found, MAX_QUERY_TOKENS), None


def _spread(items: list[str], most: int) -> list[str]:
    """At most `most` items, taken evenly across the list (a long search narrows by its whole length)."""
    if len(items) <= most:
        return items
    step = len(items) / most
    return [items[int(i * step)] for i in range(most)]


def fts5_match(required: Iterable[str], prefix: str | None) -> str:
    """An FTS5 MATCH expression (tokens are [0-9a-z] only, so quoting them is enough)."""
    terms = [f'"{token}"' for token in required]
    if prefix is not None:
        terms.append(f'"{prefix}" *')
    return " AND ".join(terms)


def tsquery(required: Iterable[str], prefix: str | None) -> str:
    """A PostgreSQL tsquery text (for `::tsquery`, no parser involved)."""
    terms = [f"'{token}'" for token in required]
    if prefix is not None:
        terms.append(f"'{prefix}':*")
    return " & ".join(terms)


def snippet(text: str, needle: str, width: int = 160) -> tuple[str, list[tuple[int, int]]]:
    """Plain text of `text` around the first place its normalisation contains `needle` (normalised),
    and the matching spans as offsets into the snippet. Without a match: the text's start."""
    flat = " ".join(text.split())
    if not needle:
        return _cut(flat, 0, width), []
    # Normalise character by character, remembering where each normalised character came from.
    normal: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(flat):
        for piece in unicodedata.normalize("NFKC", char).casefold():
            normal.append(piece)
            origin.append(index)
    haystack = "".join(normal)
    spans: list[tuple[int, int]] = []
    start = haystack.find(needle)
    while start >= 0 and len(spans) < 20:
        end = start + len(needle)
        spans.append((origin[start], origin[end - 1] + 1))
        start = haystack.find(needle, end)
    if not spans:
        return _cut(flat, 0, width), []
    first = spans[0][0]
    begin = max(0, min(first - width // 3, len(flat) - width))
    lead = 1 if begin > 0 else 0  # the leading ellipsis takes one character
    end = begin + width
    inside = [(a - begin + lead, min(b, end) - begin + lead) for a, b in spans if a >= begin and a < end]
    return _cut(flat, begin, width), inside


def _cut(text: str, begin: int, width: int) -> str:
    piece = text[begin : begin + width]
    if begin > 0:
        piece = "…" + piece
    if begin + width < len(text):
        piece += "…"
    return piece


def file_name(data: dict[str, Any] | None) -> str:
    """The name of the file a message event carries in its `data` (`chat_protocol.attachments`): the
    text the archives index for it; "" when it carries none."""
    found = (data or {}).get("attachment")
    name = found.get("name") if isinstance(found, dict) else None
    return name if isinstance(name, str) else ""
