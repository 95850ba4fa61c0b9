"""The settings dialog (``settingsDialog``): sounds, desktop notifications, language, idle away,
call devices and the network.

Every change is saved at once to the typed settings; options an admin policy enforces are shown
disabled with "Set by your administrator" (read from `SettingsFile.locked`). Opened with ``show()``
(no nested event loop).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from operator_app.settings import MAX_IDLE_AWAY_MINUTES, SettingsFile
from operator_app.ui.notifications import Notifier
from operator_app.ui.policy_lock import mark_locked, with_note
from operator_app.ui.settings_network import NetworkSettings


class SettingsDialog(QDialog):
    """Objects: ``soundVolume``, ``soundMuted``, ``soundNewChat``, ``soundNewMessage``,
    ``soundTransfer``, ``soundQueueReminder``, ``desktopNotifications``, ``languageChoice``,
    ``idleAwayMinutes``, ``callCameraChoice``, ``callMicrophoneChoice``, ``soundOutputChoice``,
    ``networkSettings``; a locked option has a ``<objectName>LockNote`` label beside it."""

    def __init__(self, settings: SettingsFile, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.settings = settings
        self.notifier = notifier
        self.lock_notes: dict[str, QLabel] = {}

        sounds = QGroupBox(self.tr("Sounds"), self)
        form = QFormLayout(sounds)
        self.muted = self._check("soundMuted", self.tr("&Mute all sounds"), "sound_muted", sounds)
        form.addRow(self._noted(self.muted, "sound_muted"))
        volume_row = QHBoxLayout()
        self.volume = QSlider(Qt.Orientation.Horizontal, sounds)
        self.volume.setObjectName("soundVolume")
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume.setValue(settings.values.sound_volume)
        self.volume.setAccessibleName(self.tr("Volume"))
        self.volume.valueChanged.connect(self._volume_changed)
        self.volume_value = QLabel(f"{settings.values.sound_volume} %", sounds)
        self.volume_value.setMinimumWidth(44)
        self.test_button = QPushButton(self.tr("&Test"), sounds)
        self.test_button.setObjectName("testSoundButton")
        self.test_button.clicked.connect(lambda: self.notifier.play("new_message"))
        volume_row.addWidget(self.volume, 1)
        volume_row.addWidget(self.volume_value)
        volume_row.addWidget(self.test_button)
        if (note := self._lock(self.volume, "sound_volume")) is not None:
            volume_row.addWidget(note)
        volume_label = QLabel(self.tr("&Volume:"), sounds)
        volume_label.setBuddy(self.volume)
        form.addRow(volume_label, volume_row)
        form.addRow(QLabel(self.tr("Play a sound for:"), sounds))
        self.new_chat = self._check(
            "soundNewChat", self.tr("A new chat in the &queue"), "sound_new_chat", sounds
        )
        self.new_message = self._check(
            "soundNewMessage", self.tr("A &new message from a visitor"), "sound_new_message", sounds
        )
        self.transfer = self._check(
            "soundTransfer", self.tr("A chat &transferred or assigned to me"), "sound_transfer", sounds
        )
        self.reminder = self._check(
            "soundQueueReminder",
            self.tr("&Reminders while a chat waits in the queue"),
            "sound_queue_reminder",
            sounds,
        )
        for box, option in (
            (self.new_chat, "sound_new_chat"),
            (self.new_message, "sound_new_message"),
            (self.transfer, "sound_transfer"),
            (self.reminder, "sound_queue_reminder"),
        ):
            form.addRow(self._noted(box, option))
        self.sound_output = self._sound_output_row(sounds, form)

        general = QGroupBox(self.tr("General"), self)
        general_form = QFormLayout(general)
        self.desktop = self._check(
            "desktopNotifications", self.tr("Show &desktop notifications"), "desktop_notifications", general
        )
        general_form.addRow(self._noted(self.desktop, "desktop_notifications"))
        self.language = QComboBox(general)
        self.language.setObjectName("languageChoice")
        for code, label in (("system", self.tr("System default")), ("ja", "日本語"), ("en", "English")):
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.values.language)))
        self.language.currentIndexChanged.connect(self._language_changed)
        language_label = QLabel(self.tr("&Language:"), general)
        language_label.setBuddy(self.language)
        general_form.addRow(language_label, self._noted(self.language, "language"))
        self.language_note = QLabel(
            self.tr("The new language is used from the next start of the app."), general
        )
        self.language_note.setObjectName("languageNote")
        self.language_note.setWordWrap(True)
        self.language_note.setVisible(False)
        general_form.addRow(self.language_note)
        self.idle_away = QSpinBox(general)
        self.idle_away.setObjectName("idleAwayMinutes")
        self.idle_away.setRange(0, MAX_IDLE_AWAY_MINUTES)
        self.idle_away.setSpecialValueText(self.tr("Team setting"))
        self.idle_away.setSuffix(self.tr(" min"))
        self.idle_away.setValue(settings.values.idle_away_minutes)
        self.idle_away.setToolTip(
            self.tr(
                "Minutes without keyboard or mouse input before you are set to away; 0 uses the team's setting."
            )
        )
        self.idle_away.valueChanged.connect(lambda minutes: self.settings.set("idle_away_minutes", minutes))
        idle_label = QLabel(self.tr("Set me &away after:"), general)
        idle_label.setBuddy(self.idle_away)
        general_form.addRow(idle_label, self._noted(self.idle_away, "idle_away_minutes"))

        calls = QGroupBox(self.tr("Video calls"), self)
        calls_form = QFormLayout(calls)
        self.camera = self._device_choice("callCameraChoice", "call_camera", calls)
        self.microphone = self._device_choice("callMicrophoneChoice", "call_microphone", calls)
        camera_label = QLabel(self.tr("&Camera:"), calls)
        camera_label.setBuddy(self.camera)
        microphone_label = QLabel(self.tr("&Microphone:"), calls)
        microphone_label.setBuddy(self.microphone)
        calls_form.addRow(camera_label, self._noted(self.camera, "call_camera"))
        calls_form.addRow(microphone_label, self._noted(self.microphone, "call_microphone"))
        calls_note = QLabel(
            self.tr("Used from the next call. A device that is missing then falls back to the default."),
            calls,
        )
        calls_note.setWordWrap(True)
        calls_form.addRow(calls_note)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(sounds)
        layout.addWidget(general)
        layout.addWidget(calls)
        self.network = NetworkSettings(settings, self)
        self.finished.connect(lambda result: self.network.commit())  # a field still being edited
        layout.addWidget(self.network)
        layout.addWidget(buttons)
        self._update_enabled()
        self.setMinimumWidth(520)

    def _check(self, name: str, text: str, option: str, parent: QWidget) -> QCheckBox:
        box = QCheckBox(text, parent)
        box.setObjectName(name)
        box.setChecked(bool(self.settings.get(option)))
        box.toggled.connect(lambda on: self._set(option, on))
        return box

    def _sound_output_row(self, parent: QWidget, form: QFormLayout) -> QComboBox:
        """The audio output of the notification sounds (``sound_output_device``)."""
        box = self._device_choice("soundOutputChoice", "sound_output_device", parent)
        label = QLabel(self.tr("&Output:"), parent)
        label.setBuddy(box)
        form.addRow(label, self._noted(box, "sound_output_device"))
        return box

    def _device_choice(self, name: str, option: str, parent: QWidget) -> QComboBox:
        """The system default, then every device by its description (the call page matches it by label).
        The devices are listed when the list first opens: Qt Multimedia loads only then."""
        box = _DeviceChoice(option, parent)
        box.setObjectName(name)
        box.addItem(self.tr("System default"), "")
        saved = str(self.settings.get(option))
        if saved:
            box.addItem(saved, saved)
        box.setCurrentIndex(max(0, box.findData(saved)))
        box.currentIndexChanged.connect(lambda index: self.settings.set(option, str(box.itemData(index))))
        return box

    def _lock(self, widget: QWidget, option: str) -> QLabel | None:
        """Disable `widget` when an admin policy enforces `option`; its note is kept for the form."""
        note = mark_locked(widget, option in self.settings.locked)
        if note is not None:
            self.lock_notes[option] = note
        return note

    def _noted(self, widget: QWidget, option: str) -> QWidget | QLayout:
        return with_note(widget, self._lock(widget, option))

    def _set(self, option: str, value: object) -> None:
        self.settings.set(option, value)
        self._update_enabled()

    def _volume_changed(self, value: int) -> None:
        self.volume_value.setText(f"{value} %")
        self.settings.set("sound_volume", value)

    def _language_changed(self, index: int) -> None:
        code = str(self.language.itemData(index))
        if code != self.settings.values.language:
            self.settings.set("language", code)
            self.language_note.setVisible(True)

    def _update_enabled(self) -> None:
        """Muted: the per-sound choices stay as they are but cannot be changed until unmuted."""
        on = not self.settings.values.sound_muted
        for widget, option in (
            (self.volume, "sound_volume"),
            (self.test_button, ""),
            (self.new_chat, "sound_new_chat"),
            (self.new_message, "sound_new_message"),
            (self.transfer, "sound_transfer"),
            (self.reminder, "sound_queue_reminder"),
        ):
            widget.setEnabled(on and option not in self.settings.locked)


class _DeviceChoice(QComboBox):
    """A camera, microphone or sound output choice that lists the devices (Qt Multimedia) when first
    opened."""

    def __init__(self, option: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._option = option
        self.listed = False

    def list_devices(self) -> None:
        if self.listed:
            return
        self.listed = True
        try:
            from PySide6.QtMultimedia import QMediaDevices
        except ImportError:
            return
        if self._option == "sound_output_device":
            present = [device.description() for device in QMediaDevices.audioOutputs()]
        elif self._option == "call_camera":
            present = [device.description() for device in QMediaDevices.videoInputs()]
        else:
            present = [device.description() for device in QMediaDevices.audioInputs()]
        self.blockSignals(True)
        for description in present:
            if self.findData(description) < 0:
                self.addItem(description, description)
        saved = str(self.currentData() or "")
        if saved and saved not in present:
            self.setItemText(self.currentIndex(), self.tr("%1 (not connected)").replace("%1", saved))
        self.blockSignals(False)

    def showPopup(self) -> None:
        self.list_devices()
        super().showPopup()
