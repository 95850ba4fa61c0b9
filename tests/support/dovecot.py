"""A real IMAP server for the e-mail-in tests: Debian's dovecot (`dovecot-imapd`) on 127.0.0.1 with a
free port, from a generated minimal config in a temporary folder (no system config), one user with a
plain password (passwd-file), and a Maildir the test delivers into (`deliver`: `mailbox.Maildir.add`).
No TLS (`imap_security` "none"). As root, dovecot's processes run as its own system users (it refuses
root); otherwise as the current user."""

from __future__ import annotations

import grp
import imaplib
import mailbox
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.backend import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass
class Dovecot:
    root: Path
    port: int
    username: str = "support"
    password: str = ""
    proc: subprocess.Popen[bytes] | None = None

    @property
    def maildir(self) -> Path:
        return self.root / "Maildir"

    def deliver(self, raw: bytes) -> None:
        """Put one raw mail into the INBOX, as the mail server's delivery agent would."""
        mailbox.Maildir(str(self.maildir), create=False).add(raw)

    def imap_settings(self, **more: Any) -> dict[str, Any]:
        """The e-mail-in part of `PUT /api/v1/settings/email` for this server."""
        return {
            "imap_enabled": True,
            "imap_host": "127.0.0.1",
            "imap_port": self.port,
            "imap_security": "none",
            "imap_username": self.username,
            "imap_password": self.password,
            "imap_mailbox": "INBOX",
            **more,
        }

    def waiting(self) -> int:
        """Mails in the INBOX not yet deleted (what the backend has not taken)."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            client.login(self.username, self.password)
            client.select('"INBOX"')
            _status, data = client.uid("SEARCH", "UNDELETED")
            return len(data[0].split()) if data and data[0] else 0
        finally:
            client.logout()

    def _users(self) -> tuple[str, str, int, int]:
        """(login user, internal user, mail uid, mail gid)."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.getuid()).pw_name
            return me, me, os.getuid(), os.getgid()
        dovecot = pwd.getpwnam("dovecot")
        return "dovenull", "dovecot", dovecot.pw_uid, dovecot.pw_gid

    def start(self, timeout: float = 15.0) -> None:
        login_user, internal_user, uid, gid = self._users()
        self.password = self.password or "pw-" + secrets.token_hex(8)
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(str(self.maildir), create=True)
        (self.root / "passwd").write_text(f"{self.username}:{{PLAIN}}{self.password}\n")
        (self.root / "dovecot.conf").write_text(
            f"""base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(gid).gr_name}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{self.maildir}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.root}/home
}}
"""
        )
        if os.geteuid() == 0:
            for path in [self.root / "home", *self.maildir.rglob("*"), self.maildir]:
                os.chown(path, uid, gid)
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.waiting()
                return
            except (OSError, imaplib.IMAP4.error):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    log = (self.root / "dovecot.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"dovecot did not start:\n{log}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """A started dovecot in a fresh folder (world-readable: as root, dovecot's own users read it),
    stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root=root, port=free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
