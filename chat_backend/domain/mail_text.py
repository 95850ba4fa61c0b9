"""The text of an inbound e-mail as plain text: HTML made plain (nothing is ever loaded), the quoted
history below a reply cut off, control characters dropped. Pure functions, no I/O."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never text: scripts, styles, the head (title, meta), embedded objects.
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "iframe", "svg"})
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "table",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "dt",
        "dd",
    }
)
_VOID = frozenset(
    {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
)


class _PlainText(HTMLParser):
    """Collects the text of an HTML document: images, tracking pixels and links' targets become
    nothing; blocks become line breaks. The parser only reads the string it is fed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "td":
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS and tag not in _VOID:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(re.sub(r"[ \t\r\n\f\v]+", " ", data))


def html_to_text(markup: str) -> str:
    """An HTML mail body as the plain text a reader sees (no markup, nothing remote)."""
    parser = _PlainText()
    parser.feed(markup)
    parser.close()
    lines = [re.sub(" {2,}", " ", line).strip() for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Line breaks as `\\n`; NUL and other control characters (tab kept) removed; no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# Where the quoted history of a reply begins (a line, or a line and the next one joined).
_HISTORY_LINE = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^.{0,300}<[^<>\s]+@[^<>\s]+>\s*wrote:\s*$", re.IGNORECASE),
    re.compile(r"^.{0,300}(さん|様)?は書きました\s*[:：]?\s*$"),  # Japanese Gmail/Thunderbird
    re.compile(r"^.{0,300}のメッセージ\s*[:：]\s*$"),  # Japanese Apple Mail ("… のメッセージ:")
    re.compile(r"^\s*-{2,}\s*(Original Message|元のメッセージ|Forwarded message)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*差出人\s*[:：]"),  # Japanese Outlook's header block
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above its "From:" block
]
_ATTRIBUTION = re.compile(r"^.{0,300}<[^<>\s]+@[^<>\s]+>\s*[:：]\s*$")
_FROM_BLOCK = re.compile(r"^\s*(From|差出人)\s*[:：]\s*\S", re.IGNORECASE)
_BLOCK_FIELD = re.compile(r"^\s*(Sent|Date|To|Cc|Subject|送信日時|日付|宛先|件名)\s*[:：]", re.IGNORECASE)


def _history_starts(lines: list[str], i: int) -> bool:
    line = lines[i]
    following = lines[i + 1].strip() if i + 1 < len(lines) else ""
    joined = f"{line} {following}"  # a client that wrapped its "On …, Name <x@y> wrote:" line
    if any(p.match(line) for p in _HISTORY_LINE[:4]):
        return True
    if _HISTORY_LINE[0].match(joined) or (following.startswith("<") and _HISTORY_LINE[1].match(joined)):
        return True
    if any(p.match(line) for p in _HISTORY_LINE[4:6]):
        return True
    if _HISTORY_LINE[6].match(line):  # a rule only when a "From:" block follows it
        return i + 1 < len(lines) and bool(_FROM_BLOCK.match(lines[i + 1]))
    if _ATTRIBUTION.match(line):  # Japanese Gmail: "2026年12月7日(月) 14:00 Name <x@y>:" then quotes
        return following.startswith(">")
    if _FROM_BLOCK.match(line):  # "From:" only as the start of a header block (another field follows)
        return any(_BLOCK_FIELD.match(following) for following in lines[i + 1 : i + 5])
    return False


def strip_history(text: str) -> str:
    """The reply without the history it quotes: everything from the first "On … wrote:" (and its
    Japanese, Outlook and "Original Message" forms) on, then trailing `>`-quoted lines. A mail that
    is nothing but quotation stays whole (nothing would be left of it)."""
    lines = text.split("\n")
    cut = len(lines)
    for i in range(len(lines)):
        if _history_starts(lines, i):
            cut = i
            break
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(kept).strip("\n")
    return result if result.strip() else text
