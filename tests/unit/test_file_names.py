"""Senders' file names made safe: one plain component, no control or direction characters, no Windows
device names, a bounded length that keeps the extension."""

from __future__ import annotations

import unicodedata

import pytest

from chat_backend.files.names import extension, safe_name, with_extension
from chat_protocol.attachments import MAX_FILE_NAME_CHARS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("C:\\Users\\me\\Desktop\\photo.JPG", "photo.JPG"),
        ("folder/", "folder"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.pdf", "_LPT1.pdf"),
        ("com9.tar.gz", "_com9.tar.gz"),
        ("Nul .txt", "_Nul .txt"),
        ("console.txt", "console.txt"),
        ("COM10.txt", "COM10.txt"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("\u2066a\u2069b\u200e\u200f\u202a\u202b\u202c\u202d.txt", "ab.txt"),
        ("zero\u200bwidth\ufeff\u200d.png", "zerowidth.png"),
        ("tab\tnew\nline\r\x00\x1b\x7f\x85.txt", "tabnewline.txt"),
        ("line\u2028para\u2029.txt", "linepara.txt"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("report.txt:hidden", "report.txt_hidden"),
        ("...hidden", "hidden"),
        ("  . spaced . .", "spaced"),
        ("name.txt. . ", "name.txt"),
        ("写真 2024.png", "写真 2024.png"),
        ("", "file"),
        ("...", "file"),
        (". .", "file"),
        ("/", "file"),
        ("\u202e\u200b", "file"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


def test_nfc() -> None:
    decomposed = "Cafe\u0301.txt"
    assert safe_name(decomposed) == unicodedata.normalize("NFC", decomposed) == "Caf\u00e9.txt"


def test_fallback_when_nothing_is_left() -> None:
    assert safe_name("../..", fallback="image") == "image"


def test_long_name_keeps_its_extension() -> None:
    name = safe_name("a" * 300 + ".pdf")
    assert len(name) == MAX_FILE_NAME_CHARS
    assert name == "a" * (MAX_FILE_NAME_CHARS - 4) + ".pdf"


def test_long_name_with_an_absurd_extension_is_cut_without_it() -> None:
    name = safe_name("report." + "x" * 300)
    assert len(name) == MAX_FILE_NAME_CHARS
    assert extension(name) == ""


def test_cutting_never_makes_an_extension() -> None:
    raw = "a" * (MAX_FILE_NAME_CHARS - 4) + ".exe" + "x" * 40
    name = safe_name(raw)
    assert len(name) <= MAX_FILE_NAME_CHARS
    assert extension(name) == ""
    assert not name.endswith(".exe")


def test_cut_does_not_end_in_dots_or_spaces() -> None:
    name = safe_name("a" * (MAX_FILE_NAME_CHARS - 6) + " . . " + "b" * 200 + ".txt")
    assert name.endswith(".txt")
    assert len(name) <= MAX_FILE_NAME_CHARS


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.PNG", ".png"),
        ("archive.tar.gz", ".gz"),
        ("image", ""),
        ("hidden.", ""),
        (".bashrc", ""),
        ("Screenshot at 10.30", ""),
        ("report. final", ""),
        ("x." + "a" * 15, "." + "a" * 15),
        ("x." + "a" * 16, ""),
        ("x.mp3", ".mp3"),
        ("x.文書", ""),
    ],
)
def test_extension(name: str, expected: str) -> None:
    assert extension(name) == expected


@pytest.mark.parametrize(
    ("name", "ext", "expected"),
    [
        ("image", ".png", "image.png"),
        ("photo.jpeg", ".jpg", "photo.jpg"),
        ("notes.md", "txt", "notes.txt"),
        ("Screenshot at 10.30", ".png", "Screenshot at 10.30.png"),
        ("report.pdf", "", "report"),
    ],
)
def test_with_extension(name: str, ext: str, expected: str) -> None:
    assert with_extension(name, ext) == expected


def test_with_extension_stays_within_the_limit() -> None:
    name = with_extension("a" * MAX_FILE_NAME_CHARS, ".png")
    assert len(name) == MAX_FILE_NAME_CHARS
    assert name.endswith("a.png")
