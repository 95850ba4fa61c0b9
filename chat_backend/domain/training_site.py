"""The site of the scripted training visitors (`chat_backend.domain.training`): created on demand,
never listed as a site, its chats flagged `training`; and which trainee a scripted visitor suits."""

from __future__ import annotations

TRAINING_SITE_ID = "training"


def language_of(visitor_language: str | None) -> str:
    """A visitor's language tag as a training language: "ja-JP" -> "ja"."""
    return (visitor_language or "").split("-")[0].lower()


def suits(trainee_language: str | None, visitor_language: str | None) -> bool:
    """A training chat suits a trainee of every language (None) or of the visitor's language."""
    return trainee_language is None or language_of(visitor_language) == trainee_language
