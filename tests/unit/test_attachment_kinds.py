"""The app's own rules for files: sizes as people read them, the kind a name says, which kinds are
risky to open on the workstation, and safe local names for what the server sent."""

from __future__ import annotations

import pytest

from operator_app.store.attachment_kinds import category_of, human_size, is_risky, may_open
from operator_app.ui.transcript_files import safe_file_name


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (10 * 1024 * 1024, "10.0 MB"),
        (int(2.5 * 1024**3), "2.5 GB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("請求書_2026年12月.pdf", "pdf"),
        ("PHOTO.JPEG", "images"),
        ("screenshot-20261207-150102.png", "images"),
        ("一覧.csv", "text"),
        ("見積.xlsx", "office"),
        ("macro.docm", None),
        ("setup.exe", None),
        ("README", None),
        (".pdf", None),
    ],
)
def test_category_by_name(name: str, category: str | None) -> None:
    assert category_of(name) == category


def test_office_documents_and_pdf_are_risky_images_and_text_are_not() -> None:
    assert is_risky("pdf")
    assert is_risky("office")
    assert not is_risky("images")
    assert not is_risky("text")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("請求書_2026年12月.pdf", "請求書_2026年12月.pdf"),
        ("..\\..\\evil.pdf", "_.._evil.pdf"),
        ('a<b>:"c".txt', "a_b_c_.txt"),
        ("noextension", "noextension"),
    ],
)
def test_safe_local_names_keep_the_extension_and_lose_folders(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe
    assert "/" not in safe_file_name(name)
    assert "\\" not in safe_file_name(name)


@pytest.mark.parametrize(
    ("name", "category", "opens"),
    [
        ("請求書.pdf", "pdf", True),
        ("見積.xlsx", "office", True),
        ("notes.md", "text", True),
        ("PHOTO.JPEG", "images", True),
        # A name whose kind is not the file's, or that a chat never accepts: saved, never opened.
        ("invoice.pdf.exe", "pdf", False),
        ("setup.exe.", "office", False),  # the trailing dot goes on disk: "setup.exe"
        ("link.lnk", "office", False),
        ("run.desktop", "text", False),
        ("script.js", "text", False),
        ("tool.bat", "text", False),
        ("photo.pdf", "images", False),  # an image's category, yet the system would open a PDF unasked
        ("README", "text", False),
    ],
)
def test_only_a_name_that_says_the_files_kind_is_opened(name: str, category: str, opens: bool) -> None:
    assert may_open(safe_file_name(name), category) is opens
