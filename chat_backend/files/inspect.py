"""What a sent file is, found from its content alone (never its name): an image (re-encoded, see
`images`), a PDF, an office document, or plain text. Anything else, a name that says otherwise, or a
file too large or too complex to handle safely is refused with a stable code and a sentence for people.
Pure CPU work with no I/O: the caller runs it in a thread."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from chat_backend.files.images import ImageFormat, ImageRefused, reencode, sniff
from chat_backend.files.names import extension, safe_name, size_text, with_extension
from chat_protocol.attachments import FileCategory

# Office files are ZIPs whose directory is read, never extracted; these bound what it may promise.
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024
MAX_ZIP_TOTAL_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRY_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 200
# Small entries may compress very well (a run of spaces) without harm; the ratio is checked above this.
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
# A PDF's last `%%EOF` must be within this many bytes of the end.
PDF_TAIL_BYTES = 1024

TEXT_EXTENSIONS = (".txt", ".log", ".csv", ".md", ".json")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EOCD = struct.Struct("<4s4H2LH")  # a ZIP's end of central directory record
# C0 and C1 controls other than tab, line breaks, form feed and escape (coloured logs); U+F8F0-U+F8F3
# are what CP932 makes of bytes no Japanese text has.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\uf8f0-\uf8f3]")

_IMAGES: dict[ImageFormat, tuple[str, tuple[str, ...]]] = {
    "PNG": ("image/png", (".png",)),
    "JPEG": ("image/jpeg", (".jpg", ".jpeg")),
    "GIF": ("image/gif", (".gif",)),
    "WEBP": ("image/webp", (".webp",)),
}
_OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
_ODF = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
# Legacy Office files: the stream (its name in UTF-16) that each kind of document holds.
_OLE2 = {
    ".doc": ("application/msword", ("WordDocument",)),
    ".xls": ("application/vnd.ms-excel", ("Workbook", "Book")),
    ".ppt": ("application/vnd.ms-powerpoint", ("PowerPoint Document",)),
}
_MESSAGES = {
    "empty": "The file is empty.",
    "type_not_allowed": "Files of this type cannot be sent here.",
    "damaged": "The file is damaged or could not be read.",
}


class FileRefused(Exception):
    """A file that is not taken: a stable `code` (see `UploadRefusal`) and a `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Inspected:
    name: str
    content_type: str
    category: FileCategory
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    thumbnail_type: str | None = None


@dataclass(frozen=True)
class _Kind:
    """What the content was found to be, and the extensions a name for it may have (the first is added
    to a name without one)."""

    category: FileCategory
    content_type: str
    extensions: tuple[str, ...]
    image: ImageFormat | None = None
    markup: bool = False


def inspect_file(data: bytes, claimed_name: str, allowed: Collection[str], max_bytes: int) -> Inspected:
    """The file as it may be stored and shown, or `FileRefused`."""
    if not data:
        raise _refused("empty")
    if len(data) > max_bytes:
        raise FileRefused("too_large", f"This file is larger than {size_text(max_bytes)}.")
    name = safe_name(claimed_name)
    ext = extension(name)
    kind = _detect(data, ext)
    if kind.category not in allowed:
        raise _refused("type_not_allowed")
    if not ext:
        name = with_extension(name, kind.extensions[0])
    elif ext not in kind.extensions:
        if kind.markup:  # HTML, SVG, XML under a name other than a text file's
            raise _refused("type_not_allowed")
        raise FileRefused("name_mismatch", f"The file's contents do not match its name ({ext}).")
    if kind.image is None:
        return Inspected(name, kind.content_type, kind.category, data)
    try:
        image = reencode(data, kind.image)
    except ImageRefused as exc:
        if exc.code == "too_complex":
            raise FileRefused("too_complex", "This image is too large to process.") from exc
        raise _refused("damaged") from exc
    return Inspected(
        name,
        kind.content_type,
        "images",
        image.data,
        image.width,
        image.height,
        image.thumbnail,
        image.thumbnail_type,
    )


def _refused(code: str) -> FileRefused:
    return FileRefused(code, _MESSAGES[code])


def _detect(data: bytes, ext: str) -> _Kind:
    fmt = sniff(data)
    if fmt is not None:
        content_type, extensions = _IMAGES[fmt]
        return _Kind("images", content_type, extensions, image=fmt)
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-PDF_TAIL_BYTES:]:
            raise _refused("damaged")  # cut short (an interrupted upload or save)
        return _Kind("pdf", "application/pdf", (".pdf",))
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_document(data)
    if data.startswith(OLE2_MAGIC):
        return _legacy_office(data, ext)
    return _text(data, ext)


def _zip_document(data: bytes) -> _Kind:
    """An OOXML or OpenDocument file, judged by its central directory (nothing is extracted but the
    few bytes of an ODF `mimetype` entry)."""
    _check_zip_directory(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            _check_zip_entries(entries)
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    raise _refused("type_not_allowed")  # macros, whatever the name says
                for prefix, (content_type, ext) in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return _Kind("office", content_type, (ext,))
            elif entries and entries[0].filename == "mimetype" and entries[0].file_size < 100:
                with archive.open(entries[0]) as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                if mimetype in _ODF:
                    return _Kind("office", mimetype, (_ODF[mimetype],))
    except FileRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise _refused("damaged") from exc
    raise _refused("type_not_allowed")


def _check_zip_directory(data: bytes) -> None:
    """Bounds the central directory before `zipfile` parses it (it walks the directory by its size,
    whatever count the record states)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - _EOCD.size - 0xFFFF))
    if at < 0 or at + _EOCD.size > len(data):
        raise _refused("damaged")
    _sig, _disk, _start_disk, _here, count, directory_bytes, _offset, _comment = _EOCD.unpack_from(data, at)
    if count > MAX_ZIP_ENTRIES or directory_bytes > MAX_ZIP_DIRECTORY_BYTES:
        raise FileRefused("too_complex", "This file is too complex to process.")


def _check_zip_entries(entries: list[zipfile.ZipInfo]) -> None:
    """A ZIP bomb promises far more than it holds; its directory says so."""
    total = sum(entry.file_size for entry in entries)
    if (
        len(entries) > MAX_ZIP_ENTRIES
        or total > MAX_ZIP_TOTAL_BYTES
        or any(
            entry.file_size > MAX_ZIP_ENTRY_BYTES
            or (
                entry.file_size > ZIP_RATIO_FLOOR_BYTES
                and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1)
            )
            for entry in entries
        )
    ):
        raise FileRefused("too_complex", "This file is too complex to process.")


def _legacy_office(data: bytes, ext: str) -> _Kind:
    """A Word, Excel or PowerPoint 97-2003 file (OLE2): one of their main streams must be named in it
    (an installer or a mail message is OLE2 as well). Any of the three extensions fits."""
    found = [
        ext_
        for ext_, (_type, streams) in _OLE2.items()
        if any(stream.encode("utf-16-le") in data for stream in streams)
    ]
    if not found:
        raise _refused("type_not_allowed")
    chosen = ext if ext in found else found[0]
    return _Kind("office", _OLE2[chosen][0], tuple(_OLE2))


def _text(data: bytes, ext: str) -> _Kind:
    """Plain text in UTF-8, UTF-16 (with a byte order mark), Shift_JIS (CP932) or EUC-JP."""
    text, charset = _decode(data)
    if text is None or _NOT_TEXT.search(text):
        raise _refused("type_not_allowed")
    media = "text/csv" if ext == ".csv" else "text/plain"
    markup = text.lstrip("\ufeff \t\r\n").startswith("<")
    return _Kind("text", f"{media}; charset={charset}", TEXT_EXTENSIONS, markup=markup)


def _decode(data: bytes) -> tuple[str | None, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[tuple[str, str], ...] = (("utf-16", "utf-16"),)
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = (("utf-8-sig", "utf-8"),)
    elif b"\x00" in data:
        return None, ""
    else:
        # EUC-JP before CP932: EUC-JP text also decodes as CP932 (as half-width katakana), rarely the
        # other way round.
        candidates = (("utf-8", "utf-8"), ("euc_jp", "euc-jp"), ("cp932", "shift_jis"))
    for codec, charset in candidates:
        try:
            return data.decode(codec), charset
        except UnicodeDecodeError:
            continue
    return None, ""
