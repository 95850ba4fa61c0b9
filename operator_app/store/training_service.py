"""Training mode in the client: whether I am in training (from my account, `Me.training`) and in which
language (`Me.training_language`), switching it on the server, then loading my chats and queue again
(they change with the mode); and the trainees' results for the results dialog.

Signals: ``training_changed(bool)`` after the server confirmed a switch or a snapshot was loaded. The
methods raise `operator_app.errors.ApiError` when the server refuses or cannot be reached."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from chat_protocol.training import TrainingLanguage, TrainingResult
from operator_app.net.training_api import TrainingApi
from operator_app.store.chat_session import ChatSession


class TrainingService(QObject):
    training_changed = Signal(bool)

    def __init__(self, session: ChatSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._api = TrainingApi(session.auth.api)
        session.signals.store_reset.connect(self._store_reset)

    @property
    def training(self) -> bool:
        me = self._session.store.me
        return bool(me is not None and me.training)

    @property
    def language(self) -> TrainingLanguage | None:
        """The language of my scripted visitors while in training (None: every language)."""
        me = self._session.store.me
        return me.training_language if me is not None and me.training else None

    async def set_training(self, training: bool, language: TrainingLanguage | None = None) -> bool:
        """Switch my mode (in training, with scripted visitors of `language`); my chats and the queue
        are loaded again for it."""
        await self._session.auth.call(lambda token: self._api.set_training(token, training, language))
        await self._session.resync()
        self.training_changed.emit(self.training)
        return self.training

    async def results(self) -> list[TrainingResult]:
        return await self._session.auth.call(self._api.results)

    def _store_reset(self, *args: object) -> None:
        self.training_changed.emit(self.training)
