"""How a file's message reads in transcripts: "[File] name (size)", in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat_backend.domain.exports import LABELS, message_text
from chat_backend.files.names import size_text
from chat_protocol.attachments import AttachmentInfo
from chat_protocol.models import Author, AuthorKind, MessageEvent


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1 KB"), (120 * 1024, "120 KB"), (1536 * 1024, "1.5 MB")],
)
def test_sizes_read_as_people_read_them(size: int, shown: str) -> None:
    assert size_text(size) == shown


def _message(text: str, attachment: AttachmentInfo | None) -> MessageEvent:
    return MessageEvent(
        event_id=1,
        chat_id="c",
        seq=1,
        created_at=datetime.now(UTC),
        author=Author(kind=AuthorKind.VISITOR, id="v", name=""),
        text=text,
        attachment=attachment,
    )


def test_a_files_message_names_the_file_and_a_plain_message_is_its_text() -> None:
    pdf = AttachmentInfo(
        attachment_id="a", name="invoice.pdf", size=120 * 1024, content_type="application/pdf", category="pdf"
    )
    assert message_text(_message("", pdf), LABELS["en"]) == "[File] invoice.pdf (120 KB)"
    assert message_text(_message("", pdf), LABELS["ja"]) == "[ファイル] invoice.pdf (120 KB)"
    assert message_text(_message("hello", None), LABELS["en"]) == "hello"
