"""E-mail in: the job that polls the support mailbox over IMAP (`SmtpSettings.imap_*`), on one node at a
time under its lease, every `poll_seconds` (and at once after the settings are saved).

Each mail is fetched, handled in its own transaction (`chat_backend.domain.mail_inbox`), then flagged
`\\Seen \\Deleted`; the mailbox is expunged at the end of the pass. A crash between a commit and the
deletion fetches the mail again next time, and the inbox ledger makes that a no-op. The stdlib
`imaplib` runs in a worker thread (`asyncio.to_thread`): no extra dependency, and one mailbox polled a
minute needs no asynchronous client. Failures are logged as warnings (never with the password) and
the next poll tries again. The mail's files are put into the file store before its transaction, and
deleted again when that fails or does not use them (a store that fails leaves the mail in the
mailbox)."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.domain import mail_in, mail_inbox, mail_out
from chat_backend.domain.tickets import MailFile
from chat_backend.files.store import FileStore, StoreError
from chat_backend.realtime import ticket_news
from chat_backend.realtime.hub import Hub
from chat_protocol.tickets import SmtpSettings

log = logging.getLogger(__name__)

MAILS_PER_PASS = 50  # more waiting: the next pass follows at once
IMAP_TIMEOUT = 30.0
HEADER_BYTES = 64 * 1024  # what is read of a mail over the size limit: its headers
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass
class _Mailbox:
    """One IMAP session (blocking; every call runs in a worker thread)."""

    client: imaplib.IMAP4

    @classmethod
    def open(cls, config: SmtpSettings, ca_file: str) -> _Mailbox:
        context = ssl.create_default_context(cafile=ca_file or None)
        client: imaplib.IMAP4
        if config.imap_security == "tls":
            client = imaplib.IMAP4_SSL(
                config.imap_host, config.imap_port, ssl_context=context, timeout=IMAP_TIMEOUT
            )
        else:
            client = imaplib.IMAP4(config.imap_host, config.imap_port, timeout=IMAP_TIMEOUT)
            if config.imap_security == "starttls":
                client.starttls(context)
        try:
            client.login(config.imap_username, config.imap_password or "")
            status, _ = client.select(_quoted(config.imap_mailbox))
            if status != "OK":
                raise imaplib.IMAP4.error(f"cannot select mailbox {config.imap_mailbox!r}")
        except BaseException:
            _close(client)
            raise
        return cls(client)

    def waiting(self) -> list[str]:
        status, data = self.client.uid("SEARCH", "UNDELETED")
        if status != "OK" or not data or not isinstance(data[0], bytes):
            return []
        return [uid.decode("ascii") for uid in data[0].split()]

    def fetch(self, uid: str) -> tuple[bytes, bool] | None:
        """The raw mail, or only its headers when it is over the size limit (True)."""
        status, data = self.client.uid("FETCH", uid, "(RFC822.SIZE)")
        found = _SIZE.search(b" ".join(d for d in data if isinstance(d, bytes))) if status == "OK" else None
        if found is None:
            return None  # gone meanwhile
        too_large = int(found.group(1)) > mail_in.MAX_RAW_BYTES
        what = f"(BODY.PEEK[HEADER]<0.{HEADER_BYTES}>)" if too_large else "(BODY.PEEK[])"
        status, data = self.client.uid("FETCH", uid, what)
        for item in data if status == "OK" else []:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1], too_large
        return None

    def delete(self, uid: str) -> None:
        self.client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)")

    def finish(self) -> None:
        try:
            self.client.expunge()
        finally:
            _close(self.client)


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _close(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error, EOFError):
        client.logout()


class InboxPoller:
    """The job's work: one pass over the mailbox when e-mail in is on."""

    def __init__(
        self, db: Database, hub: Hub, lease: Lease, ca_file: str = "", files: FileStore | None = None
    ) -> None:
        self.db = db
        self.files = files  # where the mails' files go (None: into the database, as before 0020)
        self.hub = hub
        self.lease = lease
        self.ca_file = ca_file
        self.job = ClusterJob(lease, self.run, 60.0, at_start=True)
        self._last_problem = ""

    async def run(self) -> None:
        async with self.db.read() as session:
            config = await mail_out.settings(session)
        self.job.interval = float(config.poll_seconds)
        if not (config.imap_enabled and config.imap_host):
            return
        try:
            more = await self.poll(config)
        except (OSError, EOFError, ssl.SSLError, imaplib.IMAP4.error) as exc:
            self._problem(config, exc)
            return
        if self._last_problem:
            log.warning("e-mail in: polling %s works again", config.imap_host)
            self._last_problem = ""
        if more:
            self.job.kick()

    def _problem(self, config: SmtpSettings, exc: BaseException) -> None:
        """A warning without secrets (imaplib's messages carry the server's answer, never ours), once
        per distinct problem while it lasts."""
        problem = f"{type(exc).__name__}: {exc}"[:300]
        if config.imap_password:
            problem = problem.replace(config.imap_password, "***")
        if problem != self._last_problem:
            log.warning(
                "e-mail in: polling %s:%d failed (%s); retrying every %d s",
                config.imap_host,
                config.imap_port,
                problem,
                config.poll_seconds,
            )
        self._last_problem = problem

    async def poll(self, config: SmtpSettings) -> bool:
        """Fetch, handle and delete up to MAILS_PER_PASS mails; says whether more are waiting."""
        box = await asyncio.to_thread(_Mailbox.open, config, self.ca_file)
        try:
            uids = await asyncio.to_thread(box.waiting)
            for uid in uids[:MAILS_PER_PASS]:
                fetched = await asyncio.to_thread(box.fetch, uid)
                if fetched is None:
                    continue
                if await self._handle(*fetched):
                    await asyncio.to_thread(box.delete, uid)
        finally:
            await asyncio.to_thread(box.finish)
        return len(uids) > MAILS_PER_PASS

    async def _handle(self, raw: bytes, too_large: bool) -> bool:
        """One mail in its own transaction, announced after the commit; False: left in the mailbox.
        Its files are put into the store first; files no row names afterwards are deleted again."""
        kept: list[MailFile] = []
        try:
            mail = mail_inbox.read(raw, too_large=too_large)
            if self.files is not None:
                kept = await mail_inbox.keep_files(self.files, mail)
            try:
                async with self.db.write() as session:
                    await self.lease.check(session)
                    handled = await mail_inbox.handle(
                        session, raw, mail=mail, kept=kept if self.files is not None else None
                    )
            except BaseException:
                await self._drop(kept)
                raise
        except (ValueError, LookupError, UnicodeError) as exc:  # a mail the parser could not read
            log.warning(
                "e-mail in: a mail could not be read (%s); it stays in the mailbox", type(exc).__name__
            )
            return False
        except StoreError as exc:
            log.warning("e-mail in: the file store failed (%s); the mail stays in the mailbox", exc)
            return False
        if handled.outcome not in ("created", "joined"):  # a duplicate, an auto-reply: files unused
            await self._drop(kept)
        if handled.news and handled.ticket_id:
            await ticket_news.announce(self.db, self.hub, handled.ticket_id, handled.news)
        return True

    async def _drop(self, kept: list[MailFile]) -> None:
        if self.files is not None and kept:
            await mail_inbox.drop_files(self.files, kept)


def inbox_job(
    db: Database, hub: Hub, lease: Lease, ca_file: str = "", files: FileStore | None = None
) -> ClusterJob:
    return InboxPoller(db, hub, lease, ca_file, files).job
