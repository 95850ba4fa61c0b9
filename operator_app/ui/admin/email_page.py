"""Admin page: e-mail. The SMTP relay ticket replies, transcripts and daily summaries go out through,
the support mailbox visitors' replies are read from (IMAP), the sender address of each site, the hour
of the supervisors' daily summary, and the mail that waits or failed (with Retry).

Passwords are write-only: the field stays empty, "A password is stored" says whether one is; an empty
field keeps the stored password, "Remove the stored password" clears it.

Objects: ``adminEmailPage``, ``smtpEnabled``, ``smtpHost``, ``smtpPort``, ``smtpSecurity``,
``smtpUser``, ``smtpPassword``, ``smtpPasswordState``, ``smtpPasswordClear``, ``mailDefaultSender``,
``mailReplyTo``, ``mailSiteSenders`` (a table: site, sender), ``imapEnabled``, ``imapHost``,
``imapPort``, ``imapSecurity``, ``imapUser``, ``imapPassword``, ``imapPasswordState``,
``imapPasswordClear``, ``imapMailbox``, ``imapPoll``, ``summaryEnabled``, ``summaryHour``,
``emailSave``, ``emailMessage``, ``mailOutbox`` (a table), ``mailRetry``, ``mailRefresh``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.admin import SiteInfo
from chat_protocol.tickets import MailStatus, SmtpSettings
from operator_app.store.admin_service import AdminService
from operator_app.store.display_text import escaped_tooltip
from operator_app.ui.admin.message_label import MessageLabel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.refusal import refusal_text


class _Server:
    """The fields of one mail server (the relay, or the support mailbox)."""

    def __init__(self, page: EmailPage, prefix: str, default_port: int) -> None:
        self.enabled = QCheckBox(page)
        self.enabled.setObjectName(f"{prefix}Enabled")
        self.host = QLineEdit(page)
        self.host.setObjectName(f"{prefix}Host")
        self.host.setMaxLength(253)
        self.host.setPlaceholderText("mail.example.com")
        self.port = QSpinBox(page)
        self.port.setObjectName(f"{prefix}Port")
        self.port.setRange(1, 65535)
        self.port.setValue(default_port)
        self.security = QComboBox(page)
        self.security.setObjectName(f"{prefix}Security")
        self.security.addItem("STARTTLS", "starttls")  # protocol names: the same in every language
        self.security.addItem("TLS", "tls")
        self.security.addItem(QCoreApplication.translate("EmailPage", "None (not encrypted)"), "none")
        self.user = QLineEdit(page)
        self.user.setObjectName(f"{prefix}User")
        self.user.setMaxLength(254)
        self.password = QLineEdit(page)
        self.password.setObjectName(f"{prefix}Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(500)
        self.password_state = QLabel(page)
        self.password_state.setObjectName(f"{prefix}PasswordState")
        self.password_state.setTextFormat(Qt.TextFormat.PlainText)
        self.password_state.setStyleSheet("color: #6b7280;")
        self.clear = QCheckBox(QCoreApplication.translate("EmailPage", "Remove the stored password"), page)
        self.clear.setObjectName(f"{prefix}PasswordClear")

    def fill(
        self, page: EmailPage, enabled: bool, host: str, port: int, security: str, user: str, stored: bool
    ) -> None:
        self.enabled.setChecked(enabled)
        self.host.setText(host)
        self.port.setValue(port)
        self.security.setCurrentIndex(max(self.security.findData(security), 0))
        self.user.setText(user)
        self.password.clear()
        self.clear.setChecked(False)
        self.clear.setEnabled(stored)
        self.password.setPlaceholderText(
            QCoreApplication.translate("EmailPage", "Leave empty to keep it") if stored else ""
        )
        self.password_state.setText(
            QCoreApplication.translate("EmailPage", "A password is stored.")
            if stored
            else QCoreApplication.translate("EmailPage", "No password stored.")
        )

    def new_password(self) -> str | None:
        """None keeps the stored password; "" removes it."""
        if self.clear.isChecked():
            return ""
        return self.password.text() or None

    def rows(self, form: QFormLayout, page: EmailPage) -> None:
        form.addRow(QCoreApplication.translate("EmailPage", "Host"), self.host)
        ports = QHBoxLayout()
        ports.addWidget(self.port)
        ports.addWidget(QLabel(QCoreApplication.translate("EmailPage", "Security"), page))
        ports.addWidget(self.security, 1)
        form.addRow(QCoreApplication.translate("EmailPage", "Port"), ports)
        form.addRow(QCoreApplication.translate("EmailPage", "User name"), self.user)
        form.addRow(QCoreApplication.translate("EmailPage", "Password"), self.password)
        form.addRow("", self.password_state)
        form.addRow("", self.clear)


class EmailPage(AdminPage):
    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminEmailPage")
        self.loaded: SmtpSettings | None = None
        self.sites: list[SiteInfo] = []
        self.mails: list[MailStatus] = []

        inner = QWidget(self)
        column = QVBoxLayout(inner)

        self.smtp = _Server(self, "smtp", 587)
        self.smtp.enabled.setText(self.tr("&Send e-mail (ticket replies, transcripts, daily summaries)"))
        out_box = QGroupBox(self.tr("Outgoing mail (SMTP relay)"), inner)
        out_form = QFormLayout(out_box)
        out_form.addRow(self.smtp.enabled)
        self.smtp.rows(out_form, self)
        self.default_sender = QLineEdit(inner)
        self.default_sender.setObjectName("mailDefaultSender")
        self.default_sender.setMaxLength(254)
        self.default_sender.setPlaceholderText("support@example.com")
        self.reply_to = QLineEdit(inner)
        self.reply_to.setObjectName("mailReplyTo")
        self.reply_to.setMaxLength(254)
        self.reply_to.setPlaceholderText(self.tr("The support mailbox below (empty: the sender)"))
        out_form.addRow(self.tr("Default &sender"), self.default_sender)
        out_form.addRow(self.tr("&Reply-To"), self.reply_to)
        self.site_senders = QTableWidget(0, 2, inner)
        self.site_senders.setObjectName("mailSiteSenders")
        self.site_senders.setHorizontalHeaderLabels([self.tr("Site"), self.tr("Sender address")])
        self.site_senders.verticalHeader().hide()
        self.site_senders.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.site_senders.setMaximumHeight(130)
        out_form.addRow(self.tr("Per site"), self.site_senders)
        column.addWidget(out_box)

        self.imap = _Server(self, "imap", 993)
        self.imap.enabled.setText(self.tr("&Read visitors' replies from the support mailbox"))
        in_box = QGroupBox(self.tr("Incoming mail (IMAP support mailbox)"), inner)
        in_form = QFormLayout(in_box)
        in_form.addRow(self.imap.enabled)
        self.imap.rows(in_form, self)
        self.mailbox = QLineEdit(inner)
        self.mailbox.setObjectName("imapMailbox")
        self.mailbox.setMaxLength(200)
        self.poll = QSpinBox(inner)
        self.poll.setObjectName("imapPoll")
        self.poll.setRange(5, 3600)
        self.poll.setMaximumWidth(160)
        self.poll.setSuffix(self.tr(" s"))
        in_form.addRow(self.tr("Folder"), self.mailbox)
        in_form.addRow(self.tr("Check every"), self.poll)
        column.addWidget(in_box)

        summary_box = QGroupBox(self.tr("Daily summary for supervisors"), inner)
        summary_row = QHBoxLayout(summary_box)
        self.summary = QCheckBox(self.tr("Send at"), summary_box)
        self.summary.setObjectName("summaryEnabled")
        self.summary_hour = QSpinBox(summary_box)
        self.summary_hour.setObjectName("summaryHour")
        self.summary_hour.setRange(0, 23)
        self.summary_hour.setSuffix(self.tr(":00 (team's time zone)"))
        self.summary.toggled.connect(self.summary_hour.setEnabled)
        summary_row.addWidget(self.summary)
        summary_row.addWidget(self.summary_hour)
        summary_row.addStretch(1)
        column.addWidget(summary_box)

        self.save_button = QPushButton(self.tr("&Save"), inner)
        self.save_button.setObjectName("emailSave")
        self.save_button.clicked.connect(self.save)
        self.message = MessageLabel("emailMessage", inner)
        save_row = QHBoxLayout()
        save_row.addWidget(self.message, 1)
        save_row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addLayout(save_row)

        outbox_box = QGroupBox(self.tr("Mail waiting or failed"), inner)
        outbox_column = QVBoxLayout(outbox_box)
        self.outbox = QTableWidget(0, 5, outbox_box)
        self.outbox.setObjectName("mailOutbox")
        self.outbox.setHorizontalHeaderLabels(
            [self.tr("To"), self.tr("Subject"), self.tr("State"), self.tr("Attempts"), self.tr("Last error")]
        )
        self.outbox.verticalHeader().hide()
        self.outbox.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.outbox.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.outbox.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.outbox.setMinimumHeight(140)
        self.retry_button = QPushButton(self.tr("Re&try selected"), outbox_box)
        self.retry_button.setObjectName("mailRetry")
        self.retry_button.clicked.connect(self.retry)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), outbox_box)
        self.refresh_button.setObjectName("mailRefresh")
        self.refresh_button.clicked.connect(self.refresh_outbox)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.retry_button)
        outbox_column.addWidget(self.outbox)
        outbox_column.addLayout(buttons)
        column.addWidget(outbox_box)
        column.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_label)
        layout.addWidget(scroll, 1)
        self.show_settings(SmtpSettings())

    def title(self) -> str:
        return self.tr("E-mail")

    @reports_errors(on_error="show_failed")
    async def reload(self) -> None:
        self.show_loading()
        with disabled(self.save_button):
            settings = await self.service.email_settings()
            self.sites = sorted(await self.service.list_sites(), key=lambda s: s.name.casefold())
            mails = await self.service.mail_outbox()
        self.show_ready()
        self.show_settings(settings)
        self.show_outbox(mails)

    def show_settings(self, settings: SmtpSettings) -> None:
        self.loaded = settings
        s = settings
        self.smtp.fill(self, s.enabled, s.host, s.port, s.security, s.username, s.password_set)
        self.imap.fill(
            self,
            s.imap_enabled,
            s.imap_host,
            s.imap_port,
            s.imap_security,
            s.imap_username,
            s.imap_password_set,
        )
        self.default_sender.setText(s.default_sender)
        self.reply_to.setText(s.reply_to)
        self.mailbox.setText(s.imap_mailbox)
        self.poll.setValue(s.poll_seconds)
        self.summary.setChecked(s.summary_hour is not None)
        self.summary_hour.setValue(s.summary_hour if s.summary_hour is not None else 8)
        self.summary_hour.setEnabled(s.summary_hour is not None)
        self.site_senders.setRowCount(len(self.sites))
        for row, site in enumerate(self.sites):
            name = QTableWidgetItem(site.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            name.setData(Qt.ItemDataRole.UserRole, site.site_id)
            self.site_senders.setItem(row, 0, name)
            self.site_senders.setItem(row, 1, QTableWidgetItem(s.senders.get(site.site_id, "")))

    def show_outbox(self, mails: list[MailStatus]) -> None:
        self.mails = mails
        states = {"queued": self.tr("Waiting"), "sent": self.tr("Sent"), "failed": self.tr("Failed")}
        self.outbox.setRowCount(len(mails))
        for row, mail in enumerate(mails):
            cells = [
                mail.to,
                mail.subject,
                states.get(mail.state, mail.state),
                str(mail.attempts),
                mail.last_error,
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(escaped_tooltip(text) if text else "")  # a subject is the visitor's text
                self.outbox.setItem(row, col, item)
        self.retry_button.setEnabled(any(m.state == "failed" for m in mails))

    def form_settings(self) -> SmtpSettings | None:
        senders: dict[str, str] = {}
        for row in range(self.site_senders.rowCount()):
            site = self.site_senders.item(row, 0)
            sender = self.site_senders.item(row, 1)
            address = sender.text().strip() if sender else ""
            if site is not None and address:
                if "@" not in address:
                    self.message.error(self.tr("“%1” is not an e-mail address.").replace("%1", address))
                    return None
                senders[str(site.data(Qt.ItemDataRole.UserRole))] = address
        for field in (self.default_sender, self.reply_to):
            address = field.text().strip()
            if address and "@" not in address:
                self.message.error(self.tr("“%1” is not an e-mail address.").replace("%1", address))
                field.setFocus()
                return None
        if self.smtp.enabled.isChecked() and not self.smtp.host.text().strip():
            self.message.error(self.tr("Enter the relay's host name."))
            self.smtp.host.setFocus()
            return None
        if self.imap.enabled.isChecked() and not self.imap.host.text().strip():
            self.message.error(self.tr("Enter the mailbox's host name."))
            self.imap.host.setFocus()
            return None
        return SmtpSettings(
            enabled=self.smtp.enabled.isChecked(),
            host=self.smtp.host.text().strip(),
            port=self.smtp.port.value(),
            security=self.smtp.security.currentData(),
            username=self.smtp.user.text().strip(),
            password=self.smtp.new_password(),
            imap_enabled=self.imap.enabled.isChecked(),
            imap_host=self.imap.host.text().strip(),
            imap_port=self.imap.port.value(),
            imap_security=self.imap.security.currentData(),
            imap_username=self.imap.user.text().strip(),
            imap_password=self.imap.new_password(),
            imap_mailbox=self.mailbox.text().strip() or "INBOX",
            poll_seconds=self.poll.value(),
            summary_hour=self.summary_hour.value() if self.summary.isChecked() else None,
            default_sender=self.default_sender.text().strip(),
            senders=senders,
            reply_to=self.reply_to.text().strip(),
        )

    def show_refusal(self, error: BaseException) -> None:
        self.message.error(refusal_text(error))

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def save(self) -> bool:
        body = self.form_settings()
        if body is None:
            return False
        with disabled(self.save_button):
            saved = await self.service.save_email_settings(body)
        self.show_settings(saved)
        self.message.notice(self.tr("E-mail settings saved."))
        self.changed.emit()
        return True

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def refresh_outbox(self) -> None:
        with disabled(self.refresh_button):
            self.show_outbox(await self.service.mail_outbox())

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def retry(self) -> None:
        rows = sorted({index.row() for index in self.outbox.selectionModel().selectedRows()})
        failed = [self.mails[r] for r in rows if 0 <= r < len(self.mails) and self.mails[r].state == "failed"]
        if not failed:
            failed = [m for m in self.mails if m.state == "failed"]
        with disabled(self.retry_button):
            for mail in failed:
                await self.service.retry_mail(mail.mail_id)
            self.show_outbox(await self.service.mail_outbox())
        self.message.notice(self.tr("E-mail queued again: %1").replace("%1", str(len(failed))))
