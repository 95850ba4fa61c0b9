"""File names from senders, made fit to show and to save: one plain component, no control or direction
characters, no Windows device names, a bounded length that keeps the extension."""

from __future__ import annotations

import re
import unicodedata

from chat_protocol.attachments import MAX_FILE_NAME_CHARS

# Longest suffix after the last dot that still counts as an extension.
MAX_EXTENSION_CHARS = 15

# Control, format (bidi overrides and isolates, LRM/RLM, zero-width), surrogate and line/paragraph
# separator characters: invisible or able to reorder what a name shows.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_FORBIDDEN = str.maketrans(dict.fromkeys('<>:"/\\|?*', "_"))
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")
_TRAILING = re.compile(r"[\s.]+$")
_SEPARATORS = re.compile(r"[/\\]")
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in "123456789\u00b9\u00b2\u00b3"}
)


def safe_name(raw: str, fallback: str = "file") -> str:
    """A file name fit to show and to save (see the module's docstring); `fallback` when nothing is left."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    parts = [part for part in _SEPARATORS.split(text) if part.strip()]
    name = _EDGES.sub("", parts[-1].translate(_FORBIDDEN)) if parts else ""
    if name.split(".", 1)[0].rstrip().upper() in _RESERVED:
        name = "_" + name
    if len(name) > MAX_FILE_NAME_CHARS:
        ext = extension(name)
        suffix = name[len(name) - len(ext) :] if ext else ""
        stem = _TRAILING.sub("", name[: MAX_FILE_NAME_CHARS - len(suffix)])
        if not suffix and extension(stem):
            # The cut must not make an extension out of the middle of a name ("a….exe" + "xxxx…").
            dot = stem.rfind(".")
            stem = stem[:dot] + "_" + stem[dot + 1 :]
        name = stem + suffix
    return name or fallback


def extension(name: str) -> str:
    """The lower-case extension with its dot (".png"), or "" when the name has none.

    An extension is 1 to 15 ASCII letters and digits after the last dot (not a leading one), with at
    least one letter: "10.30" or "report. final" have none."""
    dot = name.rfind(".")
    if dot <= 0:
        return ""
    suffix = name[dot + 1 :]
    if (
        0 < len(suffix) <= MAX_EXTENSION_CHARS
        and suffix.isascii()
        and suffix.isalnum()
        and not suffix.isdigit()
    ):
        return "." + suffix.lower()
    return ""


def with_extension(name: str, ext: str) -> str:
    """`name` with its extension replaced by `ext` (".png"; "" removes it), or `ext` appended when it has
    none; still at most MAX_FILE_NAME_CHARS characters."""
    if ext and not ext.startswith("."):
        ext = "." + ext
    current = extension(name)
    stem = name[: len(name) - len(current)] if current else name
    stem = _TRAILING.sub("", stem[: MAX_FILE_NAME_CHARS - len(ext)]) or "file"
    return stem + ext


def size_text(size: int) -> str:
    """A size for people, 1024-based as file managers show it: "512 B", "2 KB", "1.5 MB", "10 MB"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{max(0, size)} B"
