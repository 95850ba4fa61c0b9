"""The base of every protocol model: its validation schema is built on first use, not at import.

Importing `chat_protocol` then costs only the class definitions; pydantic builds a model's core
schema (its validator and serializer) the first time the model validates, serializes or describes
itself. What is accepted, refused and produced is the same as with a plain `BaseModel`, except that
no text anywhere in a model may hold a NUL or a lone surrogate (JSON can escape both; neither is text a
person wrote, PostgreSQL refuses the first and UTF-8 cannot encode the second).
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

# A subclass of a concrete protocol model sets `model_config = DEFERRED` itself: it inherits its
# parent's config, which `__pydantic_init_subclass__` below has already turned back to building at once.
DEFERRED = ConfigDict(defer_build=True)


class ProtocolModel(BaseModel):
    model_config = DEFERRED

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Only the class defers its build. A `TypeAdapter` made around it later reads the same flag,
        and FastAPI makes its request and response adapters (`Annotated[Model, Field(...)]`) under a
        warning filter that holds only while they are built: those must build at once, as they would
        around a plain `BaseModel`, or pydantic warns about FastAPI's field attributes at first use."""
        super().__pydantic_init_subclass__(**kwargs)
        cls.model_config = {**cls.model_config, "defer_build": False}

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text_only(cls, value: Any) -> Any:
        check_text(value)
        return value


def check_text(value: Any) -> None:
    """ValueError if a string in `value` (nested in lists and dicts, keys included) holds a NUL or a lone
    surrogate. Iterative, so a deeply nested value cannot exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("text must not contain NUL characters")
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError("text must be valid Unicode (no lone surrogates)") from None
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
