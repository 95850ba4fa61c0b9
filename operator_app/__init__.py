"""The operator desktop app: a native Qt client of the chat backend.

Layers, by import: ``ui -> store -> net -> chat_protocol``. Only ``store`` and ``ui`` import PySide6;
``app`` and ``__main__`` are the composition root above them.
"""

__version__ = "0.1.0"
