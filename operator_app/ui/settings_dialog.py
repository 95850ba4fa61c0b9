"""The settings dialog (``settingsDialog``): sounds, desktop notifications, language, call devices.

Every change is saved at once to the typed settings; options locked by the site configuration are
shown disabled. Opened with ``show()`` (no nested event loop).
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
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from operator_app.settings import SettingsFile
from operator_app.ui.notifications import Notifier


class SettingsDialog(QDialog):
    """Objects: ``soundVolume``, ``soundMuted``, ``soundNewChat``, ``soundNewMessage``,
    ``soundTransfer``, ``soundQueueReminder``, ``desktopNotifications``, ``languageChoice``,
    ``callCameraChoice``, ``callMicrophoneChoice``."""

    def __init__(self, settings: SettingsFile, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.settings = settings
        self.notifier = notifier

        sounds = QGroupBox(self.tr("Sounds"), self)
        form = QFormLayout(sounds)
        self.muted = self._check("soundMuted", self.tr("&Mute all sounds"), "sound_muted", sounds)
        form.addRow(self.muted)
        volume_row = QHBoxLayout()
        self.volume = QSlider(Qt.Orientation.Horizontal, sounds)
        self.volume.setObjectName("soundVolume")
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume.setValue(settings.values.sound_volume)
        self.volume.setAccessibleName(self.tr("Volume"))
        self.volume.setEnabled("sound_volume" not in settings.locked)
        self.volume.valueChanged.connect(self._volume_changed)
        self.volume_value = QLabel(f"{settings.values.sound_volume} %", sounds)
        self.volume_value.setMinimumWidth(44)
        self.test_button = QPushButton(self.tr("&Test"), sounds)
        self.test_button.setObjectName("testSoundButton")
        self.test_button.clicked.connect(lambda: self.notifier.play("new_message"))
        volume_row.addWidget(self.volume, 1)
        volume_row.addWidget(self.volume_value)
        volume_row.addWidget(self.test_button)
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
        for box in (self.new_chat, self.new_message, self.transfer, self.reminder):
            form.addRow(box)

        general = QGroupBox(self.tr("General"), self)
        general_form = QFormLayout(general)
        self.desktop = self._check(
            "desktopNotifications", self.tr("Show &desktop notifications"), "desktop_notifications", general
        )
        general_form.addRow(self.desktop)
        self.language = QComboBox(general)
        self.language.setObjectName("languageChoice")
        for code, label in (("system", self.tr("System default")), ("ja", "日本語"), ("en", "English")):
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.values.language)))
        self.language.setEnabled("language" not in settings.locked)
        self.language.currentIndexChanged.connect(self._language_changed)
        language_label = QLabel(self.tr("&Language:"), general)
        language_label.setBuddy(self.language)
        general_form.addRow(language_label, self.language)
        self.language_note = QLabel(
            self.tr("The new language is used from the next start of the app."), general
        )
        self.language_note.setObjectName("languageNote")
        self.language_note.setWordWrap(True)
        self.language_note.setVisible(False)
        general_form.addRow(self.language_note)

        calls = QGroupBox(self.tr("Video calls"), self)
        calls_form = QFormLayout(calls)
        self.camera = self._device_choice("callCameraChoice", "call_camera", calls)
        self.microphone = self._device_choice("callMicrophoneChoice", "call_microphone", calls)
        camera_label = QLabel(self.tr("&Camera:"), calls)
        camera_label.setBuddy(self.camera)
        microphone_label = QLabel(self.tr("&Microphone:"), calls)
        microphone_label.setBuddy(self.microphone)
        calls_form.addRow(camera_label, self.camera)
        calls_form.addRow(microphone_label, self.microphone)
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
        layout.addWidget(buttons)
        self._update_enabled()
        self.setMinimumWidth(420)

    def _check(self, name: str, text: str, option: str, parent: QWidget) -> QCheckBox:
        box = QCheckBox(text, parent)
        box.setObjectName(name)
        box.setChecked(bool(self.settings.get(option)))
        box.setEnabled(option not in self.settings.locked)
        box.toggled.connect(lambda on: self._set(option, on))
        return box

    def _device_choice(self, name: str, option: str, parent: QWidget) -> QComboBox:
        """The system default, then every device by its description (the call page matches it by label).
        The devices are listed when the list first opens: Qt Multimedia loads only then."""
        box = _DeviceChoice(option == "call_camera", parent)
        box.setObjectName(name)
        box.addItem(self.tr("System default"), "")
        saved = str(self.settings.get(option))
        if saved:
            box.addItem(saved, saved)
        box.setCurrentIndex(max(0, box.findData(saved)))
        box.setEnabled(option not in self.settings.locked)
        box.currentIndexChanged.connect(lambda index: self.settings.set(option, str(box.itemData(index))))
        return box

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
    """A camera or microphone choice that lists the devices (Qt Multimedia) when first opened."""

    def __init__(self, cameras: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cameras = cameras
        self.listed = False

    def list_devices(self) -> None:
        if self.listed:
            return
        self.listed = True
        try:
            from PySide6.QtMultimedia import QMediaDevices
        except ImportError:
            return
        devices = QMediaDevices.videoInputs() if self._cameras else QMediaDevices.audioInputs()
        present = [device.description() for device in devices]
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
