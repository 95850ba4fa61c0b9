"""Importing the wire models builds none of them: each is built on first use, so the app's start-up
does not pay for the models of views it has not opened (a subclass of a built-on-use model must say
`model_config = DEFERRED` itself, or it is built at import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chat_protocol

CHECK = """
import importlib, pkgutil, sys
import chat_protocol
from chat_protocol.base import ProtocolModel
for module in pkgutil.iter_modules(chat_protocol.__path__):
    if module.name != "docgen":
        importlib.import_module(f"chat_protocol.{module.name}")
def every(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from every(sub)
built = sorted({f"{c.__module__}.{c.__qualname__}" for c in every(ProtocolModel) if c.__pydantic_complete__})
print("\\n".join(built))
"""


def test_importing_the_protocol_builds_no_model() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == []


def test_the_protocol_modules_do_not_postpone_their_annotations() -> None:
    """With `from __future__ import annotations` every field's annotation is a string that pydantic
    compiles and evaluates again when it defines the model: a fifth of the cost of importing the
    models, which the app pays before its first window. Forward references are quoted instead."""
    package = Path(chat_protocol.__file__).parent
    postponing = sorted(
        path.name
        for path in package.glob("*.py")
        if "from __future__ import annotations" in path.read_text(encoding="utf-8")
    )
    assert postponing == []
