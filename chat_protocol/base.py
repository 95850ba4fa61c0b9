"""The base of every protocol model: its validation schema is built on first use, not at import.

Importing `chat_protocol` then costs only the class definitions; pydantic builds a model's core
schema (its validator and serializer) the first time the model validates, serializes or describes
itself. What is accepted, refused and produced is the same as with a plain `BaseModel`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

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
