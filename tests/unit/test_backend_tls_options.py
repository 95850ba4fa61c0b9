"""`chat-backend serve --ssl-certfile/--ssl-keyfile`: both or neither, and readable; else a clear refusal."""

from __future__ import annotations

from pathlib import Path

from chat_backend.cli import _parser, _tls_refusal
from chat_backend.settings import Settings


def test_tls_needs_both_readable_files(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    assert _tls_refusal(Settings(ssl_certfile="", ssl_keyfile="")) is None
    assert _tls_refusal(Settings(ssl_certfile=str(cert), ssl_keyfile=str(key))) is None
    only = _tls_refusal(Settings(ssl_certfile=str(cert), ssl_keyfile=""))
    assert only is not None
    assert "both --ssl-certfile and --ssl-keyfile" in only
    missing = _tls_refusal(Settings(ssl_certfile=str(cert), ssl_keyfile=str(tmp_path / "none.pem")))
    assert missing == f"--ssl-keyfile {tmp_path / 'none.pem'}: not a readable file"


def test_serve_accepts_the_tls_options() -> None:
    args = _parser().parse_args(["serve", "--ssl-certfile", "c.pem", "--ssl-keyfile", "k.pem"])
    assert (args.ssl_certfile, args.ssl_keyfile) == ("c.pem", "k.pem")
