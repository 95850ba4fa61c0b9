"""What the app knows about a file before and after it is sent: its kind by name (the server decides
from the content; this is only the early check and the icon), whether opening it on the workstation
is risky (office documents and PDF may carry macros or scripts; images and plain text do not), and
its size as people read it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from chat_protocol.attachments import FileCategory

EXTENSIONS: dict[str, FileCategory] = {
    "png": "images",
    "jpg": "images",
    "jpeg": "images",
    "gif": "images",
    "webp": "images",
    "pdf": "pdf",
    "txt": "text",
    "csv": "text",
    "log": "text",
    "md": "text",
    "json": "text",
    "docx": "office",
    "xlsx": "office",
    "pptx": "office",
    "odt": "office",
    "ods": "office",
    "odp": "office",
    "doc": "office",
    "xls": "office",
    "ppt": "office",
}
RISKY: frozenset[str] = frozenset({"pdf", "office"})


def category_of(name: str) -> FileCategory | None:
    """The kind a file name says it is; None for an extension no chat accepts (or none at all)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip():
        return None
    return EXTENSIONS.get(ext.strip().lower())


def is_risky(category: str) -> bool:
    """Opening it may run macros or scripts: ask first."""
    return category in RISKY


def may_open(local_name: str, category: str) -> bool:
    """Whether a file written under `local_name` may be handed to the system to open: its extension is
    one a chat accepts and says the kind the server found. Anything else (a forged or old server's
    event, a ticket's "invoice.pdf.exe", a name such as "setup.exe." whose dot goes) is only saved."""
    return category_of(local_name) == category


def human_size(size: int) -> str:
    """``512 bytes``, ``1.5 KB``, ``12.3 MB`` (1024-based, like file managers on Windows)."""
    if size < 1024:
        return QCoreApplication.translate("AttachmentKinds", "%1 bytes").replace("%1", str(max(0, size)))
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"  # units read the same in every language
    if size < 1024 * 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / (1024 * 1024 * 1024):.1f} GB"
